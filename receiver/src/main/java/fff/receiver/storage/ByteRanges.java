package fff.receiver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of byte offsets kept as disjoint, non-adjacent half-open ranges {@code [start, end)}: which bytes of a
 * striped file's partial are held, and which are verified. Not thread-safe; {@link StripedFile} guards it.
 */
final class ByteRanges {

    /** start to end; ranges never overlap or touch (touching ranges are merged). */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    ByteRanges copy() {
        ByteRanges c = new ByteRanges();
        c.ranges.putAll(ranges);
        return c;
    }

    void add(long start, long end) {
        if (start >= end) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= end;
                e = ranges.ceilingEntry(start)) {
            end = Math.max(end, e.getValue());
            ranges.remove(e.getKey());
        }
        ranges.put(start, end);
    }

    void addAll(ByteRanges other) {
        other.ranges.forEach(this::add);
    }

    void remove(long start, long end) {
        if (start >= end) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.lowerEntry(start);
        if (before != null && before.getValue() > start) {
            ranges.put(before.getKey(), start);
            if (before.getValue() > end) {
                ranges.put(end, before.getValue());
                return;
            }
        }
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() < end;
                e = ranges.ceilingEntry(start)) {
            ranges.remove(e.getKey());
            if (e.getValue() > end) {
                ranges.put(end, e.getValue());
            }
        }
    }

    /** Keeps only offsets below {@code limit}. */
    void clip(long limit) {
        remove(limit, Long.MAX_VALUE);
    }

    /** Where the run of contained offsets starting at {@code offset} ends; {@code offset} when it is not contained. */
    long runEnd(long offset) {
        Map.Entry<Long, Long> e = ranges.floorEntry(offset);
        return e != null && e.getValue() > offset ? e.getValue() : offset;
    }

    boolean covers(long start, long end) {
        return runEnd(start) >= end;
    }

    /** Bytes contained. */
    long total() {
        long n = 0;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            n += e.getValue() - e.getKey();
        }
        return n;
    }

    /** The ranges in order, each as {start, end}. */
    List<long[]> list() {
        List<long[]> out = new ArrayList<>(ranges.size());
        ranges.forEach((s, e) -> out.add(new long[] {s, e}));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        ranges.forEach((s, e) -> sb.append(sb.length() > 1 ? ", " : "").append('[').append(s).append(", ")
                .append(e).append(')'));
        return sb.append('}').toString();
    }
}

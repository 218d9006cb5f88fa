package fff.common.schedule;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The global queue order of a {@link Scheduler}: one doubly linked list per priority band, bands
 * in priority descending order. Each job carries a {@code long} position, increasing along its
 * band, so any two jobs compare in O(1) ({@link WaitingJob#compare}) without walking the list.
 *
 * <p>Positions are handed out {@code gap} apart. Appending to either end of a band always finds
 * room; inserting between two neighbours takes the midpoint, and when two neighbours are adjacent
 * numbers a window around them is spread out again, growing until it has room or reaches an end of
 * the band. Renumbering keeps the relative order of every job, so heaps keyed on positions stay
 * valid. Positions stay within ±2<sup>62</sup>, so differences never overflow.
 */
final class QueueOrder {

    private static final long LIMIT = 1L << 62;

    private final long gap;
    private final long minSpacing;
    private final TreeMap<Integer, Band> bands = new TreeMap<>(Comparator.reverseOrder());
    private int size;

    /** The jobs of one priority, first to last. */
    private static final class Band {
        WaitingJob first;
        WaitingJob last;
    }

    QueueOrder(int gapBits) {
        if (gapBits < 2 || gapBits > 60) {
            throw new IllegalArgumentException("gapBits " + gapBits + " must be in 2..60");
        }
        this.gap = 1L << gapBits;
        this.minSpacing = Math.max(2, gap >> 12);
    }

    int size() {
        return size;
    }

    /** Puts a job behind every job of the same or higher priority. */
    void append(WaitingJob j) {
        Band band = bands.computeIfAbsent(j.priority, p -> new Band());
        insertBetween(band, band.last, null, j);
    }

    void remove(WaitingJob j) {
        Band band = bands.get(j.priority);
        if (j.prev == null) {
            band.first = j.next;
        } else {
            j.prev.next = j.next;
        }
        if (j.next == null) {
            band.last = j.prev;
        } else {
            j.next.prev = j.prev;
        }
        j.prev = null;
        j.next = null;
        size--;
        if (band.first == null) {
            bands.remove(j.priority);
        }
    }

    /** Moves a job in front of all others, adopting the priority of the current head. */
    void moveToTop(WaitingJob j) {
        remove(j);
        if (bands.isEmpty()) {
            append(j);
            return;
        }
        Map.Entry<Integer, Band> top = bands.firstEntry();
        j.priority = top.getKey();
        insertBetween(top.getValue(), null, top.getValue().first, j);
    }

    /** Moves a job behind all others, adopting the priority of the current tail. */
    void moveToBottom(WaitingJob j) {
        remove(j);
        if (bands.isEmpty()) {
            append(j);
            return;
        }
        Map.Entry<Integer, Band> bottom = bands.lastEntry();
        j.priority = bottom.getKey();
        insertBetween(bottom.getValue(), bottom.getValue().last, null, j);
    }

    /** Moves a job just before or just after another, adopting its priority. */
    void moveNextTo(WaitingJob j, WaitingJob other, boolean after) {
        remove(j);
        j.priority = other.priority;
        Band band = bands.get(other.priority);
        if (after) {
            insertBetween(band, other, other.next, j);
        } else {
            insertBetween(band, other.prev, other, j);
        }
    }

    /** Visits every job in queue order. */
    void forEach(Consumer<WaitingJob> action) {
        for (Band band : bands.values()) {
            for (WaitingJob j = band.first; j != null; j = j.next) {
                action.accept(j);
            }
        }
    }

    /**
     * For tests: links agree both ways, positions strictly increase along each band and stay
     * within ±2^62, every job has its band's priority, and the size is right.
     */
    void check() {
        int seen = 0;
        for (Map.Entry<Integer, Band> e : bands.entrySet()) {
            WaitingJob prev = null;
            for (WaitingJob j = e.getValue().first; j != null; prev = j, j = j.next, seen++) {
                if (j.prev != prev || j.priority != e.getKey() || Math.abs(j.position) > LIMIT
                        || prev != null && prev.position >= j.position) {
                    throw new IllegalStateException("queue order broken at job '" + j.id + "'");
                }
            }
            if (e.getValue().last != prev || prev == null) {
                throw new IllegalStateException("band " + e.getKey() + " has a wrong tail or is empty");
            }
        }
        if (seen != size) {
            throw new IllegalStateException("queue size " + size + " but " + seen + " linked");
        }
    }

    /** Links j between neighbours a and b (either may be null at an end of the band). */
    private void insertBetween(Band band, WaitingJob a, WaitingJob b, WaitingJob j) {
        j.position = positionBetween(band, a, b);
        j.prev = a;
        j.next = b;
        if (a == null) {
            band.first = j;
        } else {
            a.next = j;
        }
        if (b == null) {
            band.last = j;
        } else {
            b.prev = j;
        }
        size++;
    }

    private long positionBetween(Band band, WaitingJob a, WaitingJob b) {
        if (a == null && b == null) {
            return 0;
        }
        if (a == null) {
            if (b.position - gap < -LIMIT) {
                renumber(band);
            }
            return b.position - gap;
        }
        if (b == null) {
            if (a.position + gap > LIMIT) {
                renumber(band);
            }
            return a.position + gap;
        }
        if (b.position - a.position < 2) {
            spread(band, a, b);
        }
        return a.position + (b.position - a.position) / 2;
    }

    /** Makes room between the adjacent jobs a and b by spreading a growing window around them. */
    private void spread(Band band, WaitingJob a, WaitingJob b) {
        WaitingJob left = a;
        WaitingJob right = b;
        long count = 2;
        for (int reach = 1; ; reach = Math.min(reach * 2, 1 << 30)) {
            for (int i = 0; i < reach && left.prev != null; i++, count++) {
                left = left.prev;
            }
            for (int i = 0; i < reach && right.next != null; i++, count++) {
                right = right.next;
            }
            WaitingJob lo = left.prev;
            WaitingJob hi = right.next;
            long start;
            long step;
            if (lo == null && hi == null) {
                renumber(band);
                return;
            } else if (lo == null) {
                step = gap;
                if ((hi.position + LIMIT) / step <= count) {
                    continue;
                }
                start = hi.position - step * count;
            } else if (hi == null) {
                step = gap;
                if ((LIMIT - lo.position) / step <= count) {
                    continue;
                }
                start = lo.position + step;
            } else {
                step = (hi.position - lo.position) / (count + 1);
                if (step < minSpacing) {
                    continue;
                }
                start = lo.position + step;
            }
            assign(left, right, start, step);
            return;
        }
    }

    /** Renumbers a whole band around zero, {@code gap} apart. */
    private void renumber(Band band) {
        long count = 0;
        for (WaitingJob j = band.first; j != null; j = j.next) {
            count++;
        }
        assign(band.first, band.last, -(count / 2) * gap, gap);
    }

    private static void assign(WaitingJob from, WaitingJob to, long start, long step) {
        long p = start;
        for (WaitingJob j = from; ; j = j.next) {
            j.position = p;
            if (j == to) {
                return;
            }
            p += step;
        }
    }
}

package fff.common.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A filtered, paged request for jobs, and the pure function that answers it.
 *
 * <p>Order: RUNNING jobs first (earliest started first), then QUEUED jobs in queue order (the order they
 * will start), then ended jobs newest first (latest ended first); ties go by id, newest first.
 *
 * @param states jobs in any of these states; empty means all states
 * @param group  jobs of this group only, or null for all
 * @param text   case-insensitive substring of the source, relative path, destination, remote path, note or
 *               last error; null or empty for all
 * @param offset jobs to skip, at least 0
 * @param limit  page size, 1 to {@link #MAX_LIMIT}
 */
public record JobQuery(Set<JobState> states, String group, String text, int offset, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public JobQuery {
        states = states == null || states.isEmpty() ? EnumSet.allOf(JobState.class) : EnumSet.copyOf(states);
        group = group == null || group.isEmpty() ? null : group;
        text = text == null || text.isEmpty() ? null : text.toLowerCase(Locale.ROOT);
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " < 0");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is out of range 1-" + MAX_LIMIT);
        }
    }

    /** Every job, first page. */
    public static JobQuery all() {
        return new JobQuery(Set.of(), null, null, 0, DEFAULT_LIMIT);
    }

    /** Selects, orders and pages {@code jobs}; {@code queueOrder} holds the queued jobs' ids in queue order. */
    public JobControl.JobPage apply(List<Job> jobs, List<String> queueOrder) {
        Map<Long, Integer> rank = new HashMap<>();
        for (int i = 0; i < queueOrder.size(); i++) {
            rank.put(Long.parseLong(queueOrder.get(i)), i);
        }
        List<Job> hits = new ArrayList<>();
        for (Job j : jobs) {
            if (matches(j)) {
                hits.add(j);
            }
        }
        hits.sort(order(rank));
        int from = (int) Math.min(offset, hits.size());
        int to = (int) Math.min((long) from + limit, hits.size());
        return new JobControl.JobPage(hits.size(), offset, limit, hits.subList(from, to));
    }

    boolean matches(Job j) {
        return matches(j.state(), j.spec(), j.note(), j.lastError());
    }

    /** {@link #matches(Job)} on a job's parts, so a {@link JobDb} can test its entries without a view. */
    boolean matches(JobState state, JobSpec s, String note, String lastError) {
        if (!states.contains(state) || (group != null && !group.equals(s.group()))) {
            return false;
        }
        return text == null || lowerContains(s.source().toString(), text) || lowerContains(s.relative(), text)
                || lowerContains(s.destination(), text) || lowerContains(s.remotePath(), text)
                || lowerContains(note, text) || lowerContains(lastError, text);
    }

    private static final char[] LOWER_LATIN1 = new char[256];

    static {
        for (char c = 0; c < LOWER_LATIN1.length; c++) {
            LOWER_LATIN1[c] = Character.toLowerCase(c);
        }
    }

    /**
     * Whether {@code field.toLowerCase(Locale.ROOT).contains(lower)}, the text filter, without building the
     * lower-case copy (those copies were most of a search's cost) while the field is Latin-1, where
     * {@code toLowerCase} maps char by char within Latin-1. A char above it (a capital sigma, a dotted capital
     * I, a surrogate) may lower-case by context or to two chars, so at such a char the field takes
     * {@code toLowerCase} itself; a match found before it is a match in either, as the chars before it
     * lower-case alone.
     */
    static boolean lowerContains(String field, String lower) {
        if (field == null) {
            return false;
        }
        int n = field.length();
        int last = n - lower.length();
        char first = lower.charAt(0);
        for (int i = 0; i < n; i++) {
            char c = field.charAt(i);
            if (c >= LOWER_LATIN1.length) {
                return field.toLowerCase(Locale.ROOT).contains(lower);
            }
            if (i <= last && LOWER_LATIN1[c] == first && lowerMatchesAt(field, i, lower)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lowerMatchesAt(String field, int at, String lower) {
        for (int k = 1; k < lower.length(); k++) {
            char c = field.charAt(at + k);
            if (c >= LOWER_LATIN1.length || LOWER_LATIN1[c] != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static Comparator<Job> order(Map<Long, Integer> rank) {
        Comparator<Job> byPhase = Comparator.comparingInt(j -> switch (j.state()) {
            case RUNNING -> 0;
            case QUEUED -> 1;
            default -> 2;
        });
        return byPhase.thenComparing((a, b) -> switch (a.state()) {
            case RUNNING -> Long.compare(a.startedMillis(), b.startedMillis());
            case QUEUED -> Integer.compare(rank.getOrDefault(a.id(), Integer.MAX_VALUE),
                    rank.getOrDefault(b.id(), Integer.MAX_VALUE));
            default -> Long.compare(b.endedMillis(), a.endedMillis());
        }).thenComparing(Comparator.comparingLong(Job::id).reversed());
    }
}

package fff.common.schedule;

/**
 * Answers "which queued job starts next?" in O(1) and keeps the answer current in
 * O(depth · log fanout) per change, independent of the queue length.
 *
 * <p>Groups are ints {@code 0..n-1}; a virtual super-root {@code n} with no limit sits above the
 * roots. Each group {@code x} keeps its tokens ({@code limit}, {@code inUse}), the head of its own
 * {@link ReadyHeap} and {@code best[x]}: the first job, in queue order, of any group in x's subtree
 * whose path up to and including x has a free token — or null. So {@code best[n]} is the next job
 * to start. {@code best[x]} is the minimum of a small heap per group holding x's own head and the
 * non-null {@code best} of its children; a change is pushed up the path to the super-root.
 */
final class DispatchIndex {

    private final int superRoot;
    private final int[] parent;
    private final int[] limit;
    private final int[] inUse;
    private final WaitingJob[] head;
    private final WaitingJob[] best;
    /** Per group: heap of entries, an entry being the group itself (its head) or a child (its best). */
    private final int[][] heap;
    private final int[] heapSize;
    private final int[] selfPos;
    private final int[] childPos;

    /** @param parents parent index per group, -1 for a root */
    DispatchIndex(int[] parents, int[] limits) {
        int n = parents.length;
        superRoot = n;
        parent = new int[n + 1];
        limit = new int[n + 1];
        inUse = new int[n + 1];
        int[] children = new int[n + 1];
        for (int g = 0; g < n; g++) {
            parent[g] = parents[g] < 0 ? n : parents[g];
            limit[g] = limits[g];
            children[parent[g]]++;
        }
        parent[n] = -1;
        limit[n] = Integer.MAX_VALUE;
        head = new WaitingJob[n + 1];
        best = new WaitingJob[n + 1];
        heap = new int[n + 1][];
        for (int g = 0; g <= n; g++) {
            heap[g] = new int[children[g] + 1];
        }
        heapSize = new int[n + 1];
        selfPos = new int[n + 1];
        childPos = new int[n + 1];
        java.util.Arrays.fill(selfPos, -1);
        java.util.Arrays.fill(childPos, -1);
    }

    /** The next job to start (unblocked, whole path free, first in queue order), or null. */
    WaitingJob next() {
        return best[superRoot];
    }

    int limit(int g) {
        return limit[g];
    }

    int inUse(int g) {
        return inUse[g];
    }

    void setLimit(int g, int value) {
        limit[g] = value;
        propagate(g);
    }

    /** The head of g's ready heap changed (null when empty). */
    void headChanged(int g, WaitingJob newHead) {
        setEntry(g, g, newHead);
        propagate(g);
    }

    /** A job of g started: one token from g and each ancestor; newHead is g's next ready job. */
    void acquire(int g, WaitingJob newHead) {
        for (int x = g; x != superRoot; x = parent[x]) {
            inUse[x]++;
        }
        setEntry(g, g, newHead);
        refreshPath(g);
    }

    /** A job of g ended: its tokens go back to g and each ancestor. */
    void release(int g) {
        for (int x = g; x != superRoot; x = parent[x]) {
            inUse[x]--;
        }
        refreshPath(g);
    }

    /**
     * For tests: recomputes every {@code best} from scratch, children before parents, and compares.
     *
     * @param heads the head of each group's ready heap
     */
    void check(WaitingJob[] heads) {
        int n = superRoot;
        WaitingJob[] expect = new WaitingJob[n + 1];
        int[] depth = new int[n + 1];
        Integer[] byDepth = new Integer[n + 1];
        for (int g = 0; g <= n; g++) {
            for (int x = g; parent[x] >= 0; x = parent[x]) {
                depth[g]++;
            }
            byDepth[g] = g;
        }
        java.util.Arrays.sort(byDepth, (a, b) -> depth[b] - depth[a]);
        for (int x : byDepth) {
            WaitingJob own = x < n ? heads[x] : null;
            if (head[x] != own) {
                throw new IllegalStateException("group " + x + ": stale head");
            }
        }
        for (int x : byDepth) {
            WaitingJob b = head[x];
            for (int c = 0; c < n; c++) {
                if (parent[c] == x && expect[c] != null && (b == null || WaitingJob.before(expect[c], b))) {
                    b = expect[c];
                }
            }
            expect[x] = inUse[x] >= limit[x] ? null : b;
            if (expect[x] != best[x]) {
                throw new IllegalStateException("group " + x + ": best is stale");
            }
        }
    }

    /** Every group on the path changed; recompute all of them. */
    private void refreshPath(int g) {
        for (int x = g; x >= 0; x = parent[x]) {
            recompute(x);
        }
    }

    /** Only x changed; walk up while best values change. */
    private void propagate(int g) {
        for (int x = g; x >= 0 && recompute(x); x = parent[x]) {
            // each changed best moves the parent's heap entry
        }
    }

    private boolean recompute(int x) {
        WaitingJob b = inUse[x] >= limit[x] || heapSize[x] == 0 ? null : key(x, heap[x][0]);
        if (b == best[x]) {
            return false;
        }
        best[x] = b;
        if (parent[x] >= 0) {
            setEntry(parent[x], x, b);
        }
        return true;
    }

    // ---- per-group entry heaps; entry e of group x is x itself (key head[x]) or a child (best[e])

    private WaitingJob key(int x, int e) {
        return e == x ? head[x] : best[e];
    }

    private int pos(int x, int e) {
        return e == x ? selfPos[x] : childPos[e];
    }

    private void place(int x, int e, int i) {
        heap[x][i] = e;
        if (e == x) {
            selfPos[x] = i;
        } else {
            childPos[e] = i;
        }
    }

    /** Sets the key of entry e in x's heap (head[x] when e == x; best[e] is already set otherwise). */
    private void setEntry(int x, int e, WaitingJob value) {
        if (e == x) {
            head[x] = value;
        }
        int i = pos(x, e);
        if (value == null) {
            if (i >= 0) {
                removeAt(x, e, i);
            }
        } else if (i < 0) {
            i = heapSize[x]++;
            place(x, e, i);
            siftUp(x, i);
        } else {
            siftDown(x, siftUp(x, i));
        }
    }

    private void removeAt(int x, int e, int i) {
        if (e == x) {
            selfPos[x] = -1;
        } else {
            childPos[e] = -1;
        }
        int last = heap[x][--heapSize[x]];
        if (i < heapSize[x]) {
            place(x, last, i);
            siftDown(x, siftUp(x, i));
        }
    }

    private int siftUp(int x, int i) {
        int[] h = heap[x];
        int e = h[i];
        WaitingJob k = key(x, e);
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!WaitingJob.before(k, key(x, h[p]))) {
                break;
            }
            place(x, h[p], i);
            i = p;
        }
        place(x, e, i);
        return i;
    }

    private void siftDown(int x, int i) {
        int[] h = heap[x];
        int size = heapSize[x];
        int e = h[i];
        WaitingJob k = key(x, e);
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && WaitingJob.before(key(x, h[c + 1]), key(x, h[c]))) {
                c++;
            }
            if (!WaitingJob.before(key(x, h[c]), k)) {
                break;
            }
            place(x, h[c], i);
            i = c;
        }
        place(x, e, i);
    }
}

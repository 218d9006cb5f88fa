package fff.common.schedule;

import java.util.Arrays;

/**
 * The unblocked queued jobs of one group, as a binary min-heap in global queue order. All jobs of
 * a group need the same tokens, so only the head can ever be the next to start. Each job keeps its
 * own heap index, so removing any job (cancel, block, move) is O(log n) without a search.
 */
final class ReadyHeap {

    private WaitingJob[] heap = new WaitingJob[2];
    private int size;

    WaitingJob peek() {
        return size == 0 ? null : heap[0];
    }

    int size() {
        return size;
    }

    void add(WaitingJob j) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        place(j, size++);
        siftUp(j.heapIndex);
    }

    void remove(WaitingJob j) {
        int i = j.heapIndex;
        if (i < 0 || i >= size || heap[i] != j) {
            throw new IllegalStateException("job '" + j.id + "' is not in this ready heap");
        }
        j.heapIndex = -1;
        WaitingJob last = heap[--size];
        heap[size] = null;
        if (i < size) {
            place(last, i);
            siftDown(siftUp(i));
        }
    }

    /** For tests: the heap property holds and every job knows its index. */
    void check() {
        for (int i = 0; i < size; i++) {
            if (heap[i].heapIndex != i || i > 0 && WaitingJob.before(heap[i], heap[(i - 1) >>> 1])) {
                throw new IllegalStateException("ready heap broken at job '" + heap[i].id + "'");
            }
        }
    }

    boolean contains(WaitingJob j) {
        return j.heapIndex >= 0 && j.heapIndex < size && heap[j.heapIndex] == j;
    }

    private int siftUp(int i) {
        WaitingJob j = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!WaitingJob.before(j, heap[p])) {
                break;
            }
            place(heap[p], i);
            i = p;
        }
        place(j, i);
        return i;
    }

    private void siftDown(int i) {
        WaitingJob j = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && WaitingJob.before(heap[c + 1], heap[c])) {
                c++;
            }
            if (!WaitingJob.before(heap[c], j)) {
                break;
            }
            place(heap[c], i);
            i = c;
        }
        place(j, i);
    }

    private void place(WaitingJob j, int i) {
        heap[i] = j;
        j.heapIndex = i;
    }
}

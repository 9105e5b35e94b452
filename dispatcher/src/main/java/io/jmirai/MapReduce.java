package io.jmirai;

import io.jmirai.api.MapFunction;
import io.jmirai.api.ReduceFunction;
import io.jmirai.api.internal.ChunkReduce;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * {@link Daemons#mapReduce}: splits the items into contiguous chunks, sends each as one task ({@link ChunkReduce})
 * that maps and reduces its chunk on a daemon, and combines the partial results on the calling thread in chunk order,
 * as each next one resolves (so the reduce function need only be associative). A chunk whose daemon is lost is queued
 * again and re-run from its start (the task's retries); only a chunk's final RESULT carries a partial, and each
 * chunk's future resolves once, so a re-run chunk is never counted twice.
 *
 * <p>Threading: stateless; runs on the caller's thread.
 */
final class MapReduce {
    /** A chunk is retried at least this many times when its daemon is lost. */
    static final int MIN_CHUNK_RETRIES = 3;

    private MapReduce() {}

    /**
     * @param submit sends one chunk task with its options
     * @param running daemons running now (the default number of chunks)
     * @param retries the chunks' retries
     */
    static <T, R> R run(
            BiFunction<ChunkReduce<T, R>, MiraiOptions, Mirai<R>> submit,
            List<? extends T> items,
            MapFunction<? super T, ? extends R> fn,
            R identity,
            ReduceFunction<R> op,
            MapOptions options,
            int running,
            int retries)
            throws InterruptedException {
        int n = items.size();
        if (n == 0) {
            return identity;
        }
        int k = Math.min(n, options.chunks() > 0 ? options.chunks() : Math.max(1, running));
        MiraiOptions chunkOptions = MiraiOptions.defaults().retries(Math.max(MIN_CHUNK_RETRIES, retries));
        List<Mirai<R>> chunks = new ArrayList<>(k);
        int[] first = new int[k];
        try {
            for (int c = 0; c < k; c++) {
                int from = (int) ((long) c * n / k);
                int to = (int) ((long) (c + 1) * n / k);
                first[c] = from;
                chunks.add(submit.apply(
                        new ChunkReduce<>(fn, identity, op, new ArrayList<T>(items.subList(from, to))), chunkOptions));
            }
        } catch (RuntimeException e) {
            Mirai.stop(chunks);
            throw e;
        }
        ProgressListener listener = options.listener();
        R acc = identity;
        for (int c = 0; c < k; c++) {
            Mirai<R> m = chunks.get(c);
            try {
                m.awaitResolved();
            } catch (InterruptedException e) {
                Mirai.stop(chunks);
                throw e;
            }
            Object v = m.decodeUncached();
            if (v instanceof ErrorValue e) {
                Mirai.stop(chunks);
                throw new MiraiMapException(first[c], null, e);
            }
            @SuppressWarnings("unchecked")
            R partial = (R) v;
            acc = MiraiMap.combine(op, acc, partial, first[c]);
            if (listener != null) {
                listener.progress(c + 1, k);
            }
        }
        return acc;
    }
}

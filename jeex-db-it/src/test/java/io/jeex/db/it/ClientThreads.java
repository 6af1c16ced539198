package io.jeex.db.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Client threads of a service that start together, as the concurrent tests through PgBouncer run them. */
final class ClientThreads {

    /** What one client thread does. */
    @FunctionalInterface
    interface Body<T> {
        /**
         * @param thread the thread's number, 0 to threads - 1
         * @return its result
         * @throws Exception to fail the run
         */
        T run(int thread) throws Exception;
    }

    private ClientThreads() {
    }

    /**
     * Runs {@code body} on {@code threads} threads released at once, waits up to 5 minutes for
     * each and shuts the threads down, also when one failed.
     *
     * @param threads how many
     * @param body what each does
     * @return the results, in thread order
     * @throws ExecutionException if a thread threw
     * @throws TimeoutException if a thread ran longer than 5 minutes
     * @throws InterruptedException if interrupted while waiting
     */
    static <T> List<T> run(int threads, Body<T> body)
            throws ExecutionException, TimeoutException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    return body.run(thread);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(5, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.jeex.db.testkit;

import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clones of a template: a background thread keeps some of them ready (started by the first
 * {@link #take(String)}), so that a test rarely waits for a {@code CREATE DATABASE ... TEMPLATE};
 * closed ones are dropped by another background thread. How many are kept ready adapts to the
 * measured rates ({@link PrefetchDepth}), starting from the configured prefetch. With a prefetch
 * of 0, or when prefetching failed, every clone is created by its caller. With
 * {@link TestkitSettings#RECYCLE}, a closed clone whose schema is unchanged is reset
 * ({@link CloneRecycler}) and put back among the ready ones instead of dropped.
 */
final class ClonePool {

    /** The facade's logger, so that a log configuration of the testkit keeps covering every line. */
    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);

    private final Admin admin;
    private final int prefetch;
    /** A clone prepared ahead, and the template it was made from. */
    private record Ready(String template, String name) {
    }

    /**
     * The most clones ever ready at once. The prefetcher keeps at most {@link PrefetchDepth#MAX};
     * recycled clones come back on top of those, as many as were handed out, because dropping one
     * instead would request a checkpoint. Beyond this, they are dropped after all.
     */
    static final int READY_MAX = 4 * PrefetchDepth.MAX;

    private final BlockingQueue<Ready> ready = new LinkedBlockingQueue<>(READY_MAX);
    /**
     * The template of the latest {@link #take(String)}: the template changes when the month does
     * (TemplateBuilder), and the prefetcher follows it.
     */
    private volatile String template;
    private final PrefetchDepth depth;
    /** Notified when a clone is taken from {@link #ready}: the prefetcher may make the next. */
    private final Object taken = new Object();
    private final AtomicReference<Thread> prefetcher = new AtomicReference<>();
    private final AtomicReference<Throwable> prefetchFailure = new AtomicReference<>();
    /** Drops and resets closed clones: two threads, as resets are short and tests ask fast. */
    private final ExecutorService dropper = Executors.newFixedThreadPool(2, r -> daemon(r, "jeex-db-testkit-drop"));
    /** How long a request waits for a reset under way before it makes a clone of its own. */
    private static final long RESET_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Resets asked for and not yet finished. */
    private final AtomicInteger resetting = new AtomicInteger();
    /** Drops and resets asked for and not yet finished. */
    private final AtomicInteger pending = new AtomicInteger();
    /** With {@link TestkitSettings#RECYCLE}: resets used clones; else null. */
    private final CloneRecycler recycler;
    /** The clones this pool made (or recycled) and handed out, by name, with their template. */
    private final Map<String, String> handedOut = new ConcurrentHashMap<>();
    private final AtomicLong recycled = new AtomicLong();
    private volatile boolean closing;

    /**
     * @param prefetch how many clones to keep ready until the rates are measured; 0 for none
     */
    ClonePool(Admin admin, int prefetch, boolean recycle) {
        this.admin = admin;
        this.prefetch = prefetch;
        this.depth = new PrefetchDepth(prefetch);
        this.recycler = recycle ? new CloneRecycler(admin) : null;
    }

    /**
     * Returns a new clone of the template: one prepared ahead when one is ready, else a new one.
     *
     * @throws TestkitException if the clone cannot be created
     */
    String take(String template) {
        String name;
        if (prefetch > 0) {
            this.template = template;
            depth.recordRequest(System.nanoTime());
            startPrefetcher();
            name = pollReady(template);
            if (name == null) {
                depth.recordMiss();
            } else {
                depth.recordHit();
            }
            synchronized (taken) {
                taken.notifyAll(); // also when none was ready: the depth may have grown
            }
        } else {
            name = pollReady(template); // recycled clones only
        }
        if (name == null && recycler != null) {
            name = awaitReset(template);
        }
        if (name == null) {
            name = createClone(template);
        }
        handedOut.put(name, template);
        return name;
    }

    /** A ready clone of the template, or null; ready clones of an earlier template are dropped. */
    private String pollReady(String template) {
        Ready next;
        while ((next = ready.poll()) != null && !next.template().equals(template)) {
            dropLater(next.name()); // made from an earlier template
        }
        return next == null ? null : next.name();
    }

    /** A reset under way ends sooner than a new clone: waits for it (or any ready clone), bounded. */
    private String awaitReset(String template) {
        long deadline = System.nanoTime() + RESET_WAIT_NANOS;
        try {
            while (resetting.get() > 0 && System.nanoTime() < deadline) {
                Ready next = ready.poll(5, TimeUnit.MILLISECONDS);
                if (next != null) {
                    if (next.template().equals(template)) {
                        return next.name();
                    }
                    dropLater(next.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return pollReady(template);
    }

    private String createClone(String template) {
        String name = "jeex_test_" + Admin.randomSuffix(6);
        try {
            admin.createFromTemplate(name, template);
            return name;
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot clone template " + template + " into " + name + ": "
                    + e.getMessage(), e);
        }
    }

    private void startPrefetcher() {
        if (prefetcher.get() != null || prefetchFailure.get() != null) {
            return;
        }
        Thread thread = daemon(this::prefetchLoop, "jeex-db-testkit-prefetch");
        if (prefetcher.compareAndSet(null, thread)) {
            thread.start();
        }
    }

    private void prefetchLoop() {
        try {
            while (!closing) {
                synchronized (taken) {
                    // resets under way are clones on their way back: not made twice
                    while (!closing && ready.size() + resetting.get() >= depth.current()) {
                        taken.wait();
                    }
                }
                if (closing) {
                    return;
                }
                long started = System.nanoTime();
                String from = template;
                String name = createClone(from);
                depth.recordProvision(System.nanoTime() - started);
                if (!ready.offer(new Ready(from, name))) {
                    admin.drop(name); // recycled clones filled the queue meanwhile
                }
            }
        } catch (InterruptedException e) {
            // close() stops the prefetcher
        } catch (Throwable e) {
            if (!closing) {
                prefetchFailure.set(e);
                LOG.warn("jeex-db testkit: prefetching clones stopped, tests create their own: {}", e.toString());
            }
        }
    }

    /**
     * Drops the database in the background, or with {@link TestkitSettings#RECYCLE} resets a
     * clone of this pool and puts it back among the ready ones ({@link CloneRecycler}); in the
     * caller's thread, and always a drop, once {@link #close} began.
     */
    void dropLater(String name) {
        String template = handedOut.remove(name);
        if (!closing) {
            boolean reset = recycler != null && template != null;
            if (reset) {
                resetting.incrementAndGet();
            }
            pending.incrementAndGet();
            try {
                dropper.execute(() -> {
                    try {
                        recycleOrDrop(name, template);
                    } finally {
                        if (reset) {
                            resetting.decrementAndGet();
                            synchronized (taken) {
                                taken.notifyAll(); // a reset that became a drop: the prefetcher makes up for it
                            }
                        }
                        pending.decrementAndGet();
                    }
                });
                return;
            } catch (RejectedExecutionException e) {
                // close() began between the check and execute(): drop it here instead
                if (reset) {
                    resetting.decrementAndGet();
                }
                pending.decrementAndGet();
            }
        }
        dropNow(name);
    }

    private void recycleOrDrop(String name, String template) {
        if (recycler != null && template != null && !closing && ready.size() < READY_MAX) {
            String newName = "jeex_test_" + Admin.randomSuffix(6);
            try {
                if (!recycler.knows(template)) {
                    // a fresh clone, not handed out: what every recycled clone must look like again
                    String fresh = createClone(template);
                    recycler.captureOnce(template, fresh);
                    if (!ready.offer(new Ready(template, fresh))) {
                        dropNow(fresh);
                    }
                }
                long started = System.nanoTime();
                Optional<String> reset = recycler.recycle(name, template, newName);
                if (reset.isPresent() && !closing && ready.offer(new Ready(template, reset.get()))) {
                    // a recycled clone is one made ready: the depth follows the faster rate
                    depth.recordProvision(System.nanoTime() - started);
                    recycled.incrementAndGet();
                    synchronized (taken) {
                        taken.notifyAll();
                    }
                    return;
                }
                reset.ifPresent(this::dropNow);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("jeex-db testkit: could not recycle a test database, dropping it: {}", e.toString());
            }
            dropNow(newName);
        }
        dropNow(name);
    }

    /** Waits until the drops and resets asked for so far are done (for tests). */
    void settle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("background drops and resets still running after 60 s");
            }
            Thread.sleep(5);
        }
    }

    /** @return how many used clones were reset and put back among the ready ones */
    long recycled() {
        return recycled.get();
    }

    private void dropNow(String name) {
        try {
            admin.drop(name);
        } catch (SQLException e) {
            LOG.warn("jeex-db testkit: could not drop test database {}: {}", name, e.getMessage());
        }
    }

    /**
     * Stops prefetching and waits for pending drops; the first call only.
     *
     * @param dropReady whether to drop the clones prepared ahead: on a server that outlives the
     *     testkit (external), not on one that is stopped next anyway
     */
    void close(boolean dropReady) {
        if (closing) {
            return;
        }
        closing = true;
        Optional.ofNullable(prefetcher.get()).ifPresent(Thread::interrupt);
        dropper.shutdown();
        try {
            Thread thread = prefetcher.get();
            if (thread != null) {
                thread.join(10_000);
            }
            dropper.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (recycler != null) {
            recycler.close();
        }
        if (dropReady) {
            Ready next;
            while ((next = ready.poll()) != null) {
                dropNow(next.name());
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

package io.jeex.db.benchmarks;

import io.jeex.db.benchmarks.peers.JeexWorkload;
import io.jeex.db.benchmarks.peers.Workload;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The repositories' mixed workload ({@link Mix}) on a pool of {@value #POOL} connections, from
 * {@value #PLATFORM} platform threads and then from {@value #VIRTUAL} virtual threads, with JFR's
 * {@code jdk.VirtualThreadPinned} events recorded (threshold 0, with stack traces) while the
 * virtual threads run. Each pinning event is charged to the first frame of jeex-db, HikariCP,
 * pgjdbc, jOOQ, Resilience4j or Micrometer from the top of its stack (else to the JDK), and the
 * most frequent stacks are printed.
 *
 * <p>Needs Java 21 or newer for virtual threads (found by reflection: the module compiles for
 * Java 17); the figures in docs/benchmarks.md are from Java 25.
 *
 * <pre>
 * $JAVA25/bin/java -cp benchmarks.jar io.jeex.db.benchmarks.VirtualThreadRun [warm-up s] [measured s] [rounds]
 * </pre>
 */
public final class VirtualThreadRun {

    static final int POOL = 20;
    static final int PLATFORM = 20;
    static final int VIRTUAL = 1000;
    private static final int RING = 300;

    private VirtualThreadRun() {
    }

    /**
     * @param args warm-up seconds (default 10), measured seconds (default 20), rounds (default 2)
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        ThreadFactory virtual = virtualThreadFactory();
        try (BenchDatabase bench = new BenchDatabase(POOL, b -> b.pool(p -> p.withAcquireTimeout(Duration.ofSeconds(60))))) {
            SharedFixture shared = new SharedFixture(bench.db);
            Workload workload = new JeexWorkload(bench.db);
            List<ThreadFixture> fixtures = new ArrayList<>();
            for (int i = 0; i < VIRTUAL; i++) {
                ThreadFixture own = new ThreadFixture(bench.db, RING);
                own.makeRing(); // now, not in the measurement
                fixtures.add(own);
            }
            new Fixtures(bench.db).analyze();
            Map<String, List<Double>> throughput = new LinkedHashMap<>();
            Map<String, Long> pinnedBy = new TreeMap<>();
            Map<String, Long> pinnedStacks = new TreeMap<>();
            long pinnedTotal = 0;
            for (int round = 1; round <= rounds; round++) {
                throughput.computeIfAbsent(PLATFORM + " platform threads", k -> new ArrayList<>())
                        .add(run(workload, shared, fixtures.subList(0, PLATFORM), Thread::new, warmup, measured));
                Path jfr = Files.createTempFile("jeex-vt-pinned", ".jfr");
                try (Recording recording = new Recording()) {
                    recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
                    recording.start();
                    throughput.computeIfAbsent(VIRTUAL + " virtual threads", k -> new ArrayList<>())
                            .add(run(workload, shared, fixtures, virtual, warmup, measured));
                    recording.stop();
                    recording.dump(jfr);
                }
                for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                    pinnedTotal++;
                    pinnedBy.merge(Owners.innermost(e.getStackTrace()), 1L, Long::sum);
                    pinnedStacks.merge(stack(e), 1L, Long::sum);
                }
                Files.deleteIfExists(jfr);
            }
            System.out.printf(Locale.ROOT, "%n%s, Java %s, pool %d, mixed workload, %d s warm-up + %d s measured, "
                    + "%d round(s)%n", java.time.LocalDate.now(), System.getProperty("java.version"), POOL, warmup,
                    measured, rounds);
            throughput.forEach((what, scores) -> System.out.printf(Locale.ROOT, "%-22s %s calls/s%n", what,
                    scores.stream().map(s -> String.format(Locale.ROOT, "%,.0f", s)).collect(Collectors.joining(", "))));
            System.out.printf(Locale.ROOT, "jdk.VirtualThreadPinned events (threshold 0): %d%n", pinnedTotal);
            pinnedBy.forEach((who, n) -> System.out.printf(Locale.ROOT, "  %-14s %d%n", who, n));
            pinnedStacks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .forEach(s -> System.out.printf(Locale.ROOT, "  %d x%n%s%n", s.getValue(), s.getKey()));
        }
    }

    /** Runs the mix on one thread per fixture; returns calls per second over the measured window. */
    static double run(Workload workload, SharedFixture shared, List<ThreadFixture> fixtures, ThreadFactory threads,
                      int warmupSeconds, int measuredSeconds) throws InterruptedException {
        LongAdder calls = new LongAdder();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(measuredSeconds);
        List<Thread> started = new ArrayList<>();
        for (ThreadFixture own : fixtures) {
            Thread t = threads.newThread(() -> {
                long step = 0;
                try {
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        Mix.run(workload, shared, own, step++);
                        if (now >= measureFrom) {
                            calls.increment();
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
                own.rearm();
            });
            t.start();
            started.add(t);
        }
        for (Thread t : started) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " workers failed; first: " + failures.peek(), failures.peek());
        }
        return calls.sum() / (double) measuredSeconds;
    }

    private static String stack(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return "    (no stack)";
        }
        String reason = e.hasField("pinnedReason") ? "    reason: " + e.getString("pinnedReason") + "\n" : "";
        return reason + e.getStackTrace().getFrames().stream().limit(12)
                .map(f -> "    at " + f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber())
                .collect(Collectors.joining("\n"));
    }

    /** {@code Thread.ofVirtual().factory()}, by reflection: this module compiles for Java 17. */
    static ThreadFactory virtualThreadFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (NoSuchMethodException | ClassNotFoundException e) {
            throw new IllegalStateException("virtual threads need Java 21 or newer; this is Java "
                    + System.getProperty("java.version") + ": run it with the java of a JDK 21+ (the figures: Temurin 25)", e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}

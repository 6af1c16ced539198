package io.jeex.db.benchmarks;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU time and the allocations of a JFR recording go, by library: for each owner
 * ({@link Owners}), the share of {@code jdk.ExecutionSample} events whose innermost library frame
 * is that owner's ("self", JDK frames charged to the library that called them), the share of
 * samples with any frame of that owner on the stack ("total"), and the share of sampled
 * allocation weight ({@code jdk.ObjectAllocationSample}) charged the same way. Benchmark threads
 * only (JMH workers).
 *
 * <pre>
 * java -jar benchmarks.jar 'PeerBenchmark.lookupUser' -p library=jeex -prof jfr ...   # writes profile.jfr
 * java -cp benchmarks.jar io.jeex.db.benchmarks.JfrBreakdown path/to/profile.jfr
 * </pre>
 */
public final class JfrBreakdown {

    private JfrBreakdown() {
    }

    /**
     * @param args JFR files
     * @throws Exception if a file cannot be read
     */
    public static void main(String[] args) throws Exception {
        for (String file : args) {
            Map<String, long[]> owners = new LinkedHashMap<>(); // self samples, total samples, allocated bytes
            long samples = 0;
            long allocated = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(file))) {
                String type = e.getEventType().getName();
                boolean cpu = type.equals("jdk.ExecutionSample");
                boolean alloc = type.equals("jdk.ObjectAllocationSample");
                if (!(cpu || alloc) || e.getStackTrace() == null || !worker(e)) {
                    continue;
                }
                String self = Owners.innermost(e.getStackTrace());
                if (cpu) {
                    samples++;
                    owners.computeIfAbsent(self, k -> new long[3])[0]++;
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : e.getStackTrace().getFrames()) {
                        if (seen.add(Owners.of(f))) {
                            owners.computeIfAbsent(Owners.of(f), k -> new long[3])[1]++;
                        }
                    }
                } else {
                    long weight = e.getLong("weight");
                    allocated += weight;
                    owners.computeIfAbsent(self, k -> new long[3])[2] += weight;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d CPU samples, %,d sampled bytes%n", file, samples, allocated);
            System.out.println("| owner | CPU self | CPU total | allocation |");
            System.out.println("|---|---|---|---|");
            long s = Math.max(1, samples);
            long a = Math.max(1, allocated);
            owners.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                    .forEach(o -> System.out.printf(Locale.ROOT, "| %s | %.1f %% | %.1f %% | %.1f %% |%n", o.getKey(),
                            100.0 * o.getValue()[0] / s, 100.0 * o.getValue()[1] / s, 100.0 * o.getValue()[2] / a));
        }
    }

    private static boolean worker(RecordedEvent e) {
        var thread = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread("eventThread");
        return thread != null && thread.getJavaName() != null && thread.getJavaName().contains("jmh-worker");
    }
}

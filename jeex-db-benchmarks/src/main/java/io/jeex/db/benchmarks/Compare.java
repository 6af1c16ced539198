package io.jeex.db.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs a benchmark with a {@code library} parameter (by default {@link PeerBenchmark}) in
 * rounds, and reports every library's throughput and its ratio to the baseline library with the
 * spread of that ratio across rounds.
 *
 * <p>A round runs every benchmark method once per library, one fork each, one after the other:
 * the forks a ratio compares ran minutes apart at most, under the same load, which pairs them far
 * better than fork <i>i</i> of one benchmark with fork <i>i</i> of another in a single JMH run
 * (JMH runs all forks of a benchmark before the next). Within a round, library / baseline is one
 * ratio; the table gives the mean of those ratios over the rounds and their minimum and maximum.
 * Throughput is the mean over all measured iterations of all rounds, with JMH's 99.9 % error.
 *
 * <pre>
 * java -cp benchmarks.jar io.jeex.db.benchmarks.Compare [options] [benchmark regex]
 *   -rounds N      rounds (default 3)
 *   -t N           threads (default 1)
 *   -wi N -w S     warm-up iterations and seconds each (default 5 x 2 s)
 *   -i N -r S      measured iterations and seconds each (default 5 x 2 s)
 *   -p a,b,c       libraries (default raw,jooq,jdbi,spring,jeex); the first is the baseline
 *   -prof NAME     a JMH profiler, e.g. gc (allocation per operation is added to the table)
 *   -o FILE        also write the table (markdown) to FILE
 * </pre>
 * The default regex is {@code PeerBenchmark}, every operation.
 */
public final class Compare {

    /** The gc profiler's allocation per operation (its label has carried a "·" prefix in older JMH versions). */
    private static final String GC_NORM = "gc.alloc.rate.norm";

    private Compare() {
    }

    /**
     * @param args see the class comment
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        Map<String, String> opts = new LinkedHashMap<>();
        String include = PeerBenchmark.class.getSimpleName() + "\\.";
        List<String> profilers = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-prof")) {
                profilers.add(args[++i]);
            } else if (a.startsWith("-")) {
                opts.put(a.substring(1), args[++i]);
            } else {
                include = a;
            }
        }
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        int threads = Integer.parseInt(opts.getOrDefault("t", "1"));
        String[] libraries = opts.getOrDefault("p", "raw,jooq,jdbi,spring,jeex").split(",");
        String baseline = libraries[0];

        // benchmark method -> library -> per-round results
        Map<String, Map<String, List<BenchmarkResult>>> results = new TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            ChainedOptionsBuilder options = new OptionsBuilder().include(include)
                    .param("library", libraries)
                    .threads(threads).forks(1)
                    .warmupIterations(Integer.parseInt(opts.getOrDefault("wi", "5")))
                    .warmupTime(TimeValue.seconds(Long.parseLong(opts.getOrDefault("w", "2"))))
                    .measurementIterations(Integer.parseInt(opts.getOrDefault("i", "5")))
                    .measurementTime(TimeValue.seconds(Long.parseLong(opts.getOrDefault("r", "2"))))
                    .shouldFailOnError(true);
            profilers.forEach(options::addProfiler);
            System.out.printf(Locale.ROOT, "%n== round %d of %d (%s, %d thread(s))%n", round, rounds, include, threads);
            Collection<RunResult> run = new Runner(options.build()).run();
            for (RunResult r : run) {
                String method = r.getParams().getBenchmark();
                method = method.substring(method.lastIndexOf('.') + 1);
                String library = r.getParams().getParam("library");
                for (BenchmarkResult fork : r.getBenchmarkResults()) {
                    results.computeIfAbsent(method, k -> new TreeMap<>())
                            .computeIfAbsent(library, k -> new ArrayList<>()).add(fork);
                }
            }
        }
        String table = table(results, libraries, baseline, threads, rounds, profilers.contains("gc"));
        System.out.println();
        System.out.println(table);
        if (opts.containsKey("o")) {
            try {
                Files.writeString(Path.of(opts.get("o")), table, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @SuppressWarnings("rawtypes") // JMH's getPrimaryResult() and getSecondaryResults() return its raw Result type
    static String table(Map<String, Map<String, List<BenchmarkResult>>> results, String[] libraries, String baseline,
                        int threads, int rounds, boolean gc) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s, %d thread(s), %d round(s); ratio = library / %s within a round: "
                + "mean [min, max] over the rounds%n%n", LocalDate.now(), threads, rounds, baseline));
        out.append("| operation | library | ops/s | ratio to ").append(baseline).append(" | spread |");
        out.append(gc ? " B/op |\n|---|---|---|---|---|---|\n" : "\n|---|---|---|---|---|\n");
        for (var op : results.entrySet()) {
            List<BenchmarkResult> base = op.getValue().get(baseline);
            for (String library : libraries) {
                List<BenchmarkResult> forks = op.getValue().get(library);
                if (forks == null) {
                    continue;
                }
                ListStatistics all = new ListStatistics();
                for (BenchmarkResult fork : forks) {
                    for (IterationResult it : fork.getIterationResults()) {
                        all.addValue(it.getPrimaryResult().getScore());
                    }
                }
                String unit = forks.get(0).getPrimaryResult().getScoreUnit();
                out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f ± %,.0f%s |", op.getKey(), library,
                        all.getMean(), all.getMeanErrorAt(0.999), unit.equals("ops/s") ? "" : " " + unit));
                if (base != null && !library.equals(baseline)) {
                    double[] ratios = new double[Math.min(base.size(), forks.size())];
                    for (int k = 0; k < ratios.length; k++) {
                        ratios[k] = forks.get(k).getPrimaryResult().getScore() / base.get(k).getPrimaryResult().getScore();
                    }
                    double mean = java.util.Arrays.stream(ratios).average().orElse(Double.NaN);
                    double min = java.util.Arrays.stream(ratios).min().orElse(Double.NaN);
                    double max = java.util.Arrays.stream(ratios).max().orElse(Double.NaN);
                    out.append(String.format(Locale.ROOT, " **%.2f** [%.2f, %.2f] | ±%.1f %% |", mean, min, max,
                            (max - min) / 2 / mean * 100));
                } else {
                    out.append(" 1 | |");
                }
                if (gc) {
                    double bytes = 0;
                    for (BenchmarkResult fork : forks) {
                        bytes += fork.getSecondaryResults().entrySet().stream()
                                .filter(r -> r.getKey().endsWith(GC_NORM)).mapToDouble(r -> r.getValue().getScore())
                                .findFirst().orElse(Double.NaN);
                    }
                    out.append(String.format(Locale.ROOT, " %,.0f |", bytes / forks.size()));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}

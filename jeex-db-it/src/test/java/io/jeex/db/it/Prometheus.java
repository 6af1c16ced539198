package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own tools from Debian's {@code prometheus} package: {@code promtool} (rule
 * checks and unit tests, metric lint) and a real {@code prometheus} server that scrapes the
 * library's exposition over HTTP - so names, labels and types are read by Prometheus's own
 * parser - and evaluates the alert rules on it. The server listens on loopback only, keeps its
 * data under {@code java.io.tmpdir} and is killed by {@link #close()}.
 */
final class Prometheus implements AutoCloseable {

    /** System property that skips these tests when the package is missing (local use only; CI never sets it). */
    static final String SKIP_PROPERTY = "jeex.it.skip-prometheus";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final HttpServer endpoint;
    private final Path dir;
    private final URI base;
    private final Thread shutdownHook;

    /** What a {@code promtool} run printed and how it ended. */
    record Run(int exitCode, String output) {
    }

    private Prometheus(Process process, HttpServer endpoint, Path dir, URI base) {
        this.process = process;
        this.endpoint = endpoint;
        this.dir = dir;
        this.base = base;
        this.shutdownHook = new Thread(process::destroyForcibly, "prometheus-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @return the binary of Debian's prometheus package; fails the test with the install command
     *     when it is missing, or aborts it when {@value #SKIP_PROPERTY}{@code =true}
     */
    static Path binary(String name) {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name);
            }
        }
        String message = name + " is not installed, but these tests run Prometheus's own tools: install them with "
                + "`apt-get install -y prometheus` (Debian/Ubuntu; .ci/run does this), or skip them locally with -D"
                + SKIP_PROPERTY + "=true";
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            Assumptions.abort(message);
        }
        return fail(message);
    }

    /** Runs {@code promtool} with {@code args} in {@code dir}, input from {@code stdin} (or none). */
    static Run promtool(Path workDir, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(binary("promtool").toString()));
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile("jeex-promtool", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running promtool", e);
        } finally {
            TempDirs.deleteQuietly(output);
        }
    }

    /**
     * Starts a Prometheus server that scrapes each of {@code expositions} (job name to exposition)
     * every second from a loopback HTTP endpoint, which answers OpenMetrics or the text format as
     * the server's Accept header asks, and evaluates {@code ruleFiles} every second. Returns once
     * every job was scraped and every rule group evaluated.
     */
    static Prometheus start(Map<String, MeteredWorkload.Scrape> expositions, List<Path> ruleFiles) {
        Path prometheus = binary("prometheus");
        Path dir = TempDirs.create("jeex-prometheus");
        HttpServer endpoint = null;
        try {
            endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            for (Map.Entry<String, MeteredWorkload.Scrape> job : expositions.entrySet()) {
                MeteredWorkload.Scrape scrape = job.getValue();
                endpoint.createContext("/" + job.getKey(), exchange -> {
                    String accept = exchange.getRequestHeaders().getFirst("Accept");
                    boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
                    byte[] body = (openMetrics ? scrape.openMetrics() : scrape.text()).getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", openMetrics ? MeteredWorkload.OPEN_METRICS
                            : "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
            }
            endpoint.start();
            String target = "127.0.0.1:" + endpoint.getAddress().getPort();
            StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
            config.append("rule_files:\n");
            for (Path rules : ruleFiles) {
                config.append("  - ").append(quoted(rules.toAbsolutePath().toString())).append('\n');
            }
            config.append("scrape_configs:\n");
            for (String job : expositions.keySet()) {
                config.append("  - job_name: ").append(job).append("\n    metrics_path: /").append(job)
                        .append("\n    static_configs:\n      - targets: [").append(quoted(target)).append("]\n");
            }
            Path configFile = dir.resolve("prometheus.yml");
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            int port = PgBouncer.freePort();
            Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + configFile,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            Prometheus server = new Prometheus(process, endpoint, dir, URI.create("http://127.0.0.1:" + port));
            try {
                server.awaitReady(expositions.keySet());
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            if (endpoint != null) {
                endpoint.stop(0);
            }
            TempDirs.deleteQuietly(dir);
            throw new UncheckedIOException(e);
        }
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private void awaitReady(Iterable<String> jobs) {
        Duration timeout = Duration.ofSeconds(60);
        Awaitility.await("the server answers").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("prometheus exited: " + log());
                    }
                    try {
                        return get("/-/ready", Map.of()).statusCode() == 200;
                    } catch (UncheckedIOException e) {
                        return false;
                    }
                });
        for (String job : jobs) {
            Awaitility.await("job " + job + " scraped").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> query("up{job=\"" + job + "\"} == 1").size() == 1);
        }
        Awaitility.await("every rule group evaluated").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (JsonNode group : api("/api/v1/rules", Map.of()).path("groups")) {
                        if (group.path("lastEvaluation").asText().startsWith("0001-")) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** @return the {@code data} of an API answer; fails on an error answer, with its message */
    JsonNode api(String path, Map<String, String> params) {
        HttpResponse<String> response = get(path, params);
        try {
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("status").asText()).as("%s %s: %s", path, params, response.body()).isEqualTo("success");
            return body.path("data");
        } catch (IOException e) {
            throw new AssertionError(path + " answered no JSON: " + response.body(), e);
        }
    }

    /** @return the result of an instant query (a vector) */
    JsonNode query(String expr) {
        JsonNode data = api("/api/v1/query", Map.of("query", expr));
        return data.path("result");
    }

    /** @return the label sets (with {@code __name__}) of every series that {@code selector} matches */
    List<Map<String, String>> series(String selector) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode series : api("/api/v1/series", Map.of("match[]", selector))) {
            Map<String, String> labels = new LinkedHashMap<>();
            series.fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            out.add(labels);
        }
        return out;
    }

    private HttpResponse<String> get(String path, Map<String, String> params) {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(query.isEmpty() ? path : path + "?" + query))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return what the server logged (warnings and errors) */
    String log() {
        Path log = dir.resolve("prometheus.log");
        return Files.exists(log) ? ItServer.read(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        endpoint.stop(0);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        TempDirs.deleteQuietly(dir);
    }
}

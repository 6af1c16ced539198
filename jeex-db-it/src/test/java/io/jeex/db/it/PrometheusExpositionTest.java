package io.jeex.db.it;

import static io.jeex.db.it.MeteredWorkload.AFTER_JOB;
import static io.jeex.db.it.MeteredWorkload.START_JOB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's meters as Prometheus sees them: {@link MeteredWorkload} runs commits, a
 * rollback, a unique violation, a retried serialization failure, slow statements, health checks
 * and an unreachable server (acquire timeouts, breaker open, DOWN) on a real PostgreSQL 18 with a
 * {@code PrometheusMeterRegistry}; a real Prometheus server scrapes that exposition, and these
 * tests read names, labels and types from it - Prometheus's own parser, not ours. The expected
 * table below is README's "Health and metrics" table in Prometheus form, and a test holds the two
 * together.
 */
class PrometheusExpositionTest {

    /** Labels the scrape adds to every series. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    private static final Set<String> TX_TAGS = Set.of("pool", "name", "outcome", "category");
    private static final Set<String> STATEMENT_TAGS = Set.of("pool", "db_system_name", "db_operation_name",
            "db_collection_name", "error_type");

    /** One exposed series name, the type of its metric family and its tag keys (Prometheus form). */
    record Series(String name, String type, Set<String> tags) {
    }

    /** README's table, row by row (the first column's text), in Prometheus form. */
    private static final Map<String, List<Series>> TABLE = new LinkedHashMap<>();

    static {
        Set<String> pool = Set.of("pool");
        TABLE.put("`hikaricp.connections.*`", concat(
                gauges(pool, "hikaricp_connections", "hikaricp_connections_active", "hikaricp_connections_idle",
                        "hikaricp_connections_pending", "hikaricp_connections_max", "hikaricp_connections_min"),
                List.of(counter("hikaricp_connections_timeout", pool)),
                timer("hikaricp_connections_acquire_seconds", pool), timer("hikaricp_connections_usage_seconds", pool),
                timer("hikaricp_connections_creation_seconds", pool)));
        TABLE.put("`jeex.db.transaction` (timer)", timer("jeex_db_transaction_seconds", TX_TAGS));
        TABLE.put("`jeex.db.transaction.retries`", List.of(counter("jeex_db_transaction_retries",
                Set.of("pool", "category"))));
        Set<String> nameKind = Set.of("name", "kind");
        TABLE.put("`resilience4j.retry.*`, `resilience4j.circuitbreaker.*`", concat(
                List.of(counter("resilience4j_retry_calls", nameKind),
                        new Series("resilience4j_circuitbreaker_state", "gauge", Set.of("name", "state")),
                        new Series("resilience4j_circuitbreaker_buffered_calls", "gauge", nameKind),
                        new Series("resilience4j_circuitbreaker_slow_calls", "gauge", nameKind),
                        counter("resilience4j_circuitbreaker_not_permitted_calls", nameKind)),
                gauges(Set.of("name"), "resilience4j_circuitbreaker_failure_rate", "resilience4j_circuitbreaker_slow_call_rate"),
                timer("resilience4j_circuitbreaker_calls_seconds", nameKind)));
        TABLE.put("`db.client.operation.duration` (timer)", timer("db_client_operation_duration_seconds",
                STATEMENT_TAGS));
        TABLE.put("`jeex.db.slow.queries`", List.of(counter("jeex_db_slow_queries", STATEMENT_TAGS)));
        TABLE.put("`jeex.db.purge.rows`", List.of(counter("jeex_db_purge_rows", Set.of("pool", "table"))));
        TABLE.put("`jeex.db.health.status`, `jeex.db.health.latency`, `jeex.db.migrations.pending`, "
                + "`jeex.db.replica.lag`", List.of(new Series("jeex_db_health_status", "gauge", Set.of("pool", "status")),
                new Series("jeex_db_health_latency_seconds", "gauge", pool),
                new Series("jeex_db_migrations_pending", "gauge", pool),
                new Series("jeex_db_replica_lag_seconds", "gauge", Set.of("pool", "replica"))));
    }

    /** Meters that exist before any work: the pools', the breakers', the health gauges. */
    private static final Set<String> FROM_THE_START = Set.of("hikaricp_connections_active",
            "hikaricp_connections_pending", "hikaricp_connections_max", "hikaricp_connections_timeout_total",
            "resilience4j_circuitbreaker_state", "resilience4j_retry_calls_total", "jeex_db_health_status",
            "jeex_db_health_latency_seconds", "jeex_db_migrations_pending", "jeex_db_replica_lag_seconds",
            "jeex_db_purge_rows_total");

    private static List<Series> timer(String base, Set<String> tags) {
        return List.of(new Series(base + "_count", "summary", tags), new Series(base + "_sum", "summary", tags),
                new Series(base + "_max", "gauge", tags));
    }

    private static Series counter(String family, Set<String> tags) {
        return new Series(family + "_total", "counter", tags);
    }

    private static List<Series> gauges(Set<String> tags, String... names) {
        return Stream.of(names).map(n -> new Series(n, "gauge", tags)).toList();
    }

    @SafeVarargs
    private static List<Series> concat(List<Series>... lists) {
        return Stream.of(lists).flatMap(List::stream).toList();
    }

    private static List<Series> expected() {
        return TABLE.values().stream().flatMap(List::stream).toList();
    }

    /** @return every series scraped by {@code job} (not the server's own: up, scrape_*, ALERTS), with {@code __name__} */
    private static List<Map<String, String>> scraped(String job) {
        return MeteredWorkload.prometheus().series("{job=\"" + job + "\", __name__!~\"up|scrape_.+|ALERTS.*\"}");
    }

    private static Map<String, List<Map<String, String>>> byName(String job) {
        return scraped(job).stream().collect(Collectors.groupingBy(s -> s.get("__name__"), LinkedHashMap::new,
                Collectors.toList()));
    }

    private static Set<String> tagKeys(Map<String, String> series) {
        Set<String> keys = new TreeSet<>(series.keySet());
        keys.remove("__name__");
        keys.removeAll(TARGET_LABELS);
        return keys;
    }

    @Test
    void everyMeterOfReadmesTableIsExposedUnderItsPrometheusNameWithExactlyItsTags() {
        Map<String, List<Map<String, String>>> after = byName(AFTER_JOB);
        List<String> problems = new ArrayList<>();
        for (Series expected : expected()) {
            List<Map<String, String>> series = after.get(expected.name());
            if (series == null) {
                problems.add(expected.name() + ": not in the scrape");
                continue;
            }
            for (Map<String, String> s : series) {
                if (!tagKeys(s).equals(new TreeSet<>(expected.tags()))) {
                    problems.add(expected.name() + ": tags " + tagKeys(s) + ", expected " + new TreeSet<>(expected.tags()));
                    break;
                }
            }
        }
        assertThat(problems).as("scraped series: %s", after.keySet()).isEmpty();
    }

    @Test
    void theScrapeHoldsNoMeterOfOursThatReadmesTableLacks() {
        Set<String> documented = expected().stream().map(Series::name).collect(Collectors.toSet());
        Set<String> ours = byName(AFTER_JOB).keySet().stream()
                .filter(n -> Stream.of("hikaricp_", "jeex_db_", "resilience4j_", "db_client_").anyMatch(n::startsWith))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(ours).isSubsetOf(documented);
    }

    @Test
    void eachSeriesBelongsToAMetricFamilyOfItsTypeAndTimesAreInSeconds() {
        JsonNode metadata = MeteredWorkload.prometheus().api("/api/v1/metadata", Map.of());
        List<String> problems = new ArrayList<>();
        for (Series s : expected()) {
            String family = s.name().replaceAll("_(total|count|sum)$", "");
            String type = metadata.path(family).path(0).path("type").asText("(no metadata)");
            if (!type.equals(s.type())) {
                problems.add(s.name() + ": family " + family + " is a " + type + ", expected " + s.type());
            }
            if (s.type().equals("summary") && !family.endsWith("_seconds")) {
                problems.add(s.name() + ": a timer not in seconds");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void readmesTableListsEveryMeterWithItsPrometheusSeriesAndTags() {
        Map<String, List<String>> rows = readmeRows();
        assertThat(rows.keySet()).as("README's meter column").containsExactlyElementsOf(TABLE.keySet());
        List<String> problems = new ArrayList<>();
        List<String> previousTags = List.of();
        for (Map.Entry<String, List<Series>> row : TABLE.entrySet()) {
            List<String> cells = rows.get(row.getKey());
            List<String> names = backticked(cells.get(1));
            List<String> tags = cells.get(2).contains("as above") || cells.get(2).startsWith("as `")
                    ? previousTags : backticked(cells.get(2));
            for (Series s : row.getValue()) {
                boolean named = names.stream().anyMatch(n -> n.endsWith("*")
                        ? s.name().startsWith(n.substring(0, n.length() - 1)) : n.equals(s.name()));
                if (!named) {
                    problems.add(row.getKey() + ": README names " + names + ", not " + s.name());
                }
                for (String tag : s.tags()) {
                    if (tags.stream().noneMatch(t -> t.replace('.', '_').equals(tag))) {
                        problems.add(row.getKey() + ": README's tags " + tags + " lack " + tag);
                    }
                }
            }
            previousTags = tags;
        }
        assertThat(problems).isEmpty();
    }

    /** README's "Health and metrics" table: first cell to the other cells. */
    private static Map<String, List<String>> readmeRows() {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : ItServer.read(DockerFiles.repository("README.md")).split("\n")) {
            if (line.startsWith("| meter | what | Prometheus series | tags |")) {
                inTable = true;
            } else if (inTable && line.startsWith("|---")) {
                continue;
            } else if (inTable && line.startsWith("|")) {
                String[] cells = line.substring(1, line.length() - 1).split("(?<!\\\\)\\|");
                List<String> trimmed = Stream.of(cells).map(String::trim).toList();
                rows.put(trimmed.get(0), trimmed.subList(1, trimmed.size()));
            } else if (inTable) {
                break;
            }
        }
        assertThat(rows).as("README.md has the meter table").isNotEmpty();
        return rows;
    }

    private static List<String> backticked(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("`([^`]+)`").matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void noTagValueIsUnbounded() {
        // The tag values README's meter table documents (the engine's own constants are not API).
        Set<String> categories = new LinkedHashSet<>(List.of("none", "work_exception", "transaction_aborted",
                "circuit_open", "outcome_unknown", "unique_violation", "foreign_key_violation", "check_violation",
                "not_null_violation", "other_constraint_violation", "serialization_failure", "deadlock",
                "lock_not_available", "statement_timeout", "pool_timeout", "connection_failure", "not_primary", "permission_denied",
                "row_security", "authentication_failed", "other_sql", "closed"));
        String pools = "(svc|outage)(-replica(-[0-9]+)?|-migration|-system)?";
        Map<String, Pattern> allowed = new HashMap<>();
        allowed.put("pool", Pattern.compile(pools));
        allowed.put("name", Pattern.compile(pools + "|[a-z][A-Za-z]*(\\.[a-z][A-Za-z]*)?|[a-z]+(_[a-z]+)*"));
        allowed.put("outcome", Pattern.compile("committed|rolled_back|failed"));
        allowed.put("category", Pattern.compile(String.join("|", categories)));
        allowed.put("db_system_name", Pattern.compile("postgresql"));
        allowed.put("db_operation_name", Pattern.compile("SELECT|INSERT|UPDATE|DELETE|OTHER"));
        allowed.put("db_collection_name", Pattern.compile("users|projects|document_versions|agent_executions|exports|other"));
        allowed.put("error_type", Pattern.compile("none|client|[0-9A-Z]{2}"));
        allowed.put("status", Pattern.compile("up|degraded|down"));
        allowed.put("state", Pattern.compile("closed|open|half_open|forced_open|disabled|metrics_only"));
        allowed.put("kind", Pattern.compile("[a-z_]+"));
        allowed.put("table", Pattern.compile("exports|agent_executions"));
        allowed.put("replica", Pattern.compile("[0-9]+")); // the index in the configured list
        List<String> problems = new ArrayList<>();
        for (Map<String, String> series : scraped(AFTER_JOB)) {
            for (String key : tagKeys(series)) {
                Pattern p = allowed.get(key);
                String value = series.get(key);
                if (p == null) {
                    problems.add(series.get("__name__") + ": tag " + key + " has no known bound");
                } else if (!p.matcher(value).matches()) {
                    problems.add(series.get("__name__") + ": " + key + "=\"" + value + "\"");
                }
            }
        }
        assertThat(problems).as("tag values beyond their bounded sets (SQL, ids, emails, values)").isEmpty();
    }

    @Test
    void thePoolsTheBreakersAndTheHealthGaugesAreThereBeforeAnyWork() {
        assertThat(byName(START_JOB).keySet()).containsAll(FROM_THE_START);
    }

    @Test
    void theWorkloadShowsInTheValuesAPrometheusReads() {
        Prometheus prometheus = MeteredWorkload.prometheus();
        String after = "job=\"" + AFTER_JOB + "\"";
        assertThat(value(prometheus, "sum(jeex_db_transaction_seconds_count{" + after + ", outcome=\"rolled_back\", "
                + "category=\"work_exception\"})")).isEqualTo(1);
        assertThat(value(prometheus, "sum(jeex_db_transaction_seconds_count{" + after + ", category=\"unique_violation\"})"))
                .isEqualTo(1);
        assertThat(value(prometheus, "sum(jeex_db_transaction_retries_total{" + after + ", pool=\"svc\", "
                + "category=\"serialization_failure\"})")).as("one retry of the write skew").isEqualTo(1);
        assertThat(value(prometheus, "sum(db_client_operation_duration_seconds_count{" + after + ", error_type=\"23\"})"))
                .isEqualTo(1);
        assertThat(value(prometheus, "resilience4j_circuitbreaker_state{" + after + ", name=\"outage\", state=\"open\"}"))
                .isEqualTo(1);
        assertThat(value(prometheus, "sum(jeex_db_transaction_seconds_count{" + after + ", pool=\"outage\", "
                + "category=\"circuit_open\"})")).isEqualTo(1);
        assertThat(value(prometheus, "hikaricp_connections_timeout_total{" + after + ", pool=\"outage\"}"))
                .as("a refused server fails calls at once, not by acquire timeouts").isZero();
        assertThat(value(prometheus, "jeex_db_health_status{" + after + ", pool=\"outage\", status=\"down\"}"))
                .isEqualTo(1);
        assertThat(value(prometheus, "jeex_db_health_status{" + after + ", pool=\"svc\", status=\"degraded\"}"))
                .isEqualTo(1);
        assertThat(value(prometheus, "jeex_db_migrations_pending{" + after + ", pool=\"svc\"}")).isZero();
    }

    private static double value(Prometheus prometheus, String expr) {
        JsonNode result = prometheus.query(expr);
        assertThat(result).as(expr).hasSize(1);
        return Double.parseDouble(result.get(0).path("value").path(1).asText());
    }

    @Test
    void promtoolFindsNothingToLintInTheExposition() {
        MeteredWorkload w = MeteredWorkload.shared();
        for (MeteredWorkload.Scrape scrape : List.of(w.atStart, w.afterWork)) {
            Prometheus.Run lint = Prometheus.promtool(DockerFiles.dir(), scrape.text(), "check", "metrics");
            assertThat(lint.output()).as("promtool check metrics").isEmpty();
            assertThat(lint.exitCode()).isZero();
        }
    }

    /**
     * A dashboard's {@code rate(retries)} has a series, at 0, before anything was retried: the
     * retry counter of every pool and retryable category is registered with the instance.
     */
    @Test
    void theRetriesOfEveryPoolAndRetryableCategoryAreThereBeforeAnyWork() {
        Set<Map<String, String>> retries = labelSets(byName(START_JOB)
                .getOrDefault("jeex_db_transaction_retries_total", List.of())).stream()
                .map(labels -> Map.of("pool", labels.get("pool"), "category", labels.get("category")))
                .collect(Collectors.toSet());
        for (String pool : List.of(MeteredWorkload.NAME, MeteredWorkload.NAME + "-replica")) {
            for (String category : List.of("serialization_failure", "deadlock", "lock_not_available",
                    "connection_failure", "pool_timeout", "not_primary")) {
                assertThat(retries).as("retries of %s for %s at the start", pool, category)
                        .contains(Map.of("pool", pool, "category", category));
            }
        }
    }

    /**
     * The slow-query counter {@code jeex.db.slow.queries}: the tags of
     * {@code db.client.operation.duration}, one series beside each statement series (0 when none
     * was slow), counting every statement at or above {@code slowQueryThreshold}.
     */
    @Test
    void slowStatementsAreCountedBesideEveryStatementSeries() {
        Map<String, List<Map<String, String>>> after = byName(AFTER_JOB);
        Set<Map<String, String>> statements = labelSets(after.get("db_client_operation_duration_seconds_count"));
        Set<Map<String, String>> slow = labelSets(after.getOrDefault("jeex_db_slow_queries_total", List.of()));
        assertThat(slow).as("jeex_db_slow_queries_total beside each statement series").containsAll(statements);
        assertThat(value(MeteredWorkload.prometheus(), "sum(jeex_db_slow_queries_total{job=\"" + AFTER_JOB + "\"})"))
                .isEqualTo(MeteredWorkload.SLOW_STATEMENTS);
    }

    /**
     * Read-only work runs on the replica
     * pool but is tagged {@code pool="svc"}, as if the primary ran it.
     */
    @Test
    void workOnTheReplicaIsTaggedWithTheReplicaPool() {
        Map<String, List<Map<String, String>>> after = byName(AFTER_JOB);
        assertThat(after.get("jeex_db_transaction_seconds_count")).as("(issue 11 item 7)")
                .anySatisfy(s -> assertThat(s).containsEntry("pool", MeteredWorkload.NAME + "-replica"));
        assertThat(after.get("db_client_operation_duration_seconds_count")).as("(issue 11 item 7)")
                .anySatisfy(s -> assertThat(s).containsEntry("pool", MeteredWorkload.NAME + "-replica"));
    }

    private static Set<Map<String, String>> labelSets(List<Map<String, String>> series) {
        assertThat(series).as("series").isNotNull();
        return series.stream().map(s -> {
            Map<String, String> labels = new HashMap<>(s);
            labels.remove("__name__");
            return labels;
        }).collect(Collectors.toSet());
    }
}

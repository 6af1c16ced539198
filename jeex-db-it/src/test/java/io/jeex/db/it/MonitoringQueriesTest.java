package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every PromQL query we ship - the alert rules, the dashboard's panels and variables, and the
 * input series of the rules' unit tests - names only metrics and labels that the library's real
 * scrape shows ({@link MeteredWorkload}, read by a real Prometheus), or that an exporter of the
 * monitoring profile documents ({@code docker/monitoring/exporter-metrics.yml}). A rule or panel
 * on a misspelt or renamed meter shows nothing and alerts never; this is where that fails.
 */
class MonitoringQueriesTest {

    /**
     * EXPECTED, NOT YET EMITTED by main: metrics our queries use that the library is to publish
     * (see PrometheusExpositionTest.slowStatementsAreCountedBesideEveryStatementSeries). Skipped by
     * the checks below and asserted present by {@link #theMetricsTheQueriesAwaitAreScrapedNow}:
     * empty this set once main emits them.
     */
    private static final Map<String, Set<String>> AWAITED = Map.of();
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    /** The panels issue 16 asks for, by title. */
    private static final Set<String> PANELS = Set.of("Connections", "Transactions by outcome",
            "Failed transactions by category", "Retries", "Circuit breaker state",
            "Statement latency by operation and table (mean)", "Health status", "Replica lag");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_]+)\\)");

    /** An expression we ship and where it is. */
    record Query(String where, String expr) {
    }

    @Test
    void everyMetricAndLabelTheRulesAndTheDashboardUseIsInTheScrapeOrAnExportersDocumentedList() {
        List<String> problems = new ArrayList<>();
        for (Query q : queries()) {
            problems.addAll(check(q));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRulesUnitTestsFeedSeriesNamedAndLabelledAsTheLibraryExposesThem() {
        Map<String, Object> file = new Yaml().load(ItServer.read(DockerFiles.alertRuleTests()));
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
            for (Map<String, Object> input : (List<Map<String, Object>>) test.get("input_series")) {
                for (PromQl.Selector s : PromQl.read((String) input.get("series")).selectors()) {
                    if (AWAITED.containsKey(s.metric())) {
                        continue;
                    }
                    Set<String> keys = labelKeysOf(s.metric());
                    if (keys.isEmpty()) {
                        problems.add(input.get("series") + ": no such metric in the scrape");
                    }
                    for (String label : s.labels()) {
                        if (!TARGET_LABELS.contains(label) && !keys.contains(label)) {
                            problems.add(input.get("series") + ": " + s.metric() + " has no label " + label);
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDashboardQueryRunsOnARealPrometheus() {
        for (Query q : queries()) {
            if (q.where().startsWith("dashboard") && !q.where().contains("variable")) {
                MeteredWorkload.prometheus().query(executable(q.expr())); // fails on an error answer
            }
        }
    }

    @Test
    void theDashboardHasThePanelsOperatorsNeedOnTheProvisionedDatasource() {
        JsonNode dashboard = dashboard();
        Set<String> titles = new TreeSet<>();
        Set<String> datasources = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            if (!panel.path("type").asText().equals("row")) {
                datasources.add(panel.path("datasource").path("uid").asText());
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
        assertThat(titles).containsAll(PANELS);
        Map<String, Object> provisioned = new Yaml().load(ItServer.read(DockerFiles.monitoring()
                .resolve("grafana/provisioning/datasources/prometheus.yml")));
        @SuppressWarnings("unchecked")
        String uid = (String) ((List<Map<String, Object>>) provisioned.get("datasources")).get(0).get("uid");
        assertThat(datasources).containsExactly(uid);
        assertThat(dashboard.path("uid").asText()).isEqualTo("jeex-db");
    }

    /**
     * EXPECTED TO FAIL until main emits the metrics in {@link #AWAITED}; then empty that set.
     */
    @Test
    void theMetricsTheQueriesAwaitAreScrapedNow() {
        for (String metric : AWAITED.keySet()) {
            assertThat(labelKeysOf(metric)).as("%s in the library's scrape", metric).isNotEmpty();
        }
    }

    /** @return the problems of one query: unknown metrics, labels no selected metric has, selectors that match nothing */
    private static List<String> check(Query q) {
        List<String> problems = new ArrayList<>();
        PromQl.Reads reads = PromQl.read(q.expr());
        Map<String, List<String>> exporters = exporterMetrics();
        Set<String> available = new TreeSet<>(TARGET_LABELS);
        available.addAll(reads.createdLabels());
        for (PromQl.Selector s : reads.selectors()) {
            if (s.metric() == null) {
                problems.add(q.where() + ": a selector without metric name: " + s.text());
            } else if (AWAITED.containsKey(s.metric())) {
                available.addAll(AWAITED.get(s.metric()));
            } else if (exporters.containsKey(s.metric())) {
                available.addAll(exporters.get(s.metric()));
                for (String label : s.labels()) {
                    if (!exporters.get(s.metric()).contains(label)) {
                        problems.add(q.where() + ": the exporter's " + s.metric() + " has no documented label " + label);
                    }
                }
            } else {
                Set<String> keys = labelKeysOf(s.metric());
                if (keys.isEmpty()) {
                    problems.add(q.where() + ": " + s.metric() + " is neither in the scrape nor an exporter's");
                    continue;
                }
                available.addAll(keys);
                for (String label : s.labels()) {
                    if (!keys.contains(label) && !TARGET_LABELS.contains(label)) {
                        problems.add(q.where() + ": " + s.metric() + " has no label " + label);
                    }
                }
                String selector = inAfterJob(executable(s.text()));
                if (MeteredWorkload.prometheus().series(selector).isEmpty()) {
                    problems.add(q.where() + ": " + s.text() + " matches no series of the scrape");
                }
            }
        }
        for (String label : reads.groupingLabels()) {
            if (!available.contains(label)) {
                problems.add(q.where() + ": groups by or matches on " + label + ", which no metric it reads has");
            }
        }
        return problems;
    }

    /** Every expression of the rules and the dashboard (panels and template variables). */
    private static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (Map<String, Object> rule : AlertRulesTest.rules()) {
            out.add(new Query("rule " + rule.get("alert"), (String) rule.get("expr")));
        }
        JsonNode dashboard = dashboard();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query("dashboard panel \"" + panel.path("title").asText() + "\"",
                        target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("query").path("query").asText());
            assertThat(m.matches()).as("variable %s is label_values(selector, label)", variable.path("name")).isTrue();
            // label_values(selector, label) reads the label from the selector's series
            out.add(new Query("dashboard variable $" + variable.path("name").asText(),
                    "count by (" + m.group(2) + ") (" + m.group(1) + ")"));
        }
        assertThat(out).hasSizeGreaterThan(20);
        return out;
    }

    private static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(DockerFiles.dashboard().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exporters' documented metrics and their labels. */
    @SuppressWarnings("unchecked")
    static Map<String, List<String>> exporterMetrics() {
        Map<String, Object> file = new Yaml().load(ItServer.read(DockerFiles.exporterMetrics()));
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Object exporter : ((Map<String, Object>) file.get("exporters")).values()) {
            out.putAll((Map<String, List<String>>) ((Map<String, Object>) exporter).get("metrics"));
        }
        return out;
    }

    /** Grafana's variables as the "All" choice and a typical range resolve them. */
    private static String executable(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
                .replace("$instance", ".+").replace("$pool", ".+");
    }

    private static String inAfterJob(String selector) {
        String job = "job=\"" + MeteredWorkload.AFTER_JOB + "\"";
        int brace = selector.indexOf('{');
        return brace < 0 ? selector + "{" + job + "}" : selector.substring(0, brace + 1) + job + ","
                + selector.substring(brace + 1);
    }

    /** @return the label keys of {@code metric}'s series in the library's scrape; empty when there is none */
    private static Set<String> labelKeysOf(String metric) {
        Set<String> keys = new TreeSet<>();
        for (Map<String, String> series : MeteredWorkload.prometheus().series(
                metric + "{job=\"" + MeteredWorkload.AFTER_JOB + "\"}")) {
            keys.addAll(series.keySet());
        }
        keys.remove("__name__");
        return keys;
    }
}

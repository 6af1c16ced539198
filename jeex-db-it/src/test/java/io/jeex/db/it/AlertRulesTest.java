package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker/monitoring/prometheus/alerts/jeex-db.rules.yml}: valid for promtool, its unit
 * tests pass, every alert carries what the person on call needs (severity, summary, a runbook
 * section in {@code docs/operations.md}) and has a case that fires and one that does not, and a
 * real Prometheus evaluates every rule on the library's real exposition without error, raising
 * exactly the alerts that exposition calls for.
 */
class AlertRulesTest {

    private static final String RUNBOOK = "https://github.com/jeex/jeex-db/blob/main/docs/operations.md#";
    /** One alert per item of issue 16's list, named as docs/operations.md's sections. */
    private static final Set<String> ALERTS = Set.of("JeexDbPoolSaturated", "JeexDbPoolAcquireTimeouts",
            "JeexDbCircuitBreakerOpen", "JeexDbHealthDown", "JeexDbNotReady", "JeexDbMigrationsPending",
            "JeexDbReplicaLag", "JeexDbSlowQueries", "JeexDbTransactionFailures");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules() {
        Map<String, Object> file = new Yaml().load(ItServer.read(DockerFiles.alertRules()));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    @Test
    void promtoolChecksTheRulesFile() {
        Prometheus.Run check = Prometheus.promtool(DockerFiles.monitoring(), null, "check", "rules",
                DockerFiles.monitoring().relativize(DockerFiles.alertRules()).toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + rules().size() + " rules found");
    }

    @Test
    void promtoolsUnitTestsOfTheRulesPass() {
        Prometheus.Run test = Prometheus.promtool(DockerFiles.monitoring(), null, "test", "rules",
                DockerFiles.monitoring().relativize(DockerFiles.alertRuleTests()).toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasASeverityASummaryAndARunbookSectionInOperationsMd() {
        Set<String> sections = alertSections();
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> rule : rules()) {
            String alert = (String) rule.get("alert");
            assertThat(alert).as("every rule is an alert: %s", rule).isNotNull();
            names.add(alert);
            Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertThat(labels).as(alert).extractingByKey("severity").isIn("critical", "warning");
            assertThat(annotations).as(alert).extractingByKey("summary").asString().isNotBlank();
            assertThat(annotations).as(alert).extractingByKey("runbook_url")
                    .isEqualTo(RUNBOOK + alert.toLowerCase(Locale.ROOT));
        }
        assertThat(names).as("the alerts issue 16 asks for").isEqualTo(new TreeSet<>(ALERTS));
        assertThat(sections).as("docs/operations.md's sections under \"## Alerts\"").isEqualTo(names);
    }

    /** The {@code ###} headings under {@code ## Alerts} of docs/operations.md (GitHub's anchor = the lower-cased name). */
    private static Set<String> alertSections() {
        Set<String> sections = new TreeSet<>();
        boolean inAlerts = false;
        for (String line : ItServer.read(DockerFiles.repository("docs/operations.md")).split("\n")) {
            if (line.startsWith("## ")) {
                inAlerts = line.equals("## Alerts");
            } else if (inAlerts && line.startsWith("### ")) {
                String name = line.substring(4).trim();
                assertThat(name).as("a section name that is its own anchor").matches("[A-Za-z]+");
                sections.add(name);
            }
        }
        return sections;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItDoesNot() {
        Map<String, Object> file = new Yaml().load(ItServer.read(DockerFiles.alertRuleTests()));
        Set<String> fires = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
            for (Map<String, Object> alertTest : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                List<?> expected = (List<?>) alertTest.get("exp_alerts");
                (expected == null || expected.isEmpty() ? silent : fires).add((String) alertTest.get("alertname"));
            }
        }
        assertThat(fires).as("alerts with a case that fires").isEqualTo(new TreeSet<>(ALERTS));
        assertThat(silent).as("alerts with a case that does not fire").isEqualTo(new TreeSet<>(ALERTS));
    }

    @Test
    void aRealPrometheusEvaluatesEveryRuleOnTheRealExpositionWithoutError() {
        JsonNode groups = MeteredWorkload.prometheus().api("/api/v1/rules", Map.of()).path("groups");
        List<String> evaluated = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as("%s: %s", rule.path("name").asText(),
                        rule.path("lastError").asText()).isEqualTo("ok");
                evaluated.add(rule.path("name").asText());
            }
        }
        assertThat(evaluated).containsExactlyInAnyOrderElementsOf(ALERTS);
    }

    /**
     * On the real scrapes, the rules pick out what is wrong and nothing else: before any work
     * (job "start") no instance has read its migration state yet, so neither is ready; after the
     * work (job "after") the instance whose server is unreachable is DOWN, not ready and has its
     * breaker open, and the working one (DEGRADED, ready) raises nothing. The rules' "for"
     * durations are longer than a test waits, so these alerts are pending, not firing.
     */
    @Test
    void onTheRealExpositionTheRulesRaiseExactlyTheAlertsItCallsFor() {
        Prometheus prometheus = MeteredWorkload.prometheus();
        Set<String> expected = Set.of("JeexDbNotReady start svc", "JeexDbNotReady start outage",
                "JeexDbNotReady after outage", "JeexDbHealthDown after outage", "JeexDbCircuitBreakerOpen after outage");
        Awaitility.await("the rules raise " + expected)
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> raised(prometheus).equals(expected));
        assertThat(raised(prometheus)).isEqualTo(new TreeSet<>(expected));
    }

    /** @return "alertname job pool-or-breaker" of every pending or firing alert */
    private static Set<String> raised(Prometheus prometheus) {
        Set<String> raised = new TreeSet<>();
        for (JsonNode alert : prometheus.query("ALERTS")) {
            JsonNode m = alert.path("metric");
            String instanceOf = m.has("pool") ? m.path("pool").asText() : m.path("name").asText();
            raised.add(m.path("alertname").asText() + " " + m.path("job").asText() + " " + instanceOf);
        }
        return raised;
    }

    /** The summaries name only labels that the alert's expression keeps. */
    @Test
    @SuppressWarnings("unchecked")
    void summariesNameOnlyLabelsTheirAlertCarries() {
        Pattern label = Pattern.compile("\\$labels\\.([a-z_]+)");
        for (Map<String, Object> rule : rules()) {
            String summary = (String) ((Map<String, Object>) rule.get("annotations")).get("summary");
            PromQl.Reads reads = PromQl.read((String) rule.get("expr"));
            Set<String> known = new TreeSet<>(Set.of("job", "instance"));
            reads.selectors().forEach(s -> known.addAll(s.labels()));
            known.addAll(reads.groupingLabels());
            known.addAll(reads.createdLabels());
            Matcher m = label.matcher(summary);
            while (m.find()) {
                String name = m.group(1);
                boolean onTheSeries = known.contains(name) || MeteredWorkload.prometheus()
                        .series(reads.selectors().get(0).text()).stream().anyMatch(s -> s.containsKey(name));
                assertThat(onTheSeries).as("%s's summary names $labels.%s", rule.get("alert"), name).isTrue();
            }
        }
    }
}

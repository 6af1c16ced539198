package io.jeex.db.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jeex.db.health.HealthReport.MigrationState;
import io.jeex.db.health.HealthReport.PoolState;
import io.jeex.db.health.HealthReport.ReplicaState;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link HealthReport#toJson()} read back by a JSON parser: every field, strings that need escaping. */
class HealthReportJsonTest {

    @Test
    void theJsonReadsBackFieldByFieldWhateverTheStringsHold() throws IOException {
        String awkward = "quote \" backslash \\ newline \n tab \t nul-ish \u0001 emoji \uD83D\uDE00 end";
        HealthReport report = new HealthReport("svc", HealthStatus.DEGRADED, List.of(awkward, "second"), true, false,
                Instant.parse("2026-12-02T03:04:05.123456Z"), Duration.ofNanos(1_234_567), "18.3",
                List.of(new PoolState("svc", 1, 2, 0, 10)),
                new MigrationState("4", 4, List.of("svc:5"), List.of(), List.of("2")),
                Map.of("svc", "CLOSED", "svc-replica", "OPEN"), List.of(new ReplicaState(0, "jdbc:postgresql://r1/svc", true, true, Duration.ofMillis(250), true),
                        new ReplicaState(1, "jdbc:postgresql://r2/svc", false, false, null, false)));

        Map<String, Object> json = read(report.toJson());

        assertThat(json).containsEntry("name", "svc").containsEntry("status", "DEGRADED")
                .containsEntry("live", true).containsEntry("ready", false)
                .containsEntry("reasons", List.of(awkward, "second"))
                .containsEntry("checkedAt", "2026-12-02T03:04:05.123456Z").containsEntry("latencyMs", "1.235")
                .containsEntry("serverVersion", "18.3")
                .containsEntry("pools", List.of(Map.of("name", "svc", "active", "1", "idle", "2", "pending", "0",
                        "max", "10")))
                .containsEntry("migrations", Map.of("currentVersion", "4", "applied", "4", "pending", List.of("svc:5"),
                        "failed", List.of(), "changed", List.of("2")))
                .containsEntry("breakers", Map.of("svc", "CLOSED", "svc-replica", "OPEN"))
                .containsEntry("replicas", List.of(Map.of("index", "0", "url", "jdbc:postgresql://r1/svc", "reachable", true,
                        "inRecovery", true, "lagMs", "250.000", "serving", true), new java.util.HashMap<String, Object>(Map.of("index", "1",
                        "url", "jdbc:postgresql://r2/svc", "reachable", false, "inRecovery", false, "serving", false)) {{
                            put("lagMs", null);
                        }}));
        assertThat(new ArrayList<>(json.keySet())).containsExactly("name", "status", "live", "ready", "reasons",
                "checkedAt", "latencyMs", "serverVersion", "pools", "migrations", "breakers", "replicas");
    }

    @Test
    void unknownPartsAreNull() throws IOException {
        HealthReport report = new HealthReport("svc", HealthStatus.DOWN, List.of("down"), false, false,
                Instant.EPOCH, null, null, List.of(), null, Map.of(), List.of());

        Map<String, Object> json = read(report.toJson());

        assertThat(json).containsEntry("latencyMs", null).containsEntry("serverVersion", null)
                .containsEntry("migrations", null).containsEntry("replicas", List.of())
                .containsEntry("pools", List.of()).containsEntry("breakers", Map.of());
    }

    /** Objects as ordered maps, arrays as lists, numbers as their text, booleans, null. */
    private static Map<String, Object> read(String text) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(text)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            @SuppressWarnings("unchecked")
            Map<String, Object> value = (Map<String, Object>) value(p);
            assertThat(p.nextToken()).as("nothing after the object").isNull();
            return value;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getText();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new AssertionError("unexpected " + p.currentToken());
        }
    }
}

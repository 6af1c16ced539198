package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.cli.InProcess.Run;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code jeex-db partitions} against a real database: it makes the partitions ahead, drains the
 * DEFAULT partition and drops a month past the retention, prints it in lines and in one JSON
 * document, and a second run finds nothing to do.
 */
class PartitionsCommandTest {

    private static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);

    private static String p(YearMonth m) {
        return "agent_executions_y%04dm%02d".formatted(m.getYear(), m.getMonthValue());
    }

    private static UUID idIn(YearMonth month) {
        long ms = month.atDay(3).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        return new UUID((ms << 16) | 0x7123L, 0x8000_0000_0000_0001L + System.nanoTime() % 100_000);
    }

    @Test
    void partitionsMaintainsAndReportsInLinesAndJson() {
        try (TestDatabase db = JeexPostgres.shared().newDatabase()) {
            UUID owner = db.dsl().fetchOne("insert into users (email, name) values ('o@example.com', 'O') returning id")
                    .get(0, UUID.class);
            UUID project = db.dsl().fetchOne("insert into projects (name, created_by) values ('P', ?) returning id",
                    owner).get(0, UUID.class);
            db.dsl().fetch("select jeex_agent_executions_add_partition(?::date)", NOW.minusMonths(7).atDay(1).toString());
            for (YearMonth m : new YearMonth[] {NOW.minusMonths(7), NOW.minusMonths(1)}) {
                db.dsl().execute("insert into agent_executions (id, project_id, agent_type, correlation_id, status, "
                        + "completed_at) values (?, ?, 'analyst', gen_random_uuid(), 'completed', now())", idIn(m), project);
            }
            Map<String, String> env = new HashMap<>();
            env.put("JEEX_DB_URL", db.jdbcUrl());
            env.put("JEEX_DB_USER", db.user());
            env.put("JEEX_DB_PASSWORD", "cli-s3cr3t");
            env.put("JEEX_DB_PARTITION_MONTHS_AHEAD", "4");

            Run lines = InProcess.run(env, "partitions");
            assertThat(lines.status()).as(lines.err()).isZero();
            assertThat(lines.out()).contains("partitions: 2 created, 1 rows moved from default, 1 dropped, 0 kept "
                    + "(live executions)\n", "  created: " + p(NOW.minusMonths(1)) + "\n",
                    "  created: " + p(NOW.plusMonths(4)) + "\n", "  dropped: " + p(NOW.minusMonths(7)) + "\n")
                    .doesNotContain("cli-s3cr3t");

            Run json = InProcess.run(env, "partitions", "--json");
            assertThat(json.status()).as(json.err()).isZero();
            JsonNode doc = json.json();
            assertThat(doc.get("command").asText()).isEqualTo("partitions");
            assertThat(doc.get("ok").asBoolean()).isTrue();
            assertThat(doc.get("created")).isEmpty();
            assertThat(doc.get("movedFromDefault").asLong()).isZero();
            assertThat(doc.get("dropped")).isEmpty();
            assertThat(doc.get("keptLive")).isEmpty();
            assertThat(db.dsl().fetchOne("select count(*) from agent_executions").get(0, Long.class)).isOne();

            env.put("JEEX_DB_PARTITION_RETENTION_MONTHS", "0");
            Run bad = InProcess.run(env, "partitions", "--json");
            assertThat(bad.status()).isEqualTo(2);
            assertThat(bad.err()).contains("JEEX_DB_PARTITION_RETENTION_MONTHS: partitionRetentionMonths must be at "
                    + "least 1, but was 0");
        }
    }
}

package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;

/**
 * Migration V5 on a database that holds executions in several months: every row moves into the
 * partition of its id's month (a row whose id is no UUIDv7 into the DEFAULT partition), none is
 * lost, every partition carries the parent's constraints, indexes, row-level security and policy
 * and no privilege but its owner's; and its rollback script makes a plain table of them again.
 */
class PartitionMigrationTest {

    private static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);
    /** Months that hold rows, some far behind, one ahead (a clock that ran fast). */
    private static final List<YearMonth> MONTHS = List.of(NOW.minusMonths(14), NOW.minusMonths(5), NOW.minusMonths(1),
            NOW, NOW.plusMonths(1));

    /** A UUIDv7 made at the given instant. */
    static UUID v7(Instant at) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | r.nextLong(0x1000);
        long lsb = 0x8000_0000_0000_0000L | r.nextLong(1L << 62);
        return new UUID(msb, lsb);
    }

    private static Instant inside(YearMonth month, int day) {
        return month.atDay(day).atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    private static String partition(YearMonth month) {
        return "agent_executions_y%04dm%02d".formatted(month.getYear(), month.getMonthValue());
    }

    private static void migrateTo(TestDatabase db, String version) {
        JeexSchema.flywayConfiguration(db.dataSource()).target(version).load().migrate();
    }

    /** Rows per month of the id, "other" for ids that are not UUIDv7, as the table holds them now. */
    private static Map<String, Long> rowsPerMonth(DSLContext dsl) {
        Map<String, Long> rows = new TreeMap<>();
        for (Record r : dsl.fetch("""
                select case when uuid_extract_version(id) = 7
                            then to_char(uuid_extract_timestamp(id) at time zone 'UTC', 'YYYY-MM') else 'other' end,
                       count(*)
                  from agent_executions group by 1""")) {
            rows.put(r.get(0, String.class), r.get(1, Long.class));
        }
        return rows;
    }

    /** Inserts rows in every month of {@link #MONTHS} (i + 1 rows in the i-th) and two that are not UUIDv7. */
    private static Map<String, Long> insertRows(DSLContext dsl) {
        UUID project = Rows.project(dsl, Rows.user(dsl));
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < MONTHS.size(); i++) {
            YearMonth month = MONTHS.get(i);
            for (int n = 0; n <= i; n++) {
                Instant at = inside(month, 1 + n);
                dsl.execute("insert into agent_executions (id, project_id, agent_type, correlation_id, status, "
                        + "started_at, completed_at, input_data) values (?, ?, 'analyst', ?, 'completed', ?::timestamptz, "
                        + "?::timestamptz, '{\"k\": 1}')", v7(at), project, UUID.randomUUID(), at.atOffset(ZoneOffset.UTC).toString(),
                        at.plusSeconds(5).atOffset(ZoneOffset.UTC).toString());
            }
            expected.put(month.toString(), (long) i + 1);
        }
        dsl.execute("insert into agent_executions (id, project_id, agent_type, correlation_id) "
                + "select gen_random_uuid(), ?, 'v4', gen_random_uuid() from generate_series(1, 2)", project);
        expected.put("other", 2L);
        return expected;
    }

    @Test
    void theMigrationMovesEveryRowIntoThePartitionOfItsMonthAndLosesNone() throws Exception {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            migrateTo(db, "4");
            // as a deployment's default privileges would (docker/postgres/initdb/10-roles.sql)
            db.dsl().execute("alter default privileges in schema public grant select, insert, update, delete on "
                    + "tables to public");
            Map<String, Long> expected = insertRows(db.dsl());
            assertThat(rowsPerMonth(db.dsl())).isEqualTo(expected);

            migrateTo(db, "5");

            assertThat(rowsPerMonth(db.dsl())).as("rows per month after V5").isEqualTo(expected);
            assertThat(db.dsl().fetchValue("select relkind::text from pg_class where oid = 'agent_executions'::regclass"))
                    .isEqualTo("p");
            Map<String, Long> perPartition = new LinkedHashMap<>();
            db.dsl().fetch("select tableoid::regclass::text, count(*) from agent_executions group by 1 order by 1")
                    .forEach(r -> perPartition.put(r.get(0, String.class), r.get(1, Long.class)));
            Map<String, Long> wanted = new TreeMap<>();
            for (int i = 0; i < MONTHS.size(); i++) {
                wanted.put(partition(MONTHS.get(i)), (long) i + 1);
            }
            wanted.put("agent_executions_default", 2L);
            assertThat(perPartition).as("each row in its month's partition").isEqualTo(wanted);

            List<String> partitions = db.dsl().fetchValues("select inhrelid::regclass::text from pg_inherits "
                    + "where inhparent = 'agent_executions'::regclass order by 1").stream().map(String::valueOf).toList();
            for (int ahead = 0; ahead <= 3; ahead++) {
                assertThat(partitions).as("the current month and three ahead").contains(partition(NOW.plusMonths(ahead)));
            }
            assertThat(partitions).contains(partition(MONTHS.get(0)), "agent_executions_default")
                    .doesNotContain(partition(NOW.minusMonths(2)));
            for (String p : partitions) {
                assertSameRulesAsTheParent(db.dsl(), p);
            }
            assertThat(db.dsl().fetchValue("select count(*) from pg_class c, aclexplode(c.relacl) a "
                    + "where c.oid = 'agent_executions'::regclass and a.grantee = 0")).as("the parent's grant").isNotEqualTo(0L);
        }
    }

    /** The partition has the parent's constraints (by name), its indexes, FORCE RLS and its policy, and no grant. */
    static void assertSameRulesAsTheParent(DSLContext dsl, String partition) {
        List<String> parentConstraints = strings(dsl,"select conname || ' ' || pg_get_constraintdef(oid) from "
                + "pg_constraint where conrelid = 'agent_executions'::regclass and contype in ('c', 'f') order by 1");
        assertThat(parentConstraints).hasSize(7);
        assertThat(strings(dsl, "select conname || ' ' || pg_get_constraintdef(oid) from pg_constraint "
                + "where conrelid = ?::regclass and contype in ('c', 'f') order by 1", partition))
                .as("%s: constraints", partition).isEqualTo(parentConstraints);
        assertThat(strings(dsl, "select pg_get_constraintdef(oid) from pg_constraint where conrelid = ?::regclass "
                + "and contype = 'p'", partition)).as("%s: primary key", partition).containsExactly("PRIMARY KEY (id, project_id)");
        assertThat(dsl.fetchValue("select count(*) from pg_inherits i join pg_class x on x.oid = i.inhrelid "
                + "join pg_index ix on ix.indexrelid = x.oid where ix.indrelid = ?::regclass and i.inhparent in "
                + "(select indexrelid from pg_index where indrelid = 'agent_executions'::regclass)", partition))
                .as("%s: the parent's four indexes", partition).isEqualTo(4L);
        assertThat(dsl.fetchValue("select relrowsecurity and relforcerowsecurity from pg_class where oid = ?::regclass",
                partition)).as("%s: forced row-level security", partition).isEqualTo(true);
        assertThat(dsl.fetchValue("select count(*) from pg_policy where polrelid = ?::regclass and polname = "
                + "'agent_executions_owner' and pg_get_expr(polqual, polrelid) like '%jeex_acting_user_id()%' and "
                + "pg_get_expr(polwithcheck, polrelid) like '%jeex_acting_user_id()%'", partition))
                .as("%s: the policy", partition).isEqualTo(1L);
        assertThat(dsl.fetchValue("select count(*) from pg_class c, aclexplode(c.relacl) a where c.oid = ?::regclass "
                + "and a.grantee <> c.relowner", partition)).as("%s: privileges of roles but the owner", partition)
                .isEqualTo(0L);
    }

    @Test
    void theRollbackMakesAPlainTableOfEveryRowAgain() throws Exception {
        try (TestDatabase db = JeexPostgres.shared().newEmptyDatabase()) {
            migrateTo(db, "4");
            Map<String, Long> expected = insertRows(db.dsl());
            migrateTo(db, "5");
            // a row that waits in the DEFAULT partition for its month's partition, and one made by V5's default
            UUID project = db.dsl().fetchOne("select id from projects").get(0, UUID.class);
            db.dsl().execute("insert into agent_executions (id, project_id, agent_type, correlation_id) values "
                    + "(?, ?, 'later', gen_random_uuid())", v7(inside(NOW.minusMonths(30), 3)), project);
            db.dsl().execute("insert into agent_executions (project_id, agent_type, correlation_id) values "
                    + "(?, 'now', gen_random_uuid())", project);
            expected.put(NOW.minusMonths(30).toString(), 1L);
            expected.merge(NOW.toString(), 1L, Long::sum);
            assertThat(db.dsl().fetchValue("select tableoid::regclass::text from agent_executions where agent_type = "
                    + "'later'")).isEqualTo("agent_executions_default");

            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute(script("db/rollback/jeex/V5__partitioned_agent_executions.sql"));
                c.commit();
            }

            assertThat(rowsPerMonth(db.dsl())).as("rows per month after the rollback").isEqualTo(expected);
            assertThat(db.dsl().fetchValue("select count(*) from pg_class where relname like 'agent_executions%' "
                    + "and relkind in ('r', 'p')")).as("one plain table, no partitions").isEqualTo(1L);
            assertThat(db.dsl().fetchValue("select relkind::text from pg_class where oid = 'agent_executions'::regclass"))
                    .isEqualTo("r");
        }
    }

    private static List<String> strings(DSLContext dsl, String sql, Object... binds) {
        return dsl.fetch(sql, binds).map(r -> r.get(0, String.class));
    }

    private static String script(String resource) throws IOException {
        try (InputStream in = PartitionMigrationTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

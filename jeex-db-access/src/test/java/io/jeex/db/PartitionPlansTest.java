package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the repositories' queries on the partitioned agent_executions touch (migration V5,
 * partitioned by the month of the UUIDv7 id), shown by EXPLAIN on the statements' shapes as
 * {@code AgentExecutionStore} runs them: by id (byId, complete, fail, the retry's checks) one
 * partition, with a literal (custom plan) and with a parameter (generic plan, pruned when it
 * starts: "Subplans Removed"); by correlation id, by status and by project every partition,
 * because their predicates do not bound the id; a correlation query that also bounds the id
 * touches only the partitions of that range. The plans are printed for docs/scaling.md.
 */
@JeexDbTest
class PartitionPlansTest {

    private static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);
    private static final Pattern PARTITION = Pattern.compile("on (agent_executions_(?:y\\d{4}m\\d{2}|default))\\b");

    private TestDatabase db;
    private List<String> partitions;
    private UUID someId;
    private UUID project;
    private UUID correlation;

    @BeforeEach
    void partitionsWithRows(TestDatabase testDb) {
        db = testDb;
        DSLContext admin = testDb.dsl();
        for (int back = 1; back <= 3; back++) {
            admin.fetch("select jeex_agent_executions_add_partition(?::date)", NOW.minusMonths(back).atDay(1).toString());
        }
        UUID owner = admin.fetchOne("insert into users (email, name) values ('o@example.com', 'O') returning id")
                .get(0, UUID.class);
        List<UUID> projects = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            projects.add(admin.fetchOne("insert into projects (name, created_by) values ('P', ?) returning id", owner)
                    .get(0, UUID.class));
        }
        project = projects.get(0);
        correlation = UUID.randomUUID();
        // 2,000 rows in each of the last four months (ids of that month), 20 projects, mostly terminal
        for (int back = 0; back <= 3; back++) {
            long start = NOW.minusMonths(back).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
            admin.execute("""
                    insert into agent_executions (id, project_id, agent_type, correlation_id, status, started_at, completed_at)
                    select (lpad(to_hex(? + n * 60000), 12, '0') || '7' || substr(md5(n::text || ?), 1, 3) || '8'
                                || substr(md5(n::text), 1, 15))::uuid,
                           (?::uuid[])[1 + n % 20], 'analyst',
                           case when n % 500 = 0 then ?::uuid else gen_random_uuid() end,
                           case when n % 10 = 0 then 'running' else 'completed' end,
                           to_timestamp((? + n * 60000) / 1000.0),
                           case when n % 10 = 0 then null else to_timestamp((? + n * 60000) / 1000.0) + interval '1 s' end
                      from generate_series(1, 2000) n""", start, String.valueOf(back),
                    projects.toArray(new UUID[0]), correlation, start, start);
        }
        admin.execute("analyze agent_executions");
        partitions = admin.fetch("select inhrelid::regclass::text from pg_inherits where inhparent = "
                + "'agent_executions'::regclass order by 1").map(r -> r.get(0, String.class));
        someId = admin.fetchOne("select id from agent_executions where tableoid = ?::regclass limit 1",
                PartitionMaintainer.partition(NOW.minusMonths(2))).get(0, UUID.class);
        assertThat(partitions).hasSizeGreaterThanOrEqualTo(8); // three back, this month, three ahead, DEFAULT
    }

    /** The plan's lines; each statement runs in a transaction that is rolled back. */
    private List<String> plan(String... statements) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (int i = 0; i < statements.length; i++) {
                if (i < statements.length - 1) {
                    s.execute(statements[i]);
                    continue;
                }
                try (ResultSet rs = s.executeQuery(statements[i])) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
            }
            c.rollback();
        }
        System.out.println("-- " + statements[statements.length - 1] + System.lineSeparator()
                + String.join(System.lineSeparator(), lines));
        return lines;
    }

    private static List<String> touched(List<String> plan) {
        List<String> names = new ArrayList<>();
        for (String line : plan) {
            Matcher m = PARTITION.matcher(line);
            while (m.find()) {
                if (!names.contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void byIdTouchesOnePartitionWithALiteralAndWithAParameter() throws SQLException {
        String month = PartitionMaintainer.partition(NOW.minusMonths(2));
        // byId
        assertThat(touched(plan("explain (costs off) select * from agent_executions where id = '" + someId + "'")))
                .containsExactly(month);
        // complete / fail: the guarded UPDATE
        assertThat(touched(plan("explain (costs off) update agent_executions set status = 'completed', "
                + "completed_at = greatest(now(), started_at) where id = '" + someId + "' and status in "
                + "('pending', 'running') returning *"))).containsExactly(month);
        // the prepared statement's generic plan: pruned when the executor starts
        List<String> generic = plan("prepare by_id(uuid) as select * from agent_executions where id = $1",
                "set local plan_cache_mode = force_generic_plan",
                "explain (analyze, costs off, timing off, summary off) execute by_id('" + someId + "')");
        assertThat(generic).anyMatch(l -> l.contains("Subplans Removed: " + (partitions.size() - 1)));
        assertThat(touched(generic)).containsExactly(month);
    }

    @Test
    void byCorrelationIdAndByStatusTouchEveryPartitionUnlessTheIdIsBounded() throws SQLException {
        List<String> byCorrelation = plan("explain (costs off) select * from agent_executions where correlation_id = '"
                + correlation + "' order by started_at, id");
        assertThat(touched(byCorrelation)).as("no bound on id: every partition").containsExactlyInAnyOrderElementsOf(partitions);
        assertThat(byCorrelation).as("each by its correlation index").filteredOn(l -> l.contains("correlation_id_idx"))
                .hasSizeGreaterThanOrEqualTo(4);

        List<String> bounded = plan("explain (costs off) select * from agent_executions where correlation_id = '"
                + correlation + "' and id >= jeex_uuidv7_lower_bound(now() - interval '20 days') order by started_at, id");
        assertThat(touched(bounded)).as("a bound on id prunes the months before it")
                .hasSizeLessThan(partitions.size()).doesNotContain(PartitionMaintainer.partition(NOW.minusMonths(2)));

        List<String> byStatus = plan("explain (costs off) select id from agent_executions where status in "
                + "('completed', 'failed', 'cancelled') and started_at < now() - interval '90 days' "
                + "order by started_at limit 100");
        assertThat(touched(byStatus)).as("the purge's scan: every partition").containsExactlyInAnyOrderElementsOf(partitions);
    }

    @Test
    void byProjectNewestFirstSortsTheProjectsRowsOfEveryPartition() throws SQLException {
        List<String> byProject = plan("explain (costs off) select * from agent_executions where project_id = '" + project
                + "' order by started_at desc, id desc limit 20");
        assertThat(touched(byProject)).as("no bound on id: every partition").containsExactlyInAnyOrderElementsOf(partitions);
        assertThat(byProject).as("one sort (or merge) of what each partition's project index gives")
                .anyMatch(l -> l.contains("Sort") || l.contains("Merge Append"));
        assertThat(byProject).anyMatch(l -> l.contains("project_id_started_at_idx"));
    }
}

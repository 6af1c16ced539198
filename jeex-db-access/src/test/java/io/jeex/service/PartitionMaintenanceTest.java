package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.PartitionConfig;
import io.jeex.db.PartitionMaintenance;
import io.jeex.db.error.MigrationException;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@link JeexDatabase#maintainPartitions()} on a real PostgreSQL 18: partitions made ahead, rows
 * of the DEFAULT partition moved into partitions made for their months, partitions past the
 * retention dropped unless they hold a live execution; idempotent; and from several instances at
 * once, the same final set of partitions and no row lost.
 */
@JeexDbTest
class PartitionMaintenanceTest {

    private static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);

    /** A UUIDv7 made in the given month. */
    private static UUID idIn(YearMonth month) {
        Instant at = month.atDay(2).atTime(10, 0).toInstant(ZoneOffset.UTC)
                .plusMillis(ThreadLocalRandom.current().nextLong(20L * 24 * 3600 * 1000));
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((at.toEpochMilli() << 16) | 0x7000L | r.nextLong(0x1000),
                0x8000_0000_0000_0000L | r.nextLong(1L << 62));
    }

    /** The partitions' names as README documents them: agent_executions_yYYYYmMM. */
    private static String p(YearMonth month) {
        return "agent_executions_y%04dm%02d".formatted(month.getYear(), month.getMonthValue());
    }

    /** As README's testkit section shows: the service under the policies, migrations as the admin. */
    private static JeexDbConfig.Builder asApplication(TestDatabase db) {
        return JeexDbConfig.builder(db.jdbcUrl()).name("test").user(db.appUser()).password(db.appPassword())
                .credentials(c -> c.withMigrationUser(db.user())
                        .withMigrationPassword(db.password().isEmpty() ? null : db.password()))
                .poolSize(1).pool(p -> p.withMaxOverflow(2));
    }

    private static void insert(DSLContext admin, UUID project, YearMonth month, String status, int rows) {
        for (int i = 0; i < rows; i++) {
            boolean terminal = !status.equals("running") && !status.equals("pending");
            admin.execute("insert into agent_executions (id, project_id, agent_type, correlation_id, status, "
                    + "completed_at) values (?, ?, 'analyst', gen_random_uuid(), ?, " + (terminal ? "now()" : "null")
                    + ")", idIn(month), project, status);
        }
    }

    private static TreeSet<String> partitions(DSLContext admin) {
        return new TreeSet<>(admin.fetch("select inhrelid::regclass::text from pg_inherits where inhparent = "
                + "'agent_executions'::regclass").map(r -> r.get(0, String.class)));
    }

    private static Map<String, Long> rowsPerPartition(DSLContext admin) {
        Map<String, Long> rows = new TreeMap<>();
        admin.fetch("select tableoid::regclass::text, count(*) from agent_executions group by 1")
                .forEach(r -> rows.put(r.get(0, String.class), r.get(1, Long.class)));
        return rows;
    }

    private static UUID project(DSLContext admin) {
        UUID owner = admin.fetchOne("insert into users (email, name) values ('o' || gen_random_uuid() || "
                + "'@example.com', 'O') returning id").get(0, UUID.class);
        return admin.fetchOne("insert into projects (name, created_by) values ('P', ?) returning id", owner)
                .get(0, UUID.class);
    }

    @Test
    void makesPartitionsAheadDrainsTheDefaultDropsPastRetentionButKeepsLiveOnes(TestDatabase testDb) {
        DSLContext admin = testDb.dsl();
        // an installation running since half a year: partitions of earlier months, made by earlier runs
        for (YearMonth m : List.of(NOW.minusMonths(6), NOW.minusMonths(5), NOW.minusMonths(1))) {
            admin.fetch("select jeex_agent_executions_add_partition(?::date)", m.atDay(1).toString());
        }
        UUID project = project(admin);
        insert(admin, project, NOW.minusMonths(6), "completed", 4);   // past retention, all terminal
        insert(admin, project, NOW.minusMonths(5), "failed", 2);      // past retention, one still running
        UUID stillRunning = idIn(NOW.minusMonths(5));
        admin.execute("insert into agent_executions (id, project_id, agent_type, correlation_id, status) "
                + "values (?, ?, 'analyst', gen_random_uuid(), 'running')", stillRunning, project);
        insert(admin, project, NOW.minusMonths(2), "completed", 3);   // no partition: waits in DEFAULT
        insert(admin, project, NOW.minusMonths(1), "completed", 2);   // kept
        insert(admin, project, NOW, "running", 2);
        admin.execute("insert into agent_executions (id, project_id, agent_type, correlation_id) values "
                + "(gen_random_uuid(), ?, 'not-v7', gen_random_uuid())", project); // stays in DEFAULT
        assertThat(rowsPerPartition(admin)).containsEntry("agent_executions_default", 4L);
        long total = admin.fetchOne("select count(*) from agent_executions").get(0, Long.class);

        try (JeexDatabase db = JeexDatabase.create(asApplication(testDb)
                .partitions(c -> c.withMonthsAhead(5)).build())) {
            PartitionMaintenance first = db.maintainPartitions();

            assertThat(first.created()).containsExactly(p(NOW.minusMonths(2)), p(NOW.plusMonths(4)), p(NOW.plusMonths(5)));
            assertThat(first.movedFromDefault()).isEqualTo(3);
            assertThat(first.dropped()).containsExactly(p(NOW.minusMonths(6)));
            assertThat(first.keptLive()).containsExactly(p(NOW.minusMonths(5)));
            Map<String, Long> rows = rowsPerPartition(admin);
            assertThat(rows).containsEntry(p(NOW.minusMonths(2)), 3L).containsEntry(p(NOW.minusMonths(5)), 3L)
                    .containsEntry(p(NOW.minusMonths(1)), 2L).containsEntry("agent_executions_default", 1L)
                    .doesNotContainKey(p(NOW.minusMonths(6)));
            assertThat(admin.fetchOne("select count(*) from agent_executions").get(0, Long.class))
                    .as("only the dropped month's rows are gone").isEqualTo(total - 4);
            for (String made : first.created()) {
                noGrantsAndForcedPolicy(admin, made);
            }

            PartitionMaintenance again = db.maintainPartitions();
            assertThat(again).as("a second run: nothing left to do but the live month")
                    .isEqualTo(new PartitionMaintenance(List.of(), 0, List.of(), List.of(p(NOW.minusMonths(5)))));

            // the live execution ends (found by id in its old partition); the next run drops its month
            db.system().agentExecutions().complete(stillRunning, Json.EMPTY);
            PartitionMaintenance third = db.maintainPartitions();
            assertThat(third.dropped()).containsExactly(p(NOW.minusMonths(5)));
            assertThat(third.keptLive()).isEmpty();
            assertThat(partitions(admin)).as("the oldest month left is the one drained from DEFAULT")
                    .doesNotContain(p(NOW.minusMonths(6)), p(NOW.minusMonths(5)), p(NOW.minusMonths(3)))
                    .contains(p(NOW.minusMonths(2)), p(NOW.minusMonths(1)), "agent_executions_default");
        }
    }

    @Test
    void severalInstancesAtOnceEndWithTheSamePartitionsAndLoseNoRow(TestDatabase testDb) throws Exception {
        DSLContext admin = testDb.dsl();
        UUID project = project(admin);
        List<YearMonth> waiting = List.of(NOW.minusMonths(2), NOW.minusMonths(1), NOW.plusMonths(8));
        for (YearMonth m : waiting) {
            insert(admin, project, m, "completed", 5);
        }
        insert(admin, project, NOW, "running", 5);
        long total = admin.fetchOne("select count(*) from agent_executions").get(0, Long.class);
        TreeSet<String> expected = partitions(admin);
        waiting.forEach(m -> expected.add(p(m)));
        for (int ahead = 0; ahead <= 6; ahead++) {
            expected.add(p(NOW.plusMonths(ahead)));
        }

        int instances = 4;
        List<JeexDatabase> dbs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            for (int i = 0; i < instances; i++) {
                dbs.add(JeexDatabase.create(asApplication(testDb).name("instance-" + i)
                        .partitions(c -> c.withMonthsAhead(6)).build()));
            }
            CyclicBarrier start = new CyclicBarrier(instances);
            List<Future<PartitionMaintenance>> runs = new ArrayList<>();
            for (JeexDatabase db : dbs) {
                runs.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return db.maintainPartitions();
                }));
            }
            List<String> created = new ArrayList<>();
            long moved = 0;
            for (Future<PartitionMaintenance> run : runs) {
                PartitionMaintenance done = run.get(60, TimeUnit.SECONDS);
                created.addAll(done.created());
                moved += done.movedFromDefault();
                assertThat(done.dropped()).isEmpty();
            }
            assertThat(created).as("each partition made once, by one instance").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrder(p(NOW.minusMonths(2)), p(NOW.minusMonths(1)), p(NOW.plusMonths(8)),
                            p(NOW.plusMonths(4)), p(NOW.plusMonths(5)), p(NOW.plusMonths(6)));
            assertThat(moved).isEqualTo(15);
            assertThat(partitions(admin)).isEqualTo(expected);
            assertThat(admin.fetchOne("select count(*) from agent_executions").get(0, Long.class)).isEqualTo(total);
            assertThat(rowsPerPartition(admin)).doesNotContainKey("agent_executions_default");
        } finally {
            pool.shutdownNow();
            dbs.forEach(JeexDatabase::close);
        }
    }

    @Test
    void theApplicationRoleUsesTheTableButNoPartitionDirectly(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(asApplication(testDb)
                .partitions(c -> c.withMonthsAhead(4)).build())) {
            assertThat(db.maintainPartitions().created()).containsExactly(p(NOW.plusMonths(4)));
            Repositories ada = db.actingAsNewUser();
            User user = ada.users().create("ada@example.com", "Ada");
            Repositories as = db.actingAs(user.id());
            Project project = as.projects().create(user.id(), "Log", "en");
            UUID started = as.agentExecutions().start(project.id(), "analyst", UUID.randomUUID(), Json.EMPTY).id();
            assertThat(as.agentExecutions().complete(started, Json.EMPTY).status()).isEqualTo(ExecutionStatus.COMPLETED);

            for (String partition : List.of(p(NOW), p(NOW.plusMonths(4)), "agent_executions_default")) {
                assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetch("select * from " + partition)))
                        .as(partition).isInstanceOf(PermissionDeniedException.class);
            }
        }
    }

    /** Forced row-level security with the parent's policy, and no privilege of any role but the owner. */
    private static void noGrantsAndForcedPolicy(DSLContext admin, String partition) {
        assertThat(admin.fetchValue("select relrowsecurity and relforcerowsecurity from pg_class where oid = "
                + "?::regclass", partition)).as(partition).isEqualTo(true);
        assertThat(admin.fetchValue("select count(*) from pg_policy where polrelid = ?::regclass and polname = "
                + "'agent_executions_owner'", partition)).as(partition).isEqualTo(1L);
        assertThat(admin.fetchValue("select count(*) from pg_class c, aclexplode(c.relacl) a where c.oid = ?::regclass "
                + "and a.grantee <> c.relowner", partition)).as(partition).isEqualTo(0L);
    }

    @Test
    void onADatabaseNotMigratedYetMaintenanceSaysMigrateFirst() {
        try (TestDatabase empty = io.jeex.db.testkit.JeexPostgres.shared().newEmptyDatabase();
             JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(empty.jdbcUrl(), empty.user(),
                     empty.password()).build())) {
            assertThatThrownBy(db::maintainPartitions).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("agent_executions is not partitioned in this database")
                    .hasMessageContaining("migrate first").hasMessageNotContaining("SQLSTATE 42P01");
        }
    }

    @Test
    void theSettingsAreCheckedAndReadFromTheEnvironment() {
        assertThat(PartitionConfig.DEFAULTS).isEqualTo(new PartitionConfig(3, 3));
        assertThat(PartitionConfig.DEFAULT_RETENTION_MONTHS).as("90 days in whole months").isEqualTo(3);
        assertThatThrownBy(() -> PartitionConfig.DEFAULTS.withRetentionMonths(0))
                .hasMessage("partitionRetentionMonths must be at least 1, but was 0");
        assertThatThrownBy(() -> PartitionConfig.DEFAULTS.withMonthsAhead(25))
                .hasMessage("partitionMonthsAhead must be at most 24, but was 25");
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db:5432/jeex",
                "JEEX_DB_PARTITION_MONTHS_AHEAD", "2", "JEEX_DB_PARTITION_RETENTION_MONTHS", "12"));
        assertThat(config.partitions()).isEqualTo(new PartitionConfig(2, 12));
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db:5432/jeex",
                "JEEX_DB_PARTITION_RETENTION_MONTHS", "-1")))
                .hasMessage("JEEX_DB_PARTITION_RETENTION_MONTHS: partitionRetentionMonths must be at least 1, but was -1");
    }
}

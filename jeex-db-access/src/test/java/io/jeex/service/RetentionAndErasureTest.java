package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.repository.AgentExecutionRepository;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention and the right to erasure, as documented in the repositories' javadoc and the README:
 * the purges run in system mode, in bounded batches that each commit, and pick up where an earlier
 * purge stopped; erasing a user removes exactly what the foreign keys' ON DELETE rules promise.
 */
@JeexDbTest
class RetentionAndErasureTest {

    private static final List<String> TABLES = List.of("users", "projects", "document_versions", "agent_executions",
            "exports");

    private TestDatabase testDb;
    private SimpleMeterRegistry registry;
    private JeexDatabase db;

    @BeforeEach
    void open(TestDatabase testDb) {
        this.testDb = testDb;
        registry = new SimpleMeterRegistry();
        db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), registry);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void finishedExecutionsPastTheirRetentionArePurgedInBoundedBatchesLiveOnesNever() {
        Repositories asAda = db.actingAsNewUser();
        User ada = asAda.users().create("ada@example.com", "Ada");
        Project p = asAda.projects().create(ada.id(), "Engine", "en");
        Instant old = Instant.now().minus(AgentExecutionRepository.DEFAULT_RETENTION).minus(Duration.ofDays(1));
        Instant recent = Instant.now().minus(Duration.ofDays(1));
        List<NewAgentExecution> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(NewAgentExecution.completed(p.id(), "writer", UUID.randomUUID(), null, null, old, old.plusSeconds(5)));
        }
        batch.add(new NewAgentExecution(p.id(), "writer", UUID.randomUUID(), null, null, ExecutionStatus.FAILED,
                "timeout", old, old.plusSeconds(1)));
        batch.add(new NewAgentExecution(p.id(), "writer", UUID.randomUUID(), null, null, ExecutionStatus.RUNNING,
                null, old, null)); // still running after months: never purged
        batch.add(NewAgentExecution.completed(p.id(), "writer", UUID.randomUUID(), null, null, recent, recent));
        asAda.agentExecutions().insertBatch(batch);

        assertThat(db.system().agentExecutions().purgeFinished(3)).isEqualTo(8);

        assertThat(testDb.dsl().fetch("select status from agent_executions order by started_at")
                .getValues(0, String.class)).containsExactly("running", "completed");
        assertThat(purged("agent_executions")).isEqualTo(8.0);
        // batches of at most 3 rows, each a system-mode transaction of its own: 3 + 3 + 2
        assertThat(systemTransactions("agentExecutions.purgeFinished")).isEqualTo(3);
        assertThat(db.system().agentExecutions().purgeFinished(3)).isZero();
    }

    @Test
    void aPurgeSkipsRowsLockedByOthersAndTheNextOneTakesThemWithoutLosingAny() throws Exception {
        Repositories asAda = db.actingAsNewUser();
        User ada = asAda.users().create("ada@example.com", "Ada");
        Project p = asAda.projects().create(ada.id(), "Engine", "en");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Export e = asAda.exports().create(p.id(), Json.EMPTY);
            asAda.exports().markCompleted(e.id(), "exports/" + i + ".zip", Json.EMPTY);
            files.add("exports/" + i + ".zip");
        }
        testDb.dsl().execute("update exports set expires_at = created_at + interval '1 microsecond'");
        List<String> removed = new ArrayList<>();
        try (Connection other = testDb.dataSource().getConnection(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("select * from exports where file_path = 'exports/2.zip' for update"); // someone holds one row
            assertThat(db.system().exports().purgeExpired(2, removed::addAll)).isEqualTo(4);
            other.rollback();
        }
        assertThat(removed).hasSize(4).doesNotContain("exports/2.zip");
        assertThat(db.system().exports().purgeExpired(2, removed::addAll)).isOne();
        assertThat(removed).containsExactlyInAnyOrderElementsOf(files);
        assertThat(purged("exports")).isEqualTo(5.0);
        assertThat(count("exports")).isZero();
    }

    @Test
    void aPurgeOrAPartitionMaintenanceInsideATransactionIsRefusedAndChangesNothing() {
        Repositories asAda = db.actingAsNewUser();
        User ada = asAda.users().create("ada@example.com", "Ada");
        Project p = asAda.projects().create(ada.id(), "Engine", "en");
        Export e = asAda.exports().create(p.id(), Json.EMPTY);
        asAda.exports().markCompleted(e.id(), "exports/e.zip", Json.EMPTY);
        testDb.dsl().execute("update exports set expires_at = created_at + interval '1 microsecond'");
        Instant old = Instant.now().minus(AgentExecutionRepository.DEFAULT_RETENTION).minus(Duration.ofDays(1));
        asAda.agentExecutions().insertBatch(List.of(
                NewAgentExecution.completed(p.id(), "writer", UUID.randomUUID(), null, null, old, old.plusSeconds(5))));
        List<String> handed = new ArrayList<>();
        RuntimeException schedulerAborts = new IllegalStateException("the scheduler aborts");
        // a system-mode transaction of the service that fails after the call: had the purge joined
        // it, the consumer would have deleted files whose rows come back, and the meters and log
        // would report batches that never committed
        for (TxOptions outer : List.of(TxOptions.named("outer").asSystem(), TxOptions.named("outer"))) {
            Throwable exports = catchThrowable(() -> db.transaction(outer, tx -> {
                db.system().exports().purgeExpired(10, handed::addAll);
                throw schedulerAborts;
            }));
            assertThat(exports).as("exports.purgeExpired inside %s", outer).isInstanceOf(WrongScopeException.class)
                    .hasMessageContaining("outside any transaction");
            Throwable listed = catchThrowable(() -> db.transaction(outer, tx -> db.system().exports().purgeExpired(10)));
            assertThat(listed).isInstanceOf(WrongScopeException.class);
            Throwable executions = catchThrowable(() -> db.transaction(outer, tx -> {
                db.system().agentExecutions().purgeFinished(10);
                throw schedulerAborts;
            }));
            assertThat(executions).as("agentExecutions.purgeFinished inside %s", outer)
                    .isInstanceOf(WrongScopeException.class).hasMessageContaining("outside any transaction");
            Throwable partitions = catchThrowable(() -> db.transaction(outer, tx -> {
                db.maintainPartitions();
                throw schedulerAborts;
            }));
            assertThat(partitions).as("maintainPartitions inside %s", outer).isInstanceOf(WrongScopeException.class)
                    .hasMessageContaining("outside any transaction");
        }
        assertThat(handed).isEmpty();
        assertThat(count("exports")).isOne();
        assertThat(count("agent_executions")).isOne();
        assertThat(purged("exports")).isZero();
        assertThat(purged("agent_executions")).isZero();

        // outside any transaction both purges work as before
        assertThat(db.system().exports().purgeExpired(10)).containsExactly("exports/e.zip");
        assertThat(db.system().agentExecutions().purgeFinished(10)).isOne();
        assertThat(purged("exports")).isEqualTo(1.0);
        assertThat(purged("agent_executions")).isEqualTo(1.0);
    }

    @Test
    void aBatchSizeOutOfRangeIsRefusedNamingTheParameter() {
        for (int bad : new int[] {0, -1, 1001}) {
            assertThatThrownBy(() -> db.system().agentExecutions().purgeFinished(bad))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("batchSize").hasMessageContaining("between 1 and 1000");
            assertThatThrownBy(() -> db.system().exports().purgeExpired(bad, paths -> { }))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("batchSize").hasMessageContaining("between 1 and 1000");
        }
    }

    @Test
    void erasingAUserRemovesWhatTheOnDeleteRulesPromiseAndNothingElse() {
        Repositories asAda = db.actingAsNewUser();
        User ada = asAda.users().create("ada@example.com", "Ada");
        Repositories asBob = db.actingAsNewUser();
        User bob = asBob.users().create("bob@example.com", "Bob");
        for (int n = 0; n < 2; n++) {
            Project p = asAda.projects().create(ada.id(), "Ada's " + n, "en");
            asAda.documents().append(p.id(), "about", "v1", Json.EMPTY, ada.id());
            asAda.documents().append(p.id(), "about", "v2", Json.EMPTY, null);
            asAda.agentExecutions().start(p.id(), "writer", UUID.randomUUID(), null);
            asAda.exports().create(p.id(), Json.EMPTY);
        }
        Project bobs = asBob.projects().create(bob.id(), "Bob's", "en");
        asBob.documents().append(bobs.id(), "about", "Bob's text", Json.EMPTY, bob.id());
        // Ada as a collaborator on Bob's document: written by an operator, in system mode
        DocumentVersion byAda = db.system().documents().append(bobs.id(), "about", "Ada's note", Json.EMPTY, ada.id());
        asBob.agentExecutions().start(bobs.id(), "writer", UUID.randomUUID(), null);
        asBob.exports().create(bobs.id(), Json.EMPTY);
        Map<String, Long> before = counts();
        assertThat(before).containsExactlyEntriesOf(ordered(Map.of("users", 2L, "projects", 3L, "document_versions", 6L,
                "agent_executions", 3L, "exports", 3L)));

        assertThat(asAda.users().delete(ada.id())).as("a user erases themselves").isTrue();

        // users: Ada's row; projects: ON DELETE CASCADE from users; versions, executions, exports of
        // her projects: ON DELETE CASCADE from projects; her version in Bob's project: SET NULL
        assertThat(counts()).containsExactlyEntriesOf(ordered(Map.of("users", 1L, "projects", 1L,
                "document_versions", 2L, "agent_executions", 1L, "exports", 1L)));
        assertThat(testDb.dsl().fetchValue("select count(*) from document_versions where created_by is null and id = ?",
                byAda.id())).as("Bob's history keeps Ada's note, without its author").isEqualTo(1L);
        assertThat(testDb.dsl().fetchValue("select count(*) from projects where created_by = ?", bob.id())).isEqualTo(1L);
        assertThat(testDb.dsl().fetchValue("select count(*) from users where email = 'ada@example.com'")).isEqualTo(0L);

        // an operator's erasure of Bob, in system mode, empties the rest
        assertThat(db.system().users().delete(bob.id())).isTrue();
        assertThat(counts().values()).containsOnly(0L);
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, count(table));
        }
        return counts;
    }

    private static Map<String, Long> ordered(Map<String, Long> counts) {
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (String table : TABLES) {
            ordered.put(table, counts.get(table));
        }
        return ordered;
    }

    private long count(String table) {
        return ((Number) testDb.dsl().fetchValue("select count(*) from " + table)).longValue();
    }

    private double purged(String table) {
        Counter c = registry.find("jeex.db.purge.rows").tag("pool", "service").tag("table", table).counter();
        return c == null ? -1 : c.count();
    }

    private long systemTransactions(String name) {
        return registry.find("jeex.db.transaction").tag("pool", "service-system").tag("name", name).timers().stream()
                .mapToLong(Timer::count).sum();
    }
}

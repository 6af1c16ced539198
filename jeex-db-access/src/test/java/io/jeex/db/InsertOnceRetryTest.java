package io.jeex.db;

import static io.jeex.db.codegen.Tables.AGENT_EXECUTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.codegen.tables.records.AgentExecutionsRecord;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * The retry path of the inserts with a client-made id, on the partitioned agent_executions whose
 * primary key is (id, project_id): a later attempt names that key exactly in ON CONFLICT (a
 * target that matches no unique index fails with 42P10), inserts the row when the earlier attempt
 * did not, and returns the earlier attempt's row when it did, so a retried start stores it once.
 */
@JeexDbTest
class InsertOnceRetryTest {

    @Test
    void aStartWhoseConnectionIsLostWhileItsInsertRunsIsRetriedAndStoredOnce(TestDatabase testDb) throws Exception {
        String app = "insert-once-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb)
                .pool(p -> p.withApplicationName(app).withMaxOverflow(0)).build())) {
            Repositories ada = db.actingAsNewUser();
            User user = ada.users().create("ada@example.com", "Ada");
            Repositories as = db.actingAs(user.id());
            Project project = as.projects().create(user.id(), "Log", "en");
            UUID correlation = UUID.randomUUID();

            // the INSERT's foreign-key check waits for the project row, locked FOR UPDATE elsewhere;
            // its backend is terminated while it waits: the first attempt's outcome is unknown to the client
            AgentExecution started;
            try (Connection locker = testDb.dataSource().getConnection();
                 Connection admin = testDb.dataSource().getConnection()) {
                locker.setAutoCommit(false);
                try (PreparedStatement s = locker.prepareStatement("select 1 from projects where id = ? for update")) {
                    s.setObject(1, project.id());
                    s.executeQuery().close();
                }
                CompletableFuture<AgentExecution> call = CompletableFuture.supplyAsync(
                        () -> as.agentExecutions().start(project.id(), "analyst", correlation, Json.EMPTY));
                Awaitility.await("the start's INSERT waiting for the project's row lock").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(10)).until(() -> insertWaitingOnLock(admin, app) != 0);
                try (PreparedStatement s = admin.prepareStatement("select pg_terminate_backend(?)")) {
                    s.setInt(1, insertWaitingOnLock(admin, app));
                    s.execute();
                }
                locker.commit();
                started = call.get(30, TimeUnit.SECONDS);
            }

            assertThat(started.status()).isEqualTo(ExecutionStatus.RUNNING);
            assertThat(as.agentExecutions().byCorrelationId(correlation)).as("stored once").containsExactly(started);
            assertThat(testDb.dsl().fetchValue("select count(*) from agent_executions where correlation_id = ?",
                    correlation)).isEqualTo(1L);
        }
    }

    @Test
    void aLaterAttemptAfterOneThatCommittedReturnsTheStoredRowAndInsertsNothing(TestDatabase testDb) {
        DSLContext dsl = testDb.dsl();
        UUID owner = dsl.fetchOne("insert into users (email, name) values ('bo@example.com', 'Bo') returning id")
                .get(0, UUID.class);
        UUID project = dsl.fetchOne("insert into projects (name, created_by) values ('P', ?) returning id", owner)
                .get(0, UUID.class);
        UUID id = Ids.next();
        UUID correlation = UUID.randomUUID();
        List<Inserts.KeyValue<AgentExecutionsRecord, ?>> key = List.of(Inserts.key(AGENT_EXECUTIONS.ID, id),
                Inserts.key(AGENT_EXECUTIONS.PROJECT_ID, project));

        AgentExecutionsRecord first = Inserts.once(dsl, insert(dsl, id, project, correlation, "first"),
                AGENT_EXECUTIONS, false, key);
        // the earlier attempt committed; the client lost the connection before it heard so, and tries again
        AgentExecutionsRecord again = Inserts.once(dsl, insert(dsl, id, project, correlation, "again"),
                AGENT_EXECUTIONS, true, key);

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getAgentType()).as("the earlier attempt's row").isEqualTo("first");
        assertThat(dsl.fetchValue("select count(*) from agent_executions where id = ?", id)).isEqualTo(1L);

        // a batch's later attempt (insertBatch after a lost connection) skips the rows stored already
        try (Connection c = testDb.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(AgentExecutionStore.BATCH_INSERT_AGAIN)) {
            String[][] columns = {{id.toString()}, {project.toString()}, {"batch"}, {correlation.toString()}, {null},
                {null}, {"running"}, {null}, {Instant.now().toString()}, {null}};
            for (int i = 0; i < columns.length; i++) {
                ps.setArray(i + 1, c.createArrayOf("text", columns[i]));
            }
            assertThat(ps.executeUpdate()).as("rows the batch's later attempt inserted").isZero();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(dsl.fetchValue("select agent_type from agent_executions where id = ?", id)).isEqualTo("first");
        assertThatThrownBy(() -> Inserts.once(dsl, insert(dsl, id, project, correlation, "x"), AGENT_EXECUTIONS, true,
                List.of(Inserts.key(AGENT_EXECUTIONS.ID, id)))).as("a key that is not the primary key")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("primary key");
    }

    private static org.jooq.InsertSetMoreStep<AgentExecutionsRecord> insert(DSLContext dsl, UUID id, UUID project,
                                                                          UUID correlation, String type) {
        return dsl.insertInto(AGENT_EXECUTIONS).set(AGENT_EXECUTIONS.ID, id).set(AGENT_EXECUTIONS.PROJECT_ID, project)
                .set(AGENT_EXECUTIONS.AGENT_TYPE, type).set(AGENT_EXECUTIONS.CORRELATION_ID, correlation)
                .set(AGENT_EXECUTIONS.STATUS, "running");
    }

    private static int insertWaitingOnLock(Connection admin, String app) throws SQLException {
        try (PreparedStatement s = admin.prepareStatement("select pid from pg_stat_activity where application_name = ? "
                + "and state = 'active' and wait_event_type = 'Lock' and lower(btrim(query)) like 'insert%'")) {
            s.setString(1, app);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }
}

package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The first attempt of a guarded status change is its UPDATE alone, auto-committed. When the
 * connection is lost while that statement runs, its outcome is unknown to the client, and the
 * library's next attempt resolves it: the caller gets the changed row, once, and no error. The
 * statement is held on a row lock taken by another connection, its backend terminated while it
 * waits, then the lock released.
 */
@JeexDbTest
class GuardedChangeRetryTest {

    @Test
    void aCompleteWhoseConnectionIsLostWhileItsUpdateRunsIsRetriedAndDoneOnce(TestDatabase testDb) throws Exception {
        String app = "guarded-" + UUID.randomUUID().toString().substring(0, 8);
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb)
                .pool(p -> p.withApplicationName(app).withMaxOverflow(0)).build())) {
            Repositories ada = db.actingAsNewUser();
            User user = ada.users().create("ada@example.com", "Ada");
            Repositories as = db.actingAs(user.id());
            Project project = as.projects().create(user.id(), "Log", "en");
            AgentExecution running = as.agentExecutions().start(project.id(), "analyst", UUID.randomUUID(), Json.EMPTY);

            AgentExecution completed = whileLockedAndKilled(testDb, app, "agent_executions", running.id(),
                    () -> as.agentExecutions().complete(running.id(), Json.of("{\"n\": 1}")));
            assertThat(completed.status()).isEqualTo(ExecutionStatus.COMPLETED);
            assertThat(completed.output().map(Json::text)).contains("{\"n\": 1}");
            assertThat(as.agentExecutions().byId(running.id()).orElseThrow().status()).isEqualTo(ExecutionStatus.COMPLETED);

            Project changed = whileLockedAndKilled(testDb, app, "projects", project.id(),
                    () -> as.projects().changeStatus(project.id(), ProjectStatus.IN_PROGRESS));
            assertThat(changed.status()).isEqualTo(ProjectStatus.IN_PROGRESS);
        }
    }

    /**
     * Locks the row from an admin connection, starts {@code call}, terminates the pool's backend
     * once it waits for that lock, releases the lock, and returns what the call returned.
     */
    private static <T> T whileLockedAndKilled(TestDatabase testDb, String app, String table, UUID id, Supplier<T> call)
            throws Exception {
        try (Connection locker = testDb.dataSource().getConnection(); Connection admin = testDb.dataSource().getConnection()) {
            locker.setAutoCommit(false);
            try (PreparedStatement s = locker.prepareStatement("select 1 from " + table + " where id = ? for update")) {
                s.setObject(1, id);
                s.executeQuery().close();
            }
            CompletableFuture<T> result = CompletableFuture.supplyAsync(call);
            Awaitility.await("the call's UPDATE waiting for the row lock").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> pidWaitingOnLock(admin, app) != 0);
            try (PreparedStatement s = admin.prepareStatement("select pg_terminate_backend(?)")) {
                s.setInt(1, pidWaitingOnLock(admin, app));
                s.execute();
            }
            locker.commit();
            return result.get(30, TimeUnit.SECONDS);
        }
    }

    private static int pidWaitingOnLock(Connection admin, String app) throws SQLException {
        try (PreparedStatement s = admin.prepareStatement("select pid from pg_stat_activity where application_name = ? "
                + "and state = 'active' and wait_event_type = 'Lock' and lower(btrim(query)) like 'update%'")) {
            s.setString(1, app);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }
}

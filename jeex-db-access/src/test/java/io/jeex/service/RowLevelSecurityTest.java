package io.jeex.service;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.error.RowSecurityException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security as a service meets it, written from the README and the javadoc: the service
 * connects as the testkit's application role (no superuser, no BYPASSRLS), migrations and system
 * mode as the admin user. Ada and Bob each have a project with a document version, an agent
 * execution and an export; every check is made from Bob's side against Ada's rows.
 */
@JeexDbTest
class RowLevelSecurityTest {

    private TestDatabase testDb;
    private SimpleMeterRegistry registry;
    private JeexDatabase db;
    private User ada;
    private Project adas;
    private AgentExecution adasRun;
    private Export adasExport;
    private Repositories asBob;
    private User bob;

    @BeforeEach
    void twoUsersWithAProjectEach(TestDatabase testDb) {
        this.testDb = testDb;
        registry = new SimpleMeterRegistry();
        db = JeexDatabase.create(ServiceConfigs.defaults(testDb).poolSize(1)
                .pool(p -> p.withMaxOverflow(1)).build(), registry);
        Repositories asAda = db.actingAsNewUser();
        ada = asAda.users().create("ada@example.com", "Ada");
        adas = asAda.projects().create(ada.id(), "Engine", "en");
        asAda.documents().append(adas.id(), "about", "Ada's text", Json.EMPTY, ada.id());
        adasRun = asAda.agentExecutions().start(adas.id(), "writer", UUID.randomUUID(), Json.of("{\"in\": 1}"));
        adasExport = asAda.exports().create(adas.id(), Json.EMPTY);
        asBob = db.actingAsNewUser();
        bob = asBob.users().create("bob@example.com", "Bob");
        asBob.projects().create(bob.id(), "Bob's", "en");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anotherUsersRowsAreNeverReturned() {
        assertThat(asBob.users().byId(ada.id())).isEmpty();
        assertThat(asBob.projects().byId(adas.id())).isEmpty();
        assertThat(asBob.projects().listByOwner(ada.id(), Optional.empty(), 10, Optional.empty()).items()).isEmpty();
        assertThat(asBob.documents().latest(adas.id(), "about")).isEmpty();
        assertThat(asBob.documents().history(adas.id(), "about", 10, Optional.empty()).items()).isEmpty();
        assertThat(asBob.agentExecutions().byId(adasRun.id())).isEmpty();
        assertThat(asBob.agentExecutions().byCorrelationId(adasRun.correlationId())).isEmpty();
        assertThat(asBob.agentExecutions().byProject(adas.id(), 10)).isEmpty();
        assertThat(asBob.exports().byId(adasExport.id())).isEmpty();
        // Bob's own SQL, acting as Bob, sees Bob's rows only, whatever its WHERE says
        List<UUID> owners = db.readOnly(TxOptions.named("all_projects").withActingUser(bob.id()),
                tx -> tx.dsl().select(PROJECTS.CREATED_BY).from(PROJECTS).fetch(PROJECTS.CREATED_BY));
        assertThat(owners).containsExactly(bob.id());
        // control: the rows are there
        assertThat(testDb.dsl().fetchCount(PROJECTS)).isEqualTo(2);
    }

    @Test
    void anotherUsersRowsAreNeverChangedAndWritingThemIsItsOwnTypedError() {
        assertThatThrownBy(() -> asBob.users().updateName(ada.id(), "Mallory")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> asBob.projects().rename(adas.id(), "Mine now")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> asBob.projects().changeStatus(adas.id(), ProjectStatus.ARCHIVED))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> asBob.agentExecutions().complete(adasRun.id(), Json.EMPTY))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> asBob.exports().markFailed(adasExport.id())).isInstanceOf(NotFoundException.class);
        assertThat(asBob.projects().delete(adas.id())).isFalse();
        assertThat(asBob.users().delete(ada.id())).isFalse();

        // writing into Ada's project, or for Ada: refused by a policy, as RowSecurityException
        assertThatThrownBy(() -> asBob.projects().create(ada.id(), "For Ada", "en"))
                .isInstanceOfSatisfying(RowSecurityException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("42501");
                    assertThat(e.getMessage()).contains("row-level security policy").contains("projects")
                            .doesNotContain(ada.id().toString());
                }).isNotInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> asBob.documents().append(adas.id(), "about", "Bob's words", Json.EMPTY, bob.id()))
                .isInstanceOf(RowSecurityException.class);
        assertThatThrownBy(() -> asBob.agentExecutions().start(adas.id(), "writer", UUID.randomUUID(), null))
                .isInstanceOf(RowSecurityException.class);
        assertThatThrownBy(() -> asBob.agentExecutions().insertBatch(List.of(NewAgentExecution.completed(adas.id(),
                "writer", UUID.randomUUID(), null, null, Instant.now(), Instant.now())))).isInstanceOf(RowSecurityException.class);
        assertThatThrownBy(() -> asBob.exports().create(adas.id(), Json.EMPTY)).isInstanceOf(RowSecurityException.class);
        // and in one's own project, a version attributed to someone else
        Project bobs = asBob.projects().listByOwner(bob.id(), Optional.empty(), 1, Optional.empty()).items().get(0);
        assertThatThrownBy(() -> asBob.documents().append(bobs.id(), "about", "by Ada?", Json.EMPTY, ada.id()))
                .isInstanceOf(RowSecurityException.class);
        // moving one's own project to Ada with SQL of one's own: the policy's WITH CHECK
        assertThatThrownBy(() -> db.transaction(TxOptions.named("give_away").withActingUser(bob.id()),
                tx -> tx.dsl().update(PROJECTS).set(PROJECTS.CREATED_BY, ada.id()).where(PROJECTS.ID.eq(bobs.id()))
                        .execute())).isInstanceOf(RowSecurityException.class);

        assertThat(testDb.dsl().select(PROJECTS.NAME, PROJECTS.CREATED_BY).from(PROJECTS).where(PROJECTS.ID.eq(adas.id()))
                .fetchOne().intoList()).containsExactly("Engine", ada.id());
        assertThat(testDb.dsl().fetchValue("select count(*) from document_versions where project_id = ?", adas.id()))
                .isEqualTo(1L);
        assertThat(testDb.dsl().fetchValue("select count(*) from projects")).isEqualTo(2L);
    }

    @Test
    void withoutAnActingUserNothingIsVisibleAndEveryWriteIsRefused() {
        assertThat(db.<Integer>readOnly(tx -> tx.dsl().fetchCount(USERS))).isZero();
        assertThat(db.<Integer>transaction(tx -> tx.dsl().fetchCount(PROJECTS))).isZero();
        assertThat(db.<Integer>transaction(tx -> tx.dsl().update(USERS).set(USERS.NAME, "x").execute())).isZero();
        assertThat(db.<Integer>transaction(tx -> tx.dsl().deleteFrom(PROJECTS).execute())).isZero();
        assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, "eve@example.com")
                .set(USERS.NAME, "Eve").execute())).isInstanceOf(RowSecurityException.class);
        assertThat(testDb.dsl().fetchCount(USERS)).isEqualTo(2);
    }

    @Test
    void theApplicationRoleCannotSwitchThePoliciesOffOrBypassThem() {
        // row_security = off does not bypass the policies: a query they would filter fails instead
        assertThatThrownBy(() -> db.transaction(TxOptions.named("no_rls").withActingUser(bob.id()), tx -> {
            tx.dsl().execute("SET LOCAL row_security = off");
            return tx.dsl().fetchCount(PROJECTS);
        })).isInstanceOfSatisfying(RowSecurityException.class,
                e -> assertThat(e.getMessage()).contains("cannot be switched off"));
        // switching them off needs the tables' owner: a missing privilege, PermissionDeniedException
        for (String ddl : List.of("ALTER TABLE projects DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE projects NO FORCE ROW LEVEL SECURITY", "DROP POLICY projects_owner ON projects",
                "CREATE POLICY everything ON projects USING (true)", "ALTER POLICY projects_owner ON projects USING (true)")) {
            assertThatThrownBy(() -> db.transaction(TxOptions.named("ddl"), tx -> tx.dsl().execute(ddl)))
                    .as(ddl).isInstanceOf(PermissionDeniedException.class).isNotInstanceOf(RowSecurityException.class);
        }
        assertThatThrownBy(() -> db.transaction(TxOptions.named("become"), tx -> tx.dsl().execute("SET ROLE "
                + testDb.user()))).isInstanceOf(PermissionDeniedException.class);
        assertThat(testDb.dsl().fetchValue("select rolsuper or rolbypassrls from pg_roles where rolname = ?",
                testDb.appUser())).isEqualTo(false);
    }

    @Test
    void aTransactionActsAsOneUserAndSystemModeNeverMixesWithThePool() {
        // a transaction without an acting user takes the first call's user, for the rest of it
        long seen = db.transaction(TxOptions.named("adopt"), tx -> {
            asBob.users().recordLogin(bob.id());
            return (long) tx.dsl().fetchCount(PROJECTS);
        });
        assertThat(seen).as("Bob's project, seen by the transaction's own SQL after the call").isOne();
        // another user in the same transaction: refused, naming the fix
        assertThatThrownBy(() -> db.transaction(TxOptions.named("two_users").withActingUser(ada.id()),
                tx -> asBob.projects().byId(adas.id())))
                .isInstanceOf(WrongScopeException.class).hasMessageContaining("acts as one user only");
        assertThatThrownBy(() -> db.transaction(tx -> db.system().exports().byId(adasExport.id())))
                .isInstanceOf(WrongScopeException.class).hasMessageContaining("system mode");
        assertThatThrownBy(() -> db.transaction(TxOptions.named("ops").asSystem(),
                tx -> asBob.projects().byId(adas.id()))).isInstanceOf(WrongScopeException.class);
        // system-scoped operations on a user's repositories
        assertThatThrownBy(() -> asBob.exports().purgeExpired(10)).isInstanceOf(WrongScopeException.class)
                .hasMessageContaining("db.system()");
        assertThatThrownBy(() -> asBob.users().byEmail("ada@example.com")).isInstanceOf(WrongScopeException.class);
        assertThatThrownBy(() -> asBob.agentExecutions().purgeFinished(10)).isInstanceOf(WrongScopeException.class);
        assertThatThrownBy(() -> TxOptions.named("both").asSystem().withActingUser(ada.id()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void systemModeReachesEveryUserOnItsOwnConnectionAndIsVisibleInTheMeters() {
        assertThat(db.system().users().byEmail("ADA@example.com")).map(User::id).contains(ada.id());
        assertThat(db.system().projects().byId(adas.id())).isPresent();
        long all = db.transaction(TxOptions.named("count_all").asSystem(), tx -> (long) tx.dsl().fetchCount(PROJECTS));
        assertThat(all).isEqualTo(2);
        assertThat(registry.find("jeex.db.transaction").tag("pool", "service-system").tag("name", "users.byEmail")
                .timer()).isNotNull();
        assertThat(registry.find("jeex.db.transaction").tag("pool", "service-system").tag("name", "count_all")
                .timer().count()).isOne();
        assertThat(registry.find("jeex.db.transaction").tag("pool", "service").tag("name", "count_all").timer())
                .as("system work is not counted as the pool's").isNull();
    }

    @Test
    void systemModeOnARoleThatDoesNotBypassThePoliciesIsRefusedNamingTheSetting() {
        try (JeexDatabase misconfigured = JeexDatabase.create(ServiceConfigs.defaults(testDb)
                .credentials(c -> c.withMigrationUser(testDb.appUser()).withMigrationPassword(testDb.appPassword()))
                .build())) {
            assertThatThrownBy(() -> misconfigured.system().exports().purgeExpired(10))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("BYPASSRLS").hasMessageContaining("JEEX_DB_MIGRATION_USER")
                    .hasMessageNotContaining(testDb.appPassword());
        }
    }

    @Test
    void theActingUserNeverOutlivesItsCall() {
        // one pooled connection: every call below runs on it
        asBob.users().byId(bob.id());                       // auto-committed, acting user set with the statement
        asBob.users().recordLogin(bob.id());                // a transaction of its own
        db.transaction(TxOptions.named("as_ada").withActingUser(ada.id()), tx -> tx.dsl().fetchCount(USERS));
        String after = db.transaction(tx -> tx.dsl().fetchOne(
                "select coalesce(current_setting('jeex.acting_user_id', true), '')").get(0, String.class));
        assertThat(after).isEmpty();
        assertThat(db.<Integer>transaction(tx -> tx.dsl().fetchCount(USERS))).isZero();
    }
}

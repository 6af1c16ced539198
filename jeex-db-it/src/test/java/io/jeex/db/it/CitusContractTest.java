package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.it.CitusRules.Finding;
import io.jeex.db.it.CitusRules.Plan;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectOrder;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What would break if a JEEX deployment moved to Citus with the plan of docs/scaling.md
 * ("Past one primary"): {@code projects} distributed by {@code id}, {@code document_versions},
 * {@code agent_executions} and {@code exports} by {@code project_id} (all colocated: uuid), and
 * {@code users} a reference table. No Citus server installs here: {@link CitusRules} restates
 * Citus 14's checks over a real PostgreSQL 18, once on the migrated catalog (the testkit's
 * clone) and once on the SQL the repositories really send (pg_stat_statements of a dedicated
 * server running every repository operation).
 *
 * <p>The findings are compared with the lists below, in both directions: a schema or library
 * change that breaks one more rule fails with the rule and the object, and so does one that
 * stops breaking a listed rule (a key change that landed: take the entry out). The lists are the
 * inventory of docs/scaling.md ("Citus contract test"); each entry says what the move would
 * change.
 */
@JeexDbTest
class CitusContractTest {

    static final Plan PLAN = new Plan(Map.of(
            "projects", "id",
            "document_versions", "project_id",
            "agent_executions", "project_id",
            "exports", "project_id"), Set.of("users"));

    /** What the migrated schema breaks, with what the move would do about it. */
    private static final Map<String, String> EXPECTED_SCHEMA = Map.ofEntries(
            // the key changes of docs/scaling.md ("Key changes: decision") are made: V5 gave agent_executions
            // PRIMARY KEY (id, project_id), V6 document_versions and exports; none breaks the rule any more
            // V3's ownership test by subquery; on Citus the owner has to be on the row (or the policy dropped)
            Map.entry("policy-with-subquery document_versions.document_versions_owner",
                    "an owner column kept by the library, or a policy on project_id only"),
            Map.entry("policy-with-subquery agent_executions.agent_executions_owner", "the same"),
            Map.entry("policy-with-subquery exports.exports_owner", "the same"),
            // V1's updated_at triggers; Citus runs them only with citus.enable_unsafe_triggers
            Map.entry("trigger-on-citus-table users.users_touch_updated_at",
                    "citus.enable_unsafe_triggers = on (a row-local BEFORE trigger), or updated_at set by the statements"),
            Map.entry("trigger-on-citus-table projects.projects_touch_updated_at", "the same"),
            // V2's acting user, read on the workers by the shards' policies
            Map.entry("function-reads-setting jeex_acting_user_id()",
                    "citus.propagate_set_commands = 'local' and SET LOCAL only (see the statement list)"));

    /** What the repositories' SQL breaks, or where it loses its single-shard route. */
    private static final Map<String, String> EXPECTED_STATEMENTS = Map.ofEntries(
            Map.entry("advisory-lock-is-node-local pg_advisory_xact_lock",
                    "documents().append: a lock on projects' row (SELECT ... FOR UPDATE, single shard), or rely on the "
                            + "unique (project_id, document_type, version) and retry 23505"),
            Map.entry("advisory-lock-is-node-local pg_try_advisory_xact_lock", "the same, REPEATABLE READ path"),
            Map.entry("subquery-in-insert-values document_versions",
                    "documents().append as INSERT ... SELECT ... WHERE project_id = $1 (colocated, single shard)"),
            Map.entry("for-update-across-shards agent_executions",
                    "agentExecutions().purgeFinished: partition drops (issue 18, requirement 1) or a purge per project"),
            Map.entry("for-update-across-shards exports", "exports().purgeExpired: a purge per shard or per project"),
            Map.entry("acting-user-not-propagated set_config()",
                    "the single-statement fast path sets the acting user by set_config(): SET LOCAL in a transaction"),
            Map.entry("acting-user-not-propagated set local jeex.acting_user_id",
                    "citus.propagate_set_commands = 'local' on every coordinator"),
            // by id alone: every shard is asked (the API calls that a project_id parameter would route)
            Map.entry("statement-on-all-shards select agent_executions",
                    "byId, byCorrelationId, and the lookups of complete/fail"),
            Map.entry("statement-on-all-shards update agent_executions", "complete, fail"),
            Map.entry("statement-on-all-shards select exports", "byId, the mark* lookups, listExpired"),
            Map.entry("statement-on-all-shards update exports", "markProcessing, markCompleted, markFailed"),
            Map.entry("statement-on-all-shards delete exports", "purgeExpired's DELETE by the ids it locked"),
            Map.entry("statement-on-all-shards select projects", "listByOwner: the owner's projects are on every shard"));

    @Test
    void theMigratedSchemaBreaksExactlyTheListedCitusRules(DataSource dataSource) throws SQLException {
        List<Finding> found;
        try (Connection c = dataSource.getConnection()) {
            found = CitusRules.schemaFindings(c, "public", PLAN, Set.of(JeexSchema.HISTORY_TABLE));
        }
        assertThat(differences(found, EXPECTED_SCHEMA.keySet())).as("the Citus contract of the schema changed").isEmpty();
    }

    /**
     * Every catalog rule fires on a schema built to break it once, and stays quiet on the same
     * shapes done right: a rule that never fires would let the list above pass for the wrong reason.
     */
    @Test
    void everyCatalogRuleFindsWhatBreaksItAndNothingElse(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE SCHEMA citus_probe;
                    SET search_path = citus_probe;
                    CREATE TABLE ref (id uuid PRIMARY KEY, email text, tenant_id bigint);
                    CREATE UNIQUE INDEX ref_email_key ON ref (lower(email));
                    CREATE TABLE tenant (tenant_id bigint PRIMARY KEY, n serial, CONSTRAINT tenant_n_key UNIQUE (tenant_id, n));
                    CREATE TABLE item (id bigserial, tenant_id bigint NOT NULL, name text, ref_id uuid,
                                       b box, code int GENERATED ALWAYS AS IDENTITY,
                                       CONSTRAINT item_pkey PRIMARY KEY (tenant_id, id),
                                       CONSTRAINT item_name_key UNIQUE (name),
                                       CONSTRAINT item_tenant_name_key UNIQUE (tenant_id, name) INCLUDE (id),
                                       CONSTRAINT item_b_excl EXCLUDE USING gist (b WITH &&),
                                       CONSTRAINT item_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant ON DELETE SET NULL,
                                       CONSTRAINT item_ref_fkey FOREIGN KEY (ref_id) REFERENCES ref ON DELETE SET NULL);
                    CREATE TABLE part (id bigint, tenant_id int NOT NULL, item_id bigint, at date NOT NULL,
                                       CONSTRAINT part_pkey PRIMARY KEY (tenant_id, id, at),
                                       CONSTRAINT part_item_fkey FOREIGN KEY (item_id, tenant_id) REFERENCES tenant (tenant_id, n))
                        PARTITION BY RANGE (at);
                    CREATE TABLE part_2026 PARTITION OF part FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
                        PARTITION BY LIST (tenant_id);
                    CREATE TABLE lonely (id int PRIMARY KEY);
                    ALTER TABLE ref ADD CONSTRAINT ref_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant;
                    CREATE TABLE local_ref (id int PRIMARY KEY, lonely_id int REFERENCES lonely (id));
                    CREATE FUNCTION whoami() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('probe.who', true) $$;
                    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                    CREATE TRIGGER item_touch BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch();
                    CREATE POLICY item_sub ON item USING (EXISTS (SELECT 1 FROM tenant t WHERE t.tenant_id = item.tenant_id));
                    CREATE POLICY item_random ON item USING (random() < 2);
                    CREATE POLICY item_plain ON item USING (name = whoami());
                    RESET search_path;
                    """);
            Plan plan = new Plan(Map.of("tenant", "tenant_id", "item", "tenant_id", "part", "tenant_id"),
                    Set.of("ref", "local_ref"));
            List<Finding> found = CitusRules.schemaFindings(c, "citus_probe", plan, Set.of());
            assertThat(found.stream().map(Finding::key).toList()).containsExactlyInAnyOrder(
                    "table-not-in-plan lonely",
                    "unique-without-distribution-column item.item_name_key",
                    "unique-without-distribution-column item.item_b_excl",
                    "fk-action-on-distribution-column item.item_tenant_fkey",
                    "fk-between-non-colocated-tables part.part_item_fkey",
                    "fk-without-distribution-column part.part_item_fkey",
                    "fk-from-reference-to-distributed ref.ref_tenant_fkey",
                    "fk-to-local-table local_ref.local_ref_lonely_id_fkey",
                    "policy-with-subquery item.item_sub",
                    "policy-with-volatile-function item.item_random",
                    "trigger-on-citus-table item.item_touch",
                    "function-reads-setting whoami()",
                    "sequence-smaller-than-bigint tenant.n",
                    "sequence-smaller-than-bigint item.code",
                    "partitioning-not-distributable part_2026");
        }
    }

    /**
     * The SQL of every repository operation, as a dedicated PostgreSQL 18 with pg_stat_statements
     * recorded it (user-scoped calls acting as their user, system-scoped ones in system mode).
     */
    @Test
    void theRepositoriesStatementsBreakExactlyTheListedCitusRules() throws SQLException {
        try (ItServer server = ItServer.start(Map.of("shared_preload_libraries", "pg_stat_statements",
                "pg_stat_statements.max", "5000"), ItServer.SCRAM_HBA, dir -> { })) {
            server.execute("postgres", "CREATE DATABASE " + ItServer.DATABASE);
            server.execute(ItServer.DATABASE, "CREATE EXTENSION pg_stat_statements");
            JeexDbConfig config = JeexDbConfig.builder(server.url(ItServer.DATABASE)).name("it-citus")
                    .user("postgres").password("trusted-from-localhost").poolSize(2)
                    .health(h -> h.withMonitorInterval(Duration.ZERO)).build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                db.migrate();
                server.execute(ItServer.DATABASE, "SELECT pg_stat_statements_reset()");
                everyRepositoryOperation(db, server);
            }
            List<String> statements = new ArrayList<>();
            try (Connection c = server.admin(ItServer.DATABASE); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT query FROM pg_stat_statements WHERE dbid = "
                         + "(SELECT oid FROM pg_database WHERE datname = current_database())")) {
                while (rs.next()) {
                    statements.add(rs.getString(1));
                }
            }
            assertThat(statements).as("statements recorded").hasSizeGreaterThan(20);
            List<Finding> found = CitusRules.statementFindings(statements, PLAN);
            assertThat(differences(found, EXPECTED_STATEMENTS.keySet()))
                    .as("the Citus contract of the repositories' SQL changed; the statements were:%n%s",
                            String.join("\n", new TreeSet<>(statements)))
                    .isEmpty();
        }
    }

    /** The statement rules on hand-written statements, one per way a statement can fall under them or not. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            select "public"."projects"."id" from "public"."projects" where "public"."projects"."id" = $1 | -
            select * from agent_executions where project_id = $1 and status = $2 for update skip locked | -
            select * from agent_executions where status = $1 order by started_at limit $2 for update skip locked | for-update-across-shards agent_executions
            update "public"."exports" set "status" = $1 where "public"."exports"."id" = $2 | statement-on-all-shards update exports
            update exports set status = $1 where project_id = $2 and id = $3 | -
            delete from projects where created_by = $1 | statement-on-all-shards delete projects
            select * from document_versions d join projects p on p.id = d.project_id where d.project_id = $1 | -
            insert into document_versions (id, version) values ($1, (select max(version) from document_versions)) | subquery-in-insert-values document_versions
            insert into agent_executions (id, project_id) values ($1, $2) | -
            insert into users (id) values ($1) | -
            select pg_advisory_xact_lock(hashtextextended($1, $2)) | advisory-lock-is-node-local pg_advisory_xact_lock
            select set_config($1, $2, $3) | acting-user-not-propagated set_config()
            SET LOCAL jeex.acting_user_id = $1 | acting-user-not-propagated set local jeex.acting_user_id
            select * from users where email = $1 | -
            """)
    void aStatementFallsUnderTheRuleItBreaks(String statement, String expected) {
        List<String> found = CitusRules.statementFindings(List.of(statement), PLAN).stream().map(Finding::key).toList();
        if (expected.equals("-")) {
            assertThat(found).isEmpty();
        } else {
            assertThat(found).containsExactly(expected);
        }
    }

    /** Each operation of each repository once, so that every statement the library can send is recorded. */
    private static void everyRepositoryOperation(JeexDatabase db, ItServer server) {
        Repositories me = db.actingAsNewUser();
        User user = me.users().create("citus-" + UUID.randomUUID() + "@example.com", "Citus", Json.of("{\"a\": 1}"));
        me = db.actingAs(user.id());
        Repositories as = me;
        as.users().byId(user.id());
        db.system().users().byEmail(user.email());
        as.users().updateName(user.id(), "Renamed");
        as.users().updateProfile(user.id(), Json.of("{\"b\": 2}"));
        as.users().recordLogin(user.id());

        Project project = as.projects().create(user.id(), "Project", "en");
        Project other = as.projects().create(user.id(), "Other", "de");
        as.projects().byId(project.id());
        as.projects().listByOwner(user.id(), Optional.empty(), 1, Optional.empty()).nextCursor()
                .ifPresent(cursor -> as.projects().listByOwner(user.id(), Optional.empty(), 1, Optional.of(cursor)));
        as.projects().listByOwner(user.id(), Optional.of(ProjectStatus.DRAFT), ProjectOrder.NEWEST_FIRST, 1, Optional.empty());
        as.projects().rename(project.id(), "Renamed");
        as.projects().changeStatus(project.id(), ProjectStatus.IN_PROGRESS);
        Project now = as.projects().byId(project.id()).orElseThrow();
        as.projects().changeStep(project.id(), 2, now.updatedAt());

        DocumentVersion v1 = as.documents().append(project.id(), "about", "One.", Json.EMPTY, user.id());
        db.transaction(TxOptions.named("append_repeatable").withIsolation(IsolationLevel.REPEATABLE_READ)
                .withActingUser(user.id()), tx -> as.documents().append(project.id(), "about", "Two.", Json.EMPTY, user.id()));
        as.documents().latest(project.id(), "about");
        as.documents().byNumber(project.id(), "about", v1.version());
        as.documents().history(project.id(), "about", 1, Optional.empty()).nextCursor()
                .ifPresent(cursor -> as.documents().history(project.id(), "about", 1, Optional.of(cursor)));

        UUID correlation = UUID.randomUUID();
        AgentExecution run = as.agentExecutions().start(project.id(), "writer", correlation, Json.EMPTY);
        as.agentExecutions().complete(run.id(), Json.of("{\"ok\": true}"));
        AgentExecution failing = as.agentExecutions().start(project.id(), "reviewer", correlation, Json.EMPTY);
        as.agentExecutions().fail(failing.id(), "timeout");
        as.agentExecutions().byId(run.id());
        as.agentExecutions().byCorrelationId(correlation);
        as.agentExecutions().byProject(project.id(), 10);
        Instant t0 = Instant.now().minus(Duration.ofDays(100));
        as.agentExecutions().insertBatch(List.of(NewAgentExecution.completed(project.id(), "batch", correlation,
                Json.EMPTY, Json.EMPTY, t0, t0.plusSeconds(1))));
        db.system().agentExecutions().purgeFinished(Duration.ofDays(90), 10);

        Export export = as.exports().create(project.id(), Json.EMPTY);
        as.exports().create(project.id(), Json.EMPTY, Duration.ofHours(2));
        as.exports().byId(export.id());
        as.exports().markProcessing(export.id());
        as.exports().markCompleted(export.id(), "/exports/e.zip", Json.EMPTY);
        Export failed = as.exports().create(project.id(), Json.EMPTY);
        as.exports().markFailed(failed.id());
        Export expired = as.exports().create(project.id(), Json.EMPTY);
        // no API makes an expired export: age one, so that the purge's DELETE runs too
        server.execute(ItServer.DATABASE, "UPDATE exports SET created_at = now() - interval '2 days', "
                + "expires_at = now() - interval '1 day' WHERE id = '" + expired.id() + "'");
        db.system().exports().listExpired(10);
        db.system().exports().purgeExpired(10);

        as.projects().delete(other.id());
        as.users().delete(user.id());
    }

    /** What differs between the findings and the expected keys, one line each, naming rule and object. */
    private static List<String> differences(List<Finding> found, Set<String> expected) {
        Set<String> keys = found.stream().map(Finding::key).collect(Collectors.toSet());
        List<String> out = new ArrayList<>();
        for (Finding f : found) {
            if (!expected.contains(f.key())) {
                out.add("NEW: " + f + " - the change breaks this Citus rule: fix it, or list it with what the move would do");
            }
        }
        for (String e : new TreeSet<>(expected)) {
            if (!keys.contains(e)) {
                out.add("GONE: " + e + " no longer breaks its rule - take it out of the list (and docs/scaling.md)");
            }
        }
        return out;
    }
}

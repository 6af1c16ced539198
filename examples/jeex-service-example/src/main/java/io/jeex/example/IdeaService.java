package io.jeex.example;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.example.db.Tables.IDEA_VOTES;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.tx.TxOptions;
import java.util.Objects;
import java.util.UUID;
import org.jooq.impl.DSL;

/**
 * A minimal JEEX service on jeex-db: one {@link JeexDatabase} per process, created from the
 * environment, migrated at start-up (jeex-db's migrations, then the service's own), closed at
 * shutdown. Its own table, {@code idea_votes}, is queried with the jOOQ classes the build
 * generated for it.
 */
public final class IdeaService implements AutoCloseable {

    // README: service-migrations
    /** The service's own migrations: src/main/resources/db/migration/ideas. */
    public static final ServiceMigrations MIGRATIONS = ServiceMigrations.of("ideas", "classpath:db/migration/ideas");
    // README: end

    private final JeexDatabase db;

    /**
     * Starts the service on a database: creates the handle and migrates.
     *
     * @param config the database configuration, usually {@code JeexDbConfig.fromEnvironment()}
     * @return the service
     */
    public static IdeaService start(JeexDbConfig config) {
        // README: service-bootstrap
        JeexDatabase db = JeexDatabase.create(Objects.requireNonNull(config, "config").toBuilder()
                .serviceMigrations(MIGRATIONS)       // applied after jeex-db's, checked by health()
                .build());
        db.migrate();
        // README: end
        return new IdeaService(db);
    }

    /**
     * A service on a database that is migrated already (as a test's is).
     *
     * @param db the database; the service closes it
     */
    public IdeaService(JeexDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Signs a user up and opens their first project with an idea description.
     *
     * @param email the user's email
     * @param name the user's name
     * @param idea the idea, stored as version 1 of the project's "about" document
     * @return the new project
     */
    public Project signUpWithIdea(String email, String name, String idea) {
        // README: service-work
        Repositories newcomer = db.actingAsNewUser();          // every call acts as the new user
        return db.transaction(tx -> {
            User user = newcomer.users().create(email, name);
            Project project = newcomer.projects().create(user.id(), "My idea", "en");
            newcomer.documents().append(project.id(), "about", idea, Json.EMPTY, user.id());
            return project;
        });
        // README: end
    }

    /**
     * Rewrites the idea description as a new version.
     *
     * @param project the project
     * @param idea the new text
     * @return the new version
     */
    public DocumentVersion reviseIdea(Project project, String idea) {
        return db.actingAs(project.ownerId()).documents().append(project.id(), "about", idea, Json.EMPTY,
                project.ownerId());
    }

    /**
     * Records a user's vote for a project's idea, once per user.
     *
     * @param project the project
     * @param voter the voting user
     * @return whether the vote counted (false when the user had voted already)
     */
    public boolean vote(UUID project, UUID voter) {
        // README: service-own-table
        try {
            return db.transaction(tx -> tx.dsl().insertInto(IDEA_VOTES)
                    .set(IDEA_VOTES.PROJECT_ID, project)
                    .set(IDEA_VOTES.VOTER_ID, voter)
                    .execute()) == 1;
        } catch (UniqueViolationException e) {       // idea_votes_one_per_voter_key
            return false;
        }
        // README: end
    }

    /**
     * @param owner a project owner
     * @return the votes of all of their projects
     */
    public int votesFor(UUID owner) {
        // README: service-typed-query
        // acting as the owner: the policies let a user see the projects they own, and only those
        return db.readOnly(TxOptions.named("votes-for").withActingUser(owner), tx -> tx.dsl().select(DSL.count())
                .from(IDEA_VOTES)
                .join(PROJECTS).on(PROJECTS.ID.eq(IDEA_VOTES.PROJECT_ID))   // jeex-db's generated table
                .where(PROJECTS.CREATED_BY.eq(owner))
                .fetchOne(0, int.class));
        // README: end
    }

    /** @return the database, for the parts of the service not shown here */
    public JeexDatabase database() {
        return db;
    }

    @Override
    public void close() {
        db.close();
    }

    /**
     * Runs the service against {@code JEEX_DB_URL}.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        try (IdeaService service = IdeaService.start(JeexDbConfig.fromEnvironment())) {
            Project project = service.signUpWithIdea("ada@example.com", "Ada", "An engine that computes.");
            System.out.println("created project " + project.id());
        }
    }
}

package io.jeex.example;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import java.util.Objects;

/**
 * A minimal JEEX service on jeex-db: one {@link JeexDatabase} per process, created from the
 * environment, migrated at start-up, closed at shutdown.
 */
public final class IdeaService implements AutoCloseable {

    private final JeexDatabase db;

    /**
     * Starts the service on a database.
     *
     * @param config the database configuration, usually {@code JeexDbConfig.fromEnvironment()}
     */
    public IdeaService(JeexDbConfig config) {
        // README: service-bootstrap
        this.db = JeexDatabase.create(Objects.requireNonNull(config, "config"));
        db.migrate();
        // README: end
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
        try (IdeaService service = new IdeaService(JeexDbConfig.fromEnvironment())) {
            Project project = service.signUpWithIdea("ada@example.com", "Ada", "An engine that computes.");
            System.out.println("created project " + project.id());
        }
    }
}

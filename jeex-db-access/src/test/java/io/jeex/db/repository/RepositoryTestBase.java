package io.jeex.db.repository;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A JeexDatabase on a fresh migrated database per test, connected as the testkit's application role
 * (no superuser, no BYPASSRLS), so every repository call runs under the row-level security policies;
 * migrations and system mode as the admin user. {@link #sql} reads as the admin user: it sees every row.
 */
@JeexDbTest
abstract class RepositoryTestBase {

    protected JeexDatabase db;
    protected DSLContext sql;

    @BeforeEach
    void open(TestDatabase test) {
        db = JeexDatabase.create(JeexDbConfig.builder(test.jdbcUrl()).user(test.appUser()).password(test.appPassword())
                .credentials(c -> c.withMigrationUser(test.user()).withMigrationPassword(test.password()))
                .poolSize(2).pool(p -> p.withMaxOverflow(14)).build());
        sql = test.dsl();
    }

    @AfterEach
    void close() {
        db.close();
    }

    protected long count(String table) {
        return sql.fetchOne("select count(*) from " + table).get(0, Long.class);
    }

    /** @return a new user, signed up as themselves */
    protected User user() {
        return db.actingAsNewUser().users().create("u" + UUID.randomUUID() + "@example.com", "User");
    }

    /** @return a new project of a new user */
    protected Project project() {
        User owner = user();
        return as(owner).projects().create(owner.id(), "Project", "en");
    }

    /** @return the repositories acting as this user */
    protected Repositories as(User user) {
        return db.actingAs(user.id());
    }

    /** @return the repositories acting as the owner of this project */
    protected Repositories as(Project project) {
        return db.actingAs(project.ownerId());
    }
}

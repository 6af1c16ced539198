package io.jeex.db;

import io.jeex.db.testkit.TestDatabase;
import java.time.Duration;

/**
 * Configurations for tests: small pools, short timeouts, against a testkit database. As the admin
 * user for tests of the transaction machinery that write rows with SQL of their own
 * ({@link #forDatabase}); as the testkit's application role, under the row-level security
 * policies, for tests where the policies matter ({@link #asApplication}).
 */
final class TestConfigs {

    private TestConfigs() {
    }

    static JeexDbConfig.Builder forDatabase(TestDatabase db) {
        return forUrl(db, db.jdbcUrl());
    }

    /** As the application role (no superuser, no BYPASSRLS); migrations and system mode as the admin user. */
    static JeexDbConfig.Builder asApplication(TestDatabase db) {
        return forDatabase(db).user(db.appUser()).password(db.appPassword())
                .credentials(c -> c.withMigrationUser(db.user())
                .withMigrationPassword(db.password().isEmpty() ? null : db.password()));
    }

    static JeexDbConfig.Builder forUrl(TestDatabase db, String url) {
        return JeexDbConfig.builder(url)
                .name("test")
                .user(db.user())
                .password(db.password().isEmpty() ? null : db.password())
                .poolSize(1)
                .pool(p -> p.withMaxOverflow(2)
                .withAcquireTimeout(Duration.ofSeconds(5))
                .withConnectTimeout(Duration.ofSeconds(2)));
    }
}

package io.jeex.service;

import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.TestDatabase;
import java.time.Duration;

/**
 * Configurations the way a service writes them from the README: the defaults, with only the
 * address and credentials of its database. The health monitor is off so that its checks do not
 * interleave with what a test counts.
 */
final class ServiceConfigs {

    private ServiceConfigs() {
    }

    /**
     * As a service's test writes it (README, "Row-level security"): the service as the testkit's
     * application role, under the policies; migrations and system mode as the admin user.
     */
    static JeexDbConfig.Builder defaults(TestDatabase db) {
        return defaults(db.jdbcUrl(), db.appUser(), db.appPassword())
                .credentials(c -> c.withMigrationUser(db.user())
                .withMigrationPassword(db.password().isEmpty() ? null : db.password()));
    }

    static JeexDbConfig.Builder defaults(String url, String user, String password) {
        return JeexDbConfig.builder(url)
                .name("service")
                .user(user)
                .password(password == null || password.isEmpty() ? null : password)
                .health(h -> h.withMonitorInterval(Duration.ZERO));
    }
}

package io.jeex.audit;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.TestDatabase;
import java.time.Duration;

/** Builds a JeexDatabase as README says a service's test does: the testkit's application role. */
final class AuditDb {
    private AuditDb() {
    }

    static JeexDbConfig.Builder builder(TestDatabase db) {
        // README: give user()/password() as the migration user; appUser()/appPassword() for the pool.
        return JeexDbConfig.builder(db.jdbcUrl())
                .user(db.appUser())
                .password(db.appPassword())
                .migrationUser(db.user()).migrationPassword(db.password())
                .poolSize(2)
                .health(h -> h.withMonitorInterval(Duration.ZERO));
    }

    static JeexDatabase open(TestDatabase db) {
        return JeexDatabase.create(builder(db).build());
    }
}

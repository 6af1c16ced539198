package io.jeex.db;

import io.jeex.db.testkit.TestDatabase;
import java.time.Duration;

/** Configurations for tests: small pools, short timeouts, against a testkit database. */
final class TestConfigs {

    private TestConfigs() {
    }

    static JeexDbConfig.Builder forDatabase(TestDatabase db) {
        return forUrl(db, db.jdbcUrl());
    }

    static JeexDbConfig.Builder forUrl(TestDatabase db, String url) {
        return JeexDbConfig.builder(url)
                .name("test")
                .user(db.user())
                .password(db.password().isEmpty() ? null : db.password())
                .poolSize(1)
                .maxOverflow(2)
                .acquireTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2));
    }
}

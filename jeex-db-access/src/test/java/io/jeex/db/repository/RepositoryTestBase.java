package io.jeex.db.repository;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A JeexDatabase on a fresh migrated database per test. */
@JeexDbTest
abstract class RepositoryTestBase {

    protected JeexDatabase db;
    protected DSLContext sql;

    @BeforeEach
    void open(TestDatabase test) {
        db = JeexDatabase.create(JeexDbConfig.builder(test.jdbcUrl()).user(test.user()).password(test.password())
                .poolSize(2).maxOverflow(14).build());
        sql = test.dsl();
    }

    @AfterEach
    void close() {
        db.close();
    }

    protected long count(String table) {
        return sql.fetchOne("select count(*) from " + table).get(0, Long.class);
    }

    protected User user() {
        return db.users().create("u" + UUID.randomUUID() + "@example.com", "User");
    }

    protected Project project() {
        return db.projects().create(user().id(), "Project", "en");
    }
}

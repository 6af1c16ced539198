package io.jeex.db.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.TestDatabase;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Tests that write the same unique value all pass: each test method has its own database.
 * (The unique index on lower(email) would reject the second insert in a shared one.)
 */
@JeexDbTest
class IsolationTest {

    private String fromBeforeEach;

    @BeforeEach
    void setUp(TestDatabase db) {
        fromBeforeEach = db.name();
    }

    @RepeatedTest(3)
    void writesTheSameUniqueEmail(DSLContext dsl) {
        assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(0L);
        dsl.execute("insert into users (email, name) values ('same@example.com', 'Same')");
        assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(1L);
    }

    @Test
    void alsoWritesTheSameUniqueEmail(DataSource dataSource, TestDatabase db) throws Exception {
        assertThat(db.name()).isEqualTo(fromBeforeEach);
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            assertThat(s.executeUpdate("insert into users (email, name) values ('SAME@example.com', 'Same')")).isOne();
        }
    }
}

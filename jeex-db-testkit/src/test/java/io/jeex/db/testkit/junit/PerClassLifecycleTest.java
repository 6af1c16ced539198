package io.jeex.db.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.TestDatabase;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** With PER_CLASS, @BeforeAll and every test method share one database. */
@JeexDbTest(lifecycle = JeexDbTest.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassLifecycleTest {

    private static String name;

    @BeforeAll
    static void seed(DSLContext dsl, TestDatabase db) {
        name = db.name();
        dsl.execute("insert into users (email, name) values ('seed@example.com', 'Seed')");
    }

    @Test
    @Order(1)
    void seesTheSeedRow(DSLContext dsl, TestDatabase db) {
        assertThat(db.name()).isEqualTo(name);
        assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(1L);
        dsl.execute("insert into users (email, name) values ('second@example.com', 'Second')");
    }

    @Test
    @Order(2)
    void seesTheRowOfThePreviousTest(DSLContext dsl) {
        assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(2L);
    }
}

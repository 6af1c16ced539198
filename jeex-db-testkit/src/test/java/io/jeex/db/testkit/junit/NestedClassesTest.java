package io.jeex.db.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.TestDatabase;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** @JeexDbTest on an outer class serves its @Nested classes; the nearest annotation's settings count. */
@JeexDbTest
class NestedClassesTest {

    @Test
    void theOuterClassGetsADatabase(DSLContext dsl) {
        assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(0L);
    }

    @Nested
    class Inner {

        private String fromBeforeEach;

        @BeforeEach
        void setUp(TestDatabase db) {
            fromBeforeEach = db.name();
        }

        @Test
        void aNestedTestGetsItsOwnMigratedDatabase(DSLContext dsl, TestDatabase db) {
            assertThat(db.name()).isEqualTo(fromBeforeEach);
            dsl.execute("insert into users (email, name) values ('nested@example.com', 'Nested')");
            assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(1L);
        }

        @Test
        void andSoDoesItsNeighbour(DSLContext dsl) {
            // the same unique email again: a database of its own (PER_METHOD, from the outer annotation)
            dsl.execute("insert into users (email, name) values ('NESTED@example.com', 'Nested')");
            assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(1L);
        }

        @Nested
        class TwoLevelsDown {
            @Test
            void stillGetsADatabase(DSLContext dsl) {
                assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(0L);
            }
        }
    }

    @Nested
    @JeexDbTest(lifecycle = JeexDbTest.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class InnerWithItsOwnSettings {

        @Test
        @Order(1)
        void writes(DSLContext dsl) {
            dsl.execute("insert into users (email, name) values ('shared@example.com', 'Shared')");
        }

        @Test
        @Order(2)
        void seesTheRowOfTheTestBeforeItInTheSharedDatabase(DSLContext dsl) {
            assertThat(dsl.fetchValue("select count(*) from users where email = 'shared@example.com'"))
                    .isEqualTo(1L);
        }
    }
}

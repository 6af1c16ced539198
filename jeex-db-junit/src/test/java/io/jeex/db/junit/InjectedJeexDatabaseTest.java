package io.jeex.db.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseClosedException;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A service's test as the README shows it: {@code @JeexDbTest}, a {@link JeexDatabase}
 * parameter, and the repositories on the test's own database.
 */
@JeexDbTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InjectedJeexDatabaseTest {

    private static final List<JeexDatabase> SEEN = new ArrayList<>();

    @Test
    @Order(1)
    void aTestReceivesAReadyJeexDatabaseOnItsOwnDatabase(JeexDatabase db, TestDatabase testDb) {
        SEEN.add(db);
        User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
        assertThat(testDb.dsl().fetchValue("select name from users where id = ?", ada.id())).isEqualTo("Ada");
        // as the application role, under row-level security: no acting user, no rows
        assertThat(db.config().credentials().user()).hasValue(testDb.appUser());
        int visible = db.readOnly(tx -> tx.dsl().fetchCount(tx.dsl().selectFrom("users")));
        assertThat(visible).isZero();
        assertThat(db.actingAs(ada.id()).users().byId(ada.id())).isPresent();
        assertThat(db.health().ready()).as("%s", db.health()).isTrue();
        assertThat(db.config().url()).isEqualTo(testDb.jdbcUrl());
    }

    @Test
    @Order(2)
    void theNextTestGetsAnotherOneAndTheFirstWasClosed(JeexDatabase db) {
        assertThat(SEEN).hasSize(1).doesNotContain(db);
        assertThat(catchThrowable(() -> SEEN.get(0).system().users().byEmail("ada@example.com")))
                .isInstanceOf(DatabaseClosedException.class);
        assertThat(db.system().users().byEmail("ada@example.com")).as("a fresh database").isEmpty();
    }

    @Test
    @Order(3)
    void theSameParameterTwiceInOneTestIsTheSameInstance(JeexDatabase a, JeexDatabase b) {
        assertThat(a).isSameAs(b);
    }

    /** The configuration hook, on a nested class of its own. */
    @Nested
    @ConfigureJeexDatabase(InjectedJeexDatabaseTest.ShortTimeouts.class)
    class WithItsOwnConfiguration {
        @Test
        void theConfigurerAdjustsTheInjectedDatabase(JeexDatabase db) {
            assertThat(db.config().pool().statementTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(db.config().name()).isEqualTo("configured");
            assertThat(db.system().users().byEmail("nobody@example.com")).isEmpty();
        }
    }

    /** Used by {@link WithItsOwnConfiguration}. */
    public static final class ShortTimeouts implements JeexDatabaseConfigurer {
        @Override
        public JeexDbConfig.Builder configure(JeexDbConfig.Builder builder, TestDatabase database) {
            return builder.name("configured").pool(p -> p.withStatementTimeout(Duration.ofSeconds(3)));
        }
    }

    @AfterAll
    static void everyInjectedDatabaseIsClosed() {
        assertThat(SEEN).allSatisfy(db -> assertThat(db.health().live()).isFalse());
    }
}

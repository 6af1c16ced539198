package io.jeex.db.testkit.outside;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@link TestkitSettings#RECYCLE} as README describes it, seen from a service's test suite with the
 * public API only: every database is fresh, and closing one does not cost a checkpoint (a drop would
 * request one each).
 */
class RecycleFromOutsideTest {

    @Test
    void thirtyShortTestsEachGetAFreshDatabaseAndCloseWithoutACheckpointEach() {
        JeexPostgres own = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.RECYCLE, "true"), Map.of()));
        try {
            long checkpointsBefore;
            try (TestDatabase first = own.newDatabase()) {
                checkpointsBefore = checkpointsRequested(first.dsl());
                writeAUserAndAProject(first.dsl());
            }
            Set<String> names = new HashSet<>();
            TestDatabase last = null;
            for (int test = 0; test < 30; test++) {
                TestDatabase db = own.newDatabase();
                assertThat(names.add(db.name())).as("a name is never handed out twice").isTrue();
                assertThat(db.dsl().fetchValue("select count(*) from users")).as("test %d starts empty", test)
                        .isEqualTo(0L);
                assertThat(db.dsl().fetchValue("select count(*) from projects")).isEqualTo(0L);
                writeAUserAndAProject(db.dsl());
                if (test < 29) {
                    db.close();
                } else {
                    last = db;
                }
            }
            try (TestDatabase observer = last) {
                DSLContext dsl = observer.dsl();
                // drops in the background would request about 30 while this holds (each drop one)
                Awaitility.await("fewer than 10 checkpoints requested by 30 closed databases, for 3 s")
                        .during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> checkpointsRequested(dsl) - checkpointsBefore < 10);
            }
        } finally {
            own.shutdown();
        }
    }

    private static void writeAUserAndAProject(DSLContext dsl) {
        UUID user = UUID.randomUUID();
        dsl.execute("insert into users (id, email, name) values (?, ?, 'Test')", user, user + "@example.com");
        dsl.execute("insert into projects (name, created_by) values ('P', ?)", user);
    }

    private static long checkpointsRequested(DSLContext dsl) {
        return ((Number) dsl.fetchValue("select num_requested from pg_stat_checkpointer")).longValue();
    }
}

package io.jeex.db.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.ProviderKind;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs small test classes through the JUnit engine and checks what happened to their databases. */
class KeepOnFailureTest {

    static final List<String> SEEN = new ArrayList<>();

    @Test
    void aFailedTestsDatabaseIsKeptWhenAskedAndAPassedOneIsDropped() throws Exception {
        SEEN.clear();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple's output
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(KeepingSample.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        } finally {
            System.setErr(original);
        }
        assertThat(SEEN).hasSize(2);
        String failed = SEEN.get(0).startsWith("fail:") ? SEEN.get(0).substring(5) : SEEN.get(1).substring(5);
        String passed = SEEN.get(0).startsWith("pass:") ? SEEN.get(0).substring(5) : SEEN.get(1).substring(5);
        assertThat(captured.toString(StandardCharsets.UTF_8)).as("the kept database's log line")
                .contains("kept the database of failed test fails(DSLContext, TestDatabase): "
                        + JeexPostgres.shared().jdbcUrl(failed) + " (user ")
                .contains(JeexDbExtension.lifetime(JeexPostgres.shared().provider()))
                .contains("DROP DATABASE " + failed + ";");

        try (TestDatabase any = JeexPostgres.shared().newDatabase();
             Connection admin = DriverManager.getConnection(JeexPostgres.shared().jdbcUrl("postgres"), any.user(),
                     any.password())) {
            DSLContext dsl = DSL.using(admin, SQLDialect.POSTGRES);
            awaitGone(dsl, passed);
            assertThat(exists(dsl, failed)).as("kept database of the failed test").isTrue();
            try (Connection kept = DriverManager.getConnection(JeexPostgres.shared().jdbcUrl(failed), any.user(),
                    any.password())) {
                assertThat(DSL.using(kept, SQLDialect.POSTGRES).fetchValue("select count(*) from users"))
                        .as("the failed test's data is there to inspect").isEqualTo(1L);
            }
            dsl.execute("drop database " + failed + " with (force)");
        }
    }

    @Test
    void withoutKeepingAFailedTestsDatabaseIsDropped() throws Exception {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(DroppingSample.class)).execute()
                .testEvents().assertStatistics(stats -> stats.failed(1));
        assertThat(SEEN).hasSize(1);
        try (TestDatabase any = JeexPostgres.shared().newDatabase();
             Connection admin = DriverManager.getConnection(JeexPostgres.shared().jdbcUrl("postgres"), any.user(),
                     any.password())) {
            awaitGone(DSL.using(admin, SQLDialect.POSTGRES), SEEN.get(0).substring(5));
        }
    }

    @Test
    void theKeptDatabasesLogLineMasksAPasswordOfTheExternalUrlAndSaysHowLongTheDatabaseLasts() {
        String secret = "s3cr3t-in-the-url";
        JeexPostgres external = JeexPostgres.start(TestkitSettings.of(Map.of(
                TestkitSettings.URL, JeexPostgres.shared().jdbcUrl("postgres") + "?password=" + secret,
                TestkitSettings.PREFETCH, "0"), Map.of()));
        try (TestDatabase db = external.newDatabase()) {
            assertThat(db.jdbcUrl()).as("the URL to connect with keeps the parameter").contains(secret);

            String line = JeexDbExtension.keptMessage("fails()", db, external.provider());
            assertThat(line).doesNotContain(secret).contains(db.maskedJdbcUrl()).contains("password=****")
                    .contains("until dropped").contains("DROP DATABASE " + db.name() + ";");
            assertThat(db.maskedJdbcUrl()).isEqualTo(db.jdbcUrl().replace(secret, "****"));
            assertThat(db.toString()).doesNotContain(secret);
        } finally {
            external.shutdown();
        }
        for (ProviderKind started : new ProviderKind[] {ProviderKind.EMBEDDED, ProviderKind.TESTCONTAINERS}) {
            assertThat(JeexDbExtension.lifetime(started)).as(started.name())
                    .contains("valid only until this test JVM exits")
                    .contains("-D" + TestkitSettings.URL + "=");
        }
    }

    private static void awaitGone(DSLContext dsl, String name) {
        Awaitility.await("database " + name + " dropped in time")
                .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> !exists(dsl, name));
    }

    private static boolean exists(DSLContext dsl, String name) {
        return dsl.fetchExists(DSL.selectOne().from("pg_database").where("datname = ?", name));
    }

    @JeexDbTest(keepOnFailure = true)
    static class KeepingSample {
        @Test
        void fails(DSLContext dsl, TestDatabase db) {
            SEEN.add("fail:" + db.name());
            dsl.execute("insert into users (email, name) values ('kept@example.com', 'Kept')");
            throw new AssertionError("deliberate failure, the testkit should keep this database");
        }

        @Test
        void passes(TestDatabase db) {
            SEEN.add("pass:" + db.name());
        }
    }

    @JeexDbTest
    static class DroppingSample {
        @Test
        void fails(TestDatabase db) {
            SEEN.add("fail:" + db.name());
            throw new AssertionError("deliberate failure");
        }
    }
}

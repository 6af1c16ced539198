package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** Instances of the testkit's own, beside the shared one: prefetching, stopping, closing while stopping. */
class OwnServerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern PORT = Pattern.compile("^jdbc:postgresql://localhost:(\\d+)/");

    @Test
    void clonesArePreparedInTheBackgroundAndHandedOutNextAndShutdownStopsTheEmbeddedServer() throws Exception {
        JeexPostgres own = JeexPostgres.start(TestkitSettings.of(Map.of(
                TestkitSettings.PROVIDER, "embedded", TestkitSettings.PREFETCH, "2"), Map.of()));
        int port;
        try {
            assertThat(own.provider()).isEqualTo(ProviderKind.EMBEDDED);
            Matcher m = PORT.matcher(own.jdbcUrl("postgres"));
            assertThat(m.find()).as(own.jdbcUrl("postgres")).isTrue();
            port = Integer.parseInt(m.group(1));
            assertThat(accepts(port)).as("the running server's port accepts connections").isTrue();

            String first;
            String user;
            String password;
            try (TestDatabase db = own.newDatabase()) { // the first call starts the prefetcher
                first = db.name();
                user = db.user();
                password = db.password();
            }
            try (Connection admin = DriverManager.getConnection(own.jdbcUrl("postgres"), user, password)) {
                DSLContext dsl = DSL.using(admin, SQLDialect.POSTGRES);
                // Clones are made one after the other and each is queued before the next is made, so
                // once two exist besides the first, at least one waits in the queue.
                Set<String> prepared = Set.copyOf(awaitClones(dsl, first, 2));
                try (TestDatabase next = own.newDatabase()) {
                    assertThat(prepared).as("clones prepared in the background").contains(next.name());
                    assertThat(next.dsl().fetchValue("select count(*) from users")).isEqualTo(0L);
                }
            }
        } finally {
            own.shutdown();
        }
        Awaitility.await("port " + port + " refuses connections after shutdown()")
                .atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> !accepts(port));
    }

    /**
     * A stress test of close() against shutdown(): close() used to check "shutting down?" and
     * then hand the drop to an executor that shutdown() may have stopped in between
     * (RejectedExecutionException). The window is tiny, so this rarely hits it; what it always
     * checks is that every database closed around shutdown() is dropped and nothing throws.
     */
    @Test
    void closingDatabasesWhileTheInstanceShutsDownNeverThrowsAndDropsThemAll() throws Exception {
        JeexPostgres shared = JeexPostgres.shared();
        for (int round = 0; round < 2; round++) {
            JeexPostgres own = JeexPostgres.start(TestkitSettings.of(Map.of(
                    TestkitSettings.URL, shared.jdbcUrl("postgres"), TestkitSettings.PREFETCH, "0"), Map.of()));
            List<TestDatabase> dbs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                dbs.add(own.newDatabase());
            }
            ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> closers = new ArrayList<>();
            for (TestDatabase db : dbs) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        db.close();
                    } catch (Throwable e) {
                        thrown.add(e);
                    }
                });
                t.start();
                closers.add(t);
            }
            go.countDown();
            own.shutdown();
            for (Thread t : closers) {
                t.join();
            }
            assertThat(thrown).as("exceptions from close() racing shutdown()").isEmpty();
            try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), dbs.get(0).user(),
                    dbs.get(0).password())) {
                DSLContext dsl = DSL.using(admin, SQLDialect.POSTGRES);
                for (TestDatabase db : dbs) {
                    awaitGone(dsl, db.name());
                }
            }
        }
    }

    /** @return the clones found once there are {@code count} (the timeout message shows those found last) */
    private static List<String> awaitClones(DSLContext dsl, String except, int count) {
        return Awaitility.await(count + " clones prepared in time")
                .atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                .until(() -> dsl.fetchValues("""
                        select datname from pg_database where datname like 'jeex\\_test\\_%' and datname <> ?
                        """, except).stream().map(Object::toString).toList(), clones -> clones.size() >= count);
    }

    private static void awaitGone(DSLContext dsl, String name) {
        Awaitility.await("database " + name + " dropped in time")
                .atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                .until(() -> !dsl.fetchExists(DSL.selectOne().from("pg_database").where("datname = ?", name)));
    }

    private static boolean accepts(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 2_000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}

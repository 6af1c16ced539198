package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.BreakerConfig;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.PoolConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under a service that uses the default configuration, with one caller
 * that calls again after each failure (the worst case for noticing: nobody else feeds the
 * breaker). Times are printed for the closing note and bounded loosely.
 */
class OutageTest {

    private static final Duration CONNECT = PoolConfig.DEFAULTS.connectTimeout();
    private static final Duration OPEN_WAIT = BreakerConfig.DEFAULTS.waitInOpenState();

    private static boolean breakerOpen(JeexDatabase db) {
        return "OPEN".equals(db.health().breakers().get("service"));
    }

    private static long call(JeexDatabase db) {
        long start = System.nanoTime();
        db.transaction(tx -> tx.dsl().selectOne().fetch());
        return System.nanoTime() - start;
    }

    @Test
    void aStoppedServerIsNoticedAtOnceTheBreakerOpensAndTheFirstCallAfterItsReturnSucceeds() throws Exception {
        try (OwnServer server = OwnServer.start("outage");
             JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(server.url(), "postgres", null).build())) {
            db.migrate();
            db.actingAsNewUser().users().create("ada@example.com", "Ada");

            server.stop();
            long down = System.nanoTime();
            Throwable first = catchThrowable(() -> call(db));
            Duration toFail = Duration.ofNanos(System.nanoTime() - down);
            assertThat(first).isInstanceOf(DatabaseUnavailableException.class);

            int calls = 1;
            while (!breakerOpen(db)) {
                assertThat(Duration.ofNanos(System.nanoTime() - down)).as("time to open the breaker")
                        .isLessThan(Duration.ofSeconds(30));
                assertThat(catchThrowable(() -> db.actingAs(UUID.randomUUID()).users().byId(UUID.randomUUID())))
                        .isInstanceOf(DatabaseUnavailableException.class);
                calls++;
            }
            Duration toOpen = Duration.ofNanos(System.nanoTime() - down);
            long opened = System.nanoTime();

            List<Long> fast = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long s = System.nanoTime();
                assertThat(catchThrowable(() -> call(db))).isInstanceOf(DatabaseUnavailableException.class);
                fast.add(System.nanoTime() - s);
            }
            Collections.sort(fast);
            double medianMs = fast.get(fast.size() / 2) / 1e6;

            server.startAgain();
            Duration toRecover = null;
            // A measurement, not a wait: calls back to back so that toRecover is the time of the first
            // success, not of the next poll of an Awaitility interval.
            while (toRecover == null) {
                assertThat(Duration.ofNanos(System.nanoTime() - opened)).as("time to the first success")
                        .isLessThan(OPEN_WAIT.plusSeconds(30));
                try {
                    call(db);
                    toRecover = Duration.ofNanos(System.nanoTime() - opened);
                } catch (DatabaseUnavailableException e) {
                    Thread.onSpinWait();
                }
            }

            System.out.printf("outage, one sequential caller: first failure after %d ms, breaker open after %d ms "
                            + "(%d calls), fail-fast median %.3f ms, first success %d ms after the breaker opened "
                            + "(open-state wait %d ms)%n", toFail.toMillis(), toOpen.toMillis(), calls, medianMs,
                    toRecover.toMillis(), OPEN_WAIT.toMillis());
            assertThat(toFail).as("first failure within the connect timeout").isLessThan(CONNECT);
            assertThat(toOpen).as("breaker open within 5 s of the outage").isLessThan(Duration.ofSeconds(5));
            assertThat(medianMs).as("an open breaker fails fast").isLessThan(5.0);
            assertThat(toRecover).as("first success within the open-state wait + 1 s")
                    .isLessThan(OPEN_WAIT.plusSeconds(1));
            assertThat(db.system().users().byEmail("ada@example.com")).isPresent();
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersFailsCallsWithinTheConnectTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // keep it open, never answer
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            Duration connect = Duration.ofSeconds(2);
            JeexDbConfig config = ServiceConfigs.defaults("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort()
                    + "/postgres", "postgres", null).pool(p -> p.withConnectTimeout(connect)).build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> call(db));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                System.out.printf("a silent server failed the first call after %d ms (connect timeout %d ms)%n",
                        took.toMillis(), connect.toMillis());

                assertThat(thrown).isInstanceOf(DatabaseUnavailableException.class);
                assertThat(took).as("within the connect timeout + 1 s").isLessThan(connect.plusSeconds(1));
                long second = System.nanoTime();
                assertThat(catchThrowable(() -> call(db))).isInstanceOf(DatabaseUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - second)).as("the next call, too")
                        .isLessThan(connect.plusSeconds(1));
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}

package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.DatabaseClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The call count without a lock on the hot path: {@code close()} still refuses every call from
 * the moment it begins and awaits every call that entered, up to the drain timeout.
 */
class LifecycleTest {

    @Test
    void closeRacingWithManyCallsAwaitsEveryEnteredCallAndNoneEntersAfterIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            Lifecycle lifecycle = new Lifecycle("test");
            AtomicInteger inside = new AtomicInteger();
            AtomicLong entered = new AtomicLong();
            CountDownLatch running = new CountDownLatch(8);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(start(() -> {
                    running.countDown();
                    while (true) {
                        try {
                            lifecycle.enter();
                        } catch (DatabaseClosedException refused) {
                            return;
                        }
                        inside.incrementAndGet();
                        entered.incrementAndGet();
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                        lifecycle.exit();
                    }
                }));
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            while (entered.get() < 1000) {
                Thread.onSpinWait();
            }
            assertThat(lifecycle.close(Duration.ofSeconds(10), Duration.ofSeconds(1))).isZero();
            assertThat(inside.get()).as("a call still inside when close() returned").isZero();
            long atClose = entered.get();
            for (Thread thread : threads) {
                thread.join(10_000);
                assertThat(thread.isAlive()).isFalse();
            }
            assertThat(entered.get()).as("a call entered after close() returned").isEqualTo(atClose);
            assertThat(inside.get()).isZero();
            assertThatThrownBy(lifecycle::enter).isInstanceOf(DatabaseClosedException.class);
        }
    }

    private static Thread start(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    @Test
    void closeWaitsForARunningCallUntilItLeaves() throws Exception {
        Lifecycle lifecycle = new Lifecycle("test");
        lifecycle.enter();
        Thread leaver = start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lifecycle.exit();
        });
        long start = System.nanoTime();
        assertThat(lifecycle.close(Duration.ofSeconds(10), Duration.ofSeconds(1))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150))
                .isLessThan(Duration.ofSeconds(5));
        leaver.join();
    }

    @Test
    void aCallStillRunningAfterTheDrainTimeoutIsCountedAndNewCallsAreRefusedMeanwhile() {
        Lifecycle lifecycle = new Lifecycle("test");
        lifecycle.enter();
        long start = System.nanoTime();
        assertThat(lifecycle.close(Duration.ofMillis(100), Duration.ofMillis(100))).isOne();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(lifecycle.cancelled()).isTrue();
        assertThatThrownBy(lifecycle::enter).isInstanceOf(DatabaseClosedException.class);
        lifecycle.exit();
        assertThat(lifecycle.toString()).contains("calls=0");
    }

    @Test
    void refuseNewWorkRefusesCallsButLetsRunningOnesLeave() {
        Lifecycle lifecycle = new Lifecycle("test");
        lifecycle.enter();
        lifecycle.refuseNewWork();
        assertThatThrownBy(lifecycle::enter).isInstanceOf(DatabaseClosedException.class);
        lifecycle.exit();
        assertThat(lifecycle.close(Duration.ofMillis(100), Duration.ofMillis(100))).isZero();
        assertThat(lifecycle.toString()).contains("calls=0");
    }
}

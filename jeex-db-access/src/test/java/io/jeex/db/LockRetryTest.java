package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LockRetryTest {

    @ParameterizedTest
    @CsvSource({"1, 500, 500", "2, 500, 1000", "3, 500, 2000", "4, 5000, 40000", "8, 5000, 120000", "30, 5000, 120000"})
    void theWaitBeforeARetryDoublesFromTheLockTimeoutUpToTwoMinutes(int retry, long lockTimeoutMs, long waitMs) {
        assertThat(LockRetry.waitBefore(retry, Duration.ofMillis(lockTimeoutMs))).isEqualTo(Duration.ofMillis(waitMs));
    }

    @Test
    void aLockTimeoutIsTriedAgainUpToTheRetriesAndThenThrown() {
        AtomicInteger tries = new AtomicInteger();
        LockRetry retry = new LockRetry("test", Duration.ofMillis(1), 2);
        RuntimeException lockTimeout = new RuntimeException(new SQLException("canceling statement due to lock timeout",
                "55P03"));

        assertThatThrownBy(() -> retry.run("migrating", () -> {
            tries.incrementAndGet();
            throw lockTimeout;
        })).isSameAs(lockTimeout);
        assertThat(tries).hasValue(3);

        tries.set(0);
        assertThat(retry.<String>run("migrating", () -> {
            if (tries.incrementAndGet() < 3) {
                throw lockTimeout;
            }
            return "applied";
        })).isEqualTo("applied");
    }

    @Test
    void anyOtherFailureIsThrownAtOnce() {
        AtomicInteger tries = new AtomicInteger();
        RuntimeException other = new RuntimeException(new SQLException("relation exists", "42P07"));
        assertThatThrownBy(() -> new LockRetry("test", Duration.ofMillis(1), 3).run("migrating", () -> {
            tries.incrementAndGet();
            throw other;
        })).isSameAs(other);
        assertThat(tries).hasValue(1);
    }
}

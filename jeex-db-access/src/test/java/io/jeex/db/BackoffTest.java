package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final JeexDbConfig config = JeexDbConfig.builder("jdbc:postgresql://db/jeex")
            .retry(r -> r.withInitialBackoff(Duration.ofMillis(20)).withBackoffMultiplier(2)
            .withMaxBackoff(Duration.ofMillis(100))
            .withDeadline(Duration.ofSeconds(10))).build();

    @Test
    void waitsAreFullJitterBelowAGrowingBoundThatIsCapped() {
        Backoff backoff = new Backoff(config.retry(), System.nanoTime());
        long[] bounds = {20, 40, 80, 100, 100};
        for (int retry = 1; retry <= bounds.length; retry++) {
            long max = 0;
            for (int i = 0; i < 2_000; i++) {
                long wait = backoff.nextWaitMillis(retry);
                assertThat(wait).isBetween(0L, bounds[retry - 1]);
                max = Math.max(max, wait);
            }
            assertThat(max).as("retry %d reaches close to its bound", retry).isGreaterThan(bounds[retry - 1] / 2);
        }
    }

    @Test
    void noWaitIsAllowedThatEndsAfterTheDeadline() {
        Backoff backoff = new Backoff(config.retry(), System.nanoTime());

        assertThat(backoff.allows(0)).isTrue();
        assertThat(backoff.allows(Duration.ofSeconds(11).toMillis())).isFalse();
    }
}

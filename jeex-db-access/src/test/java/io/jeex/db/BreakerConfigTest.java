package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The breaker configuration the runtime derives from a {@link JeexDbConfig}, without a database. */
class BreakerConfigTest {

    private static final JeexDbConfig CONFIG = JeexDbConfig.builder("jdbc:postgresql://db:5432/jeex").build();

    @Test
    void slowCallsNeverOpenTheBreaker() {
        CircuitBreakerConfig config = DatabaseRuntime.breakerConfig(CONFIG.breaker());

        assertThat(config.getSlowCallDurationThreshold()).as("Resilience4j's default is 60 s")
                .isGreaterThanOrEqualTo(Duration.ofDays(365));
        assertThat(config.getSlowCallRateThreshold()).isEqualTo(100f);

        // a full window of calls that each took an hour, far past Resilience4j's 60 s default
        CircuitBreaker breaker = CircuitBreaker.of("slow", config);
        for (int i = 0; i < CONFIG.breaker().slidingWindowSize(); i++) {
            breaker.acquirePermission();
            breaker.onSuccess(1, TimeUnit.HOURS);
        }
        assertThat(breaker.getMetrics().getNumberOfSlowCalls()).isZero();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void theRestFollowsTheConfiguration() {
        CircuitBreakerConfig config = DatabaseRuntime.breakerConfig(CONFIG.breaker());

        assertThat(config.getSlidingWindowSize()).isEqualTo(CONFIG.breaker().slidingWindowSize());
        assertThat(config.getMinimumNumberOfCalls()).isEqualTo(CONFIG.breaker().minimumCalls());
        assertThat(config.getFailureRateThreshold()).isEqualTo(CONFIG.breaker().failureRateThreshold());
        assertThat(config.getPermittedNumberOfCallsInHalfOpenState())
                .isEqualTo(CONFIG.breaker().permittedCallsInHalfOpenState());
    }
}

package io.jeex.db;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * HikariCP's Micrometer meters, with the acquisition meters fed by {@link Acquirer}: it waits
 * for a connection in short slices (to notice an unreachable server at once), and each slice
 * that ends empty would otherwise count as an acquire timeout and a short acquisition. The
 * slices' own records are dropped on the acquiring thread; the acquirer records the whole wait,
 * and one timeout when the acquire timeout really passed.
 */
final class AcquireMetrics implements MetricsTrackerFactory {

    private final MicrometerMetricsTrackerFactory micrometer;
    private volatile Tracker tracker;

    AcquireMetrics(MeterRegistry registry) {
        this.micrometer = new MicrometerMetricsTrackerFactory(registry);
    }

    @Override
    public IMetricsTracker create(String poolName, PoolStats poolStats) {
        Tracker t = new Tracker(micrometer.create(poolName, poolStats));
        tracker = t;
        return t;
    }

    /** @return the pool's tracker, once HikariCP created it; null before */
    Tracker tracker() {
        return tracker;
    }

    /** Delegates to Micrometer's tracker, except acquisition records made inside a slice. */
    static final class Tracker implements IMetricsTracker {
        private final IMetricsTracker delegate;
        private final ThreadLocal<Boolean> slicing = new ThreadLocal<>();

        Tracker(IMetricsTracker delegate) {
            this.delegate = delegate;
        }

        void slicing(boolean on) {
            if (on) {
                slicing.set(Boolean.TRUE);
            } else {
                slicing.remove();
            }
        }

        void acquired(long nanos) {
            delegate.recordConnectionAcquiredNanos(nanos);
        }

        void timedOut(long nanos) {
            delegate.recordConnectionAcquiredNanos(nanos);
            delegate.recordConnectionTimeout();
        }

        @Override
        public void recordConnectionCreatedMillis(long millis) {
            delegate.recordConnectionCreatedMillis(millis);
        }

        @Override
        public void recordConnectionAcquiredNanos(long nanos) {
            if (slicing.get() == null) {
                delegate.recordConnectionAcquiredNanos(nanos);
            }
        }

        @Override
        public void recordConnectionUsageMillis(long millis) {
            delegate.recordConnectionUsageMillis(millis);
        }

        @Override
        public void recordConnectionTimeout() {
            if (slicing.get() == null) {
                delegate.recordConnectionTimeout();
            }
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}

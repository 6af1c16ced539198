package io.jeex.db;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a health check at a fixed delay on one daemon thread; the checker updates the gauges and
 * logs each change of status once. The first check runs one interval after the start (a service
 * usually migrates right after creating the handle; a check before that would report the pending
 * migration).
 */
final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    private final ScheduledExecutorService timer;

    private HealthMonitor(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * @param name the instance name, for the thread name
     * @param checker the checker
     * @param interval the delay between checks; not zero
     * @return the running monitor
     */
    public static HealthMonitor start(String name, HealthChecker checker, Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jeex-db-monitor-" + name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                checker.check();
            } catch (RuntimeException e) {
                LOG.warn("{}: health monitor check failed: {}", name, e.toString());
            }
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        LOG.debug("{}: health monitor started, every {}", name, Durations.ms(interval));
        return new HealthMonitor(timer);
    }

    /** Stops the checks; a running check is interrupted. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}

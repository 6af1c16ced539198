package io.jeex.db;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.jeex.db.ReplicaNode.Reading;
import io.jeex.db.ReplicaNode.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read replicas and their lag probes: one probe per replica on a thread of its own (a replica
 * that hangs delays only its own probe), every {@link ReplicaConfig#lagProbeInterval()}. Ranks the
 * replicas for a read ({@link #rank}): only standbys whose last reading is fresh, whose lag is
 * within {@link ReplicaConfig#maxLag()} (with {@link ReadConsistency#REPLICA}, also servers not in
 * recovery) and whose breaker is not open, least lag first, replicas
 * of equal lag taken in turn. {@link #close()} stops the probes and waits for their threads.
 */
final class ReplicaSet implements AutoCloseable {

    private final List<ReplicaNode> nodes;
    private final List<LagProbe> probes;
    private final long maxLagNanos;
    private final long staleNanos;
    private final boolean anyServer;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicInteger turn = new AtomicInteger();

    /**
     * @param name the instance name (thread names)
     * @param nodes the replicas, in configured order
     * @param probes their probes, in the same order
     * @param config the lag bound and the probe interval
     * @param socketTimeout the probes' connect and socket timeout: a reading older than two
     *     intervals plus two of these means the probe is stuck, and the replica is not used
     */
    ReplicaSet(String name, List<ReplicaNode> nodes, List<LagProbe> probes, ReplicaConfig config,
               Duration socketTimeout) {
        this.nodes = List.copyOf(nodes);
        this.probes = List.copyOf(probes);
        this.maxLagNanos = config.maxLag().toNanos();
        this.staleNanos = 2 * config.lagProbeInterval().toNanos() + 2 * socketTimeout.toNanos();
        this.anyServer = config.readConsistency() == ReadConsistency.REPLICA;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = new ScheduledThreadPoolExecutor(nodes.size(), r -> {
            Thread t = new Thread(r, "jeex-db-replica-probe-" + name + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long interval = config.lagProbeInterval().toNanos();
        for (LagProbe p : this.probes) {
            scheduler.scheduleWithFixedDelay(p, 0, interval, TimeUnit.NANOSECONDS);
        }
    }

    /** @return the replicas, in configured order */
    List<ReplicaNode> nodes() {
        return nodes;
    }

    /** @return the replicas a read may use now, best first; empty sends it to the primary */
    List<ReplicaNode> candidates() {
        List<Reading> readings = new ArrayList<>(nodes.size());
        List<Boolean> open = new ArrayList<>(nodes.size());
        for (ReplicaNode node : nodes) {
            readings.add(node.reading());
            CircuitBreaker.State s = node.breaker().getState();
            open.add(s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN);
        }
        List<Integer> order = rank(readings, open, maxLagNanos, staleNanos, anyServer, System.nanoTime(),
                turn.getAndIncrement());
        List<ReplicaNode> ranked = new ArrayList<>(order.size());
        for (int i : order) {
            ranked.add(nodes.get(i));
        }
        return ranked;
    }

    /**
     * @param node a replica
     * @return whether a read may use it now (the rule of {@link #rank})
     */
    boolean serving(ReplicaNode node) {
        CircuitBreaker.State s = node.breaker().getState();
        return eligible(node.reading(), s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN,
                maxLagNanos, staleNanos, anyServer, System.nanoTime());
    }

    /**
     * The routing rule, without I/O.
     *
     * @param readings each replica's last reading, in configured order
     * @param breakerOpen whether each replica's breaker is open
     * @param maxLagNanos the lag bound
     * @param staleNanos how old a reading may be
     * @param anyServer whether a server that is not in recovery may serve reads too (with
     *     {@link ReadConsistency#REPLICA}: reads whatever the server has), as if it had no lag
     * @param now now ({@link System#nanoTime()})
     * @param turn a counter: among replicas of equal lag, the one after {@code turn} (mod their count) comes first
     * @return the indexes of the eligible replicas, least lag first
     */
    static List<Integer> rank(List<Reading> readings, List<Boolean> breakerOpen, long maxLagNanos, long staleNanos,
                              boolean anyServer, long now, int turn) {
        int n = readings.size();
        List<Integer> eligible = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (eligible(readings.get(i), breakerOpen.get(i), maxLagNanos, staleNanos, anyServer, now)) {
                eligible.add(i);
            }
        }
        int offset = Math.floorMod(turn, Math.max(1, n));
        eligible.sort(Comparator.<Integer, Duration>comparing(i -> readings.get(i).lag() == null ? Duration.ZERO
                        : readings.get(i).lag())
                .thenComparingInt(i -> Math.floorMod(i - offset, n)));
        return eligible;
    }

    private static boolean eligible(Reading r, boolean breakerOpen, long maxLagNanos, long staleNanos,
                                    boolean anyServer, long now) {
        boolean usable = r.state() == State.STANDBY && r.lag() != null && r.lag().toNanos() <= maxLagNanos
                || anyServer && r.state() == State.NOT_STANDBY;
        return usable && now - r.atNanos() <= staleNanos && !breakerOpen;
    }

    /** Stops the probes, waits for their threads (a probe blocked on a silent server is cut off by closing its connections). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        probes.forEach(LagProbe::close);
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        probes.forEach(LagProbe::close);
    }
}

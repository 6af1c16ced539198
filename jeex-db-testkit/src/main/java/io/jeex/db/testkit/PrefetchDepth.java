package io.jeex.db.testkit;

/**
 * How many clones to keep ready: enough to cover the time one clone takes to make at the rate
 * tests ask for them, plus one, that is {@code clamp(ceil(p / a) + 1, 1, 16)}, where <i>p</i> is
 * a moving average of the time to make a clone and <i>a</i> one of the time between two requests.
 * Until both have been measured, the configured depth ({@link TestkitSettings#PREFETCH}) applies.
 * Averages lag behind a burst, so a request that finds no clone ready also doubles a floor under
 * the depth ({@link #recordMiss()}, at most {@value #MAX}), and every {@value #HITS_TO_SHRINK}
 * requests in a row that found one lower it by one ({@link #recordHit()}).
 *
 * <p>Measurements are given as {@link System#nanoTime()} values by the caller, so the rule is
 * tested without clocks. Thread-safe: the prefetch thread records provisions, tests record
 * requests.
 */
final class PrefetchDepth {

    /** The smallest depth. */
    static final int MIN = 1;

    /**
     * The largest depth: the most clones the prefetcher keeps ready (recycled clones come back on
     * top of those, up to {@code ClonePool.READY_MAX}).
     */
    static final int MAX = 16;

    /** Weight of a new measurement in the moving averages. */
    private static final double ALPHA = 0.2;

    /** Requests in a row that found a clone ready, after which the floor is lowered by one. */
    static final int HITS_TO_SHRINK = 32;

    private final int initial;
    private int floor = MIN;
    private int hits;
    private double provisionNanos = -1;
    private double interArrivalNanos = -1;
    private long lastRequest;
    private boolean requested;

    /**
     * @param initial the depth until both rates are known; clamped to {@value #MIN}..{@value #MAX}
     */
    PrefetchDepth(int initial) {
        this.initial = clamp(initial);
    }

    /**
     * The rule itself.
     *
     * @param provisionNanos time to make one clone (&gt;= 0)
     * @param interArrivalNanos time between two requests (&gt;= 0)
     * @return {@code clamp(ceil(provision / interArrival) + 1, 1, 16)}: {@value #MIN} when a clone
     *     takes no measurable time, {@value #MAX} when requests come at no measurable interval
     */
    static int of(double provisionNanos, double interArrivalNanos) {
        if (provisionNanos <= 0) {
            return MIN;
        }
        if (interArrivalNanos <= 0) {
            return MAX;
        }
        double needed = Math.ceil(provisionNanos / interArrivalNanos) + 1;
        return needed >= MAX ? MAX : clamp((int) needed);
    }

    /** Records that a clone took {@code nanos} to make. */
    synchronized void recordProvision(long nanos) {
        provisionNanos = average(provisionNanos, Math.max(0, nanos));
    }

    /** Records a request for a clone at {@code nanoTime} ({@link System#nanoTime()}). */
    synchronized void recordRequest(long nanoTime) {
        if (requested) {
            interArrivalNanos = average(interArrivalNanos, Math.max(0, nanoTime - lastRequest));
        }
        requested = true;
        lastRequest = nanoTime;
    }

    /** Records that a request found no clone ready: the floor doubles, up to {@value #MAX}. */
    synchronized void recordMiss() {
        floor = Math.min(MAX, current() * 2);
        hits = 0;
    }

    /** Records that a request found a clone ready; a long enough run of these lowers the floor. */
    synchronized void recordHit() {
        if (++hits >= HITS_TO_SHRINK) {
            hits = 0;
            floor = Math.max(MIN, floor - 1);
        }
    }

    /** @return the depth to keep now: the rule's, or the floor if higher */
    synchronized int current() {
        int byRates = provisionNanos < 0 || interArrivalNanos < 0 ? initial : of(provisionNanos, interArrivalNanos);
        return Math.max(byRates, floor);
    }

    private static double average(double previous, double sample) {
        return previous < 0 ? sample : previous + ALPHA * (sample - previous);
    }

    private static int clamp(int depth) {
        return Math.max(MIN, Math.min(MAX, depth));
    }

    @Override
    public synchronized String toString() {
        return "PrefetchDepth[current=" + current() + ", floor=" + floor + ", provisionMs=" + provisionNanos / 1e6
                + ", interArrivalMs=" + interArrivalNanos / 1e6 + "]";
    }
}

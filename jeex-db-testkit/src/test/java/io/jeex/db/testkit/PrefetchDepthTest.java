package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The prefetch depth, {@code clamp(ceil(p / a) + 1, 1, 16)}, by a table and with given timestamps: no clock. */
class PrefetchDepthTest {

    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "p={0} ms, a={1} ms: depth {2}")
    @CsvSource(textBlock = """
            # provision ms, inter-arrival ms, depth
            300,  10,   16
            300,  20,   16
            300,  25,   13
            100,  50,   3
            100,  100,  2
            100,  99,   3
            50,   1000, 2
            0,    10,   1
            300,  0,    16
            0,    0,    1
            """)
    void coversTheTimeToMakeAcloneAtTheRateOfRequestsPlusOne(double provisionMs, double interArrivalMs, int depth) {
        assertThat(PrefetchDepth.of(provisionMs * MS, interArrivalMs * MS)).isEqualTo(depth);
    }

    @Test
    void theConfiguredDepthAppliesUntilBothRatesAreMeasured() {
        PrefetchDepth depth = new PrefetchDepth(2);
        assertThat(depth.current()).isEqualTo(2);

        depth.recordProvision(300 * MS);
        assertThat(depth.current()).as("no interval between requests yet").isEqualTo(2);
        depth.recordRequest(1_000 * MS);
        assertThat(depth.current()).as("one request is no interval").isEqualTo(2);

        depth.recordRequest(1_100 * MS);
        assertThat(depth.current()).as("300 ms per clone, a request every 100 ms").isEqualTo(4);
    }

    @Test
    void theDepthFollowsTheRatesAsTheyChange() {
        PrefetchDepth depth = new PrefetchDepth(2);
        depth.recordProvision(100 * MS);
        long now = 0;
        depth.recordRequest(now);
        for (int i = 0; i < 50; i++) {
            depth.recordRequest(now += 5 * MS);
        }
        assertThat(depth.current()).as("requests every 5 ms, a clone per 100 ms: the most").isEqualTo(PrefetchDepth.MAX);

        for (int i = 0; i < 50; i++) {
            depth.recordRequest(now += 1_000 * MS);
        }
        assertThat(depth.current()).as("requests every second: one ready and one more").isEqualTo(2);
    }

    @Test
    void theConfiguredDepthIsClampedToTheRange() {
        assertThat(new PrefetchDepth(0).current()).isEqualTo(PrefetchDepth.MIN);
        assertThat(new PrefetchDepth(99).current()).isEqualTo(PrefetchDepth.MAX);
    }

    @Test
    void aRequestThatFindsNoCloneReadyDoublesTheDepthAndALongRunOfHitsLowersItAgain() {
        PrefetchDepth depth = new PrefetchDepth(2);
        // rates that ask for 2: a reset of 20 ms, a request every 40 ms
        depth.recordProvision(20 * MS);
        depth.recordRequest(0);
        depth.recordRequest(40 * MS);
        assertThat(depth.current()).isEqualTo(2);

        depth.recordMiss();
        assertThat(depth.current()).as("one miss").isEqualTo(4);
        depth.recordMiss();
        depth.recordMiss();
        depth.recordMiss();
        assertThat(depth.current()).as("doubling stops at the most").isEqualTo(PrefetchDepth.MAX);

        for (int i = 0; i < PrefetchDepth.HITS_TO_SHRINK - 1; i++) {
            depth.recordHit();
        }
        assertThat(depth.current()).as("one hit short of a run").isEqualTo(PrefetchDepth.MAX);
        depth.recordHit();
        assertThat(depth.current()).as("a run of hits lowers it by one").isEqualTo(PrefetchDepth.MAX - 1);

        depth.recordMiss();
        assertThat(depth.current()).as("a miss doubles again from where it is").isEqualTo(PrefetchDepth.MAX);
        for (int i = 0; i < PrefetchDepth.HITS_TO_SHRINK * 40; i++) {
            depth.recordHit();
        }
        assertThat(depth.current()).as("the floor falls back under the rates' depth, which applies again").isEqualTo(2);
    }
}

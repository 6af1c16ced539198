package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.ReplicaNode.Reading;
import io.jeex.db.ReplicaNode.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure rules behind several replicas: the ranking, the lag estimate, multi-host URLs, the replica list. */
class ReplicaRoutingRulesTest {

    private static final long MS = 1_000_000L;
    private static final long NOW = 1_000_000 * MS;

    private static Reading standby(long lagMs) {
        return new Reading(State.STANDBY, Duration.ofMillis(lagMs), NOW - 10 * MS, null);
    }

    @Test
    void readsGoToTheLeastLaggingEligibleReplicaAndSkipThoseOverTheBoundDownOrOpen() {
        long bound = 1000 * MS;
        long stale = 5000 * MS;
        assertThat(ReplicaSet.rank(List.of(standby(300), standby(20)), List.of(false, false), bound, stale, false, NOW, 0))
                .as("least lag first").containsExactly(1, 0);
        assertThat(ReplicaSet.rank(List.of(standby(1500), standby(20)), List.of(false, false), bound, stale, false, NOW, 0))
                .as("over the bound: skipped").containsExactly(1);
        assertThat(ReplicaSet.rank(List.of(standby(1000)), List.of(false), bound, stale, false, NOW, 0))
                .as("at the bound: used").containsExactly(0);
        assertThat(ReplicaSet.rank(List.of(standby(1500), standby(2000)), List.of(false, false), bound, stale, false, NOW, 0))
                .as("none qualifies: the primary").isEmpty();
        assertThat(ReplicaSet.rank(List.of(standby(10), standby(20)), List.of(true, false), bound, stale, false, NOW, 0))
                .as("breaker open: skipped").containsExactly(1);
        assertThat(ReplicaSet.rank(List.of(new Reading(State.DOWN, null, NOW, "x"), new Reading(State.NOT_STANDBY,
                        null, NOW, null), new Reading(State.UNKNOWN, null, NOW, null), standby(5)),
                List.of(false, false, false, false), bound, stale, false, NOW, 0)).containsExactly(3);
        assertThat(ReplicaSet.rank(List.of(new Reading(State.STANDBY, Duration.ZERO, NOW - 6000 * MS, null)),
                List.of(false), bound, stale, false, NOW, 0)).as("a stale reading (probe stuck): skipped").isEmpty();
        List<Reading> promoted = List.of(new Reading(State.NOT_STANDBY, null, NOW, null), standby(30));
        assertThat(ReplicaSet.rank(promoted, List.of(false, false), bound, stale, false, NOW, 0))
                .as("read-your-writes: never a server that is not in recovery").containsExactly(1);
        assertThat(ReplicaSet.rank(promoted, List.of(false, false), bound, stale, true, NOW, 0))
                .as("REPLICA consistency: any server, a primary as if without lag").containsExactly(0, 1);
    }

    @Test
    void replicasOfEqualLagTakeTurns() {
        List<Reading> equal = List.of(standby(0), standby(0), standby(0));
        List<Boolean> closed = List.of(false, false, false);
        assertThat(ReplicaSet.rank(equal, closed, MS, 5000 * MS, false, NOW, 0).get(0)).isEqualTo(0);
        assertThat(ReplicaSet.rank(equal, closed, MS, 5000 * MS, false, NOW, 1).get(0)).isEqualTo(1);
        assertThat(ReplicaSet.rank(equal, closed, MS, 5000 * MS, false, NOW, 5).get(0)).isEqualTo(2);
    }

    @Test
    void theLagIsZeroWhenCaughtUpAndOtherwiseTheLesserOfTwoUpperBounds() {
        LagEstimate e = new LagEstimate(Duration.ofSeconds(3));
        assertThat(e.lag(NOW, 100, Duration.ofHours(2))).as("no sample yet: the last commit's age")
                .isEqualTo(Duration.ofHours(2));
        e.primaryAt(NOW - 2000 * MS, 100);
        e.primaryAt(NOW - 1000 * MS, 200);
        e.primaryAt(NOW - 10 * MS, 300);
        assertThat(e.lag(NOW, 300, Duration.ofHours(2))).as("idle primary, replayed its position").isZero();
        assertThat(e.lag(NOW, 250, Duration.ofHours(2))).as("last sample it passed was 1 s ago")
                .isEqualTo(Duration.ofMillis(1000));
        assertThat(e.lag(NOW, 250, Duration.ofMillis(40))).as("steady writes: the last commit is 40 ms old")
                .isEqualTo(Duration.ofMillis(40));
        assertThat(e.lag(NOW, 50, Duration.ofMillis(2500))).as("behind every sample")
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(e.lag(NOW, 50, null)).isEqualTo(Duration.ofMillis(2000));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db:5432/jeex | jdbc:postgresql://db:5432/jeex | jdbc:postgresql://db:5432/jeex",
        "jdbc:postgresql://a:5432,b:5432/jeex | jdbc:postgresql://a:5432,b:5432/jeex?targetServerType=primary"
            + " | jdbc:postgresql://a:5432,b:5432/jeex?targetServerType=preferSecondary",
        "jdbc:postgresql://a,b/jeex?ssl=true | jdbc:postgresql://a,b/jeex?ssl=true&targetServerType=primary"
            + " | jdbc:postgresql://a,b/jeex?ssl=true&targetServerType=preferSecondary",
        "jdbc:postgresql://a,b/jeex?targetServerType=secondary | jdbc:postgresql://a,b/jeex?targetServerType=secondary"
            + " | jdbc:postgresql://a,b/jeex?targetServerType=secondary",
    })
    void multiHostUrlsAskForThePrimaryOrPreferAStandbyUnlessTheySayOtherwise(String url, String writer, String reader) {
        assertThat(MultiHostUrls.writer(url)).isEqualTo(writer);
        assertThat(MultiHostUrls.reader(url)).isEqualTo(reader);
    }

    @Test
    void replicaUrlsAreSplitOnCommasBeforeJdbcOnly() {
        assertThat(EnvironmentConfig.replicaUrls("jdbc:postgresql://r1:5432/jeex, jdbc:postgresql://r2:5432,r3:5432/jeex"))
                .containsExactly("jdbc:postgresql://r1:5432/jeex", "jdbc:postgresql://r2:5432,r3:5432/jeex");
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db/jeex",
                "JEEX_DB_REPLICA_URLS", "jdbc:postgresql://r1/jeex,jdbc:postgresql://r2/jeex",
                "JEEX_DB_REPLICA_MAX_LAG", "250ms", "JEEX_DB_REPLICA_LAG_PROBE_INTERVAL", "100ms"));
        assertThat(config.replica().urls()).containsExactly("jdbc:postgresql://r1/jeex", "jdbc:postgresql://r2/jeex");
        assertThat(config.replica().maxLag()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.replica().lagProbeInterval()).isEqualTo(Duration.ofMillis(100));
        assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db/jeex",
                "JEEX_DB_REPLICA_URL", "jdbc:postgresql://r1/jeex", "JEEX_DB_REPLICA_URLS", "jdbc:postgresql://r2/jeex")))
                .hasMessageContaining("JEEX_DB_REPLICA_URL and JEEX_DB_REPLICA_URLS must not both be set");
    }

    @Test
    void anEmptyEntryInTheReplicaListIsRefusedNotReadAsAnOddUrl() {
        for (String list : List.of("jdbc:postgresql://r1/jeex,,jdbc:postgresql://r2/jeex",
                "jdbc:postgresql://r1/jeex,jdbc:postgresql://r2/jeex,", ",jdbc:postgresql://r1/jeex",
                "jdbc:postgresql://r1/jeex, ,jdbc:postgresql://r2/jeex")) {
            assertThatThrownBy(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db/jeex",
                    "JEEX_DB_REPLICA_URLS", list)))
                    .as(list).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("JEEX_DB_REPLICA_URLS: ")
                    .hasMessageContaining("empty entry").hasMessageContaining("one comma")
                    .hasMessageNotContaining("r1");
        }
        // a space after a comma, and a multi-host URL's own commas, stay as they were
        assertThat(EnvironmentConfig.replicaUrls(" jdbc:postgresql://r1/jeex ,  jdbc:postgresql://r2:1,r3:2/jeex "))
                .containsExactly("jdbc:postgresql://r1/jeex", "jdbc:postgresql://r2:1,r3:2/jeex");
    }

    @Test
    void aNullReplicaUrlIsNamedByItsIndex() {
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withUrls(java.util.Arrays.asList("jdbc:postgresql://r1/jeex",
                null))).isInstanceOf(NullPointerException.class).hasMessage("replicaUrls[1]");
    }

    @Test
    void replicaSettingsAreValidatedWithMaskedUrls() {
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withMaxLag(Duration.ZERO))
                .hasMessage("replicaMaxLag must be at least 1 ms, but was 0 ms");
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withLagProbeInterval(Duration.ofMillis(5)))
                .hasMessage("replicaLagProbeInterval must be at least 10 ms, but was 5 ms");
        String secret = "s3cr3t-replica";
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withUrls(List.of("jdbc:postgresql://r/j?password=" + secret,
                "jdbc:postgresql://r/j?password=" + secret)))
                .hasMessageStartingWith("replicaUrls must not list the same URL twice").hasMessageNotContaining(secret);
        assertThatThrownBy(() -> ReplicaConfig.DEFAULTS.withUrls(List.of("jdbc:postgresql://r/j",
                "jdbc:mysql://r/j?password=" + secret)))
                .hasMessageStartingWith("replicaUrls[1] must be a PostgreSQL JDBC URL").hasMessageNotContaining(secret);
        assertThat(ReplicaConfig.DEFAULTS.withUrls(List.of("jdbc:postgresql://r/j?password=" + secret)).toString())
                .doesNotContain(secret).contains("replicaMaxLag=PT1S");
    }
}

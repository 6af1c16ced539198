package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link PromQl} finds in the constructs that our rules and dashboard use. */
class PromQlTest {

    @Test
    void selectorsKeepTheirMatchersAndFunctionsAggregationsAndKeywordsAreNoMetrics() {
        PromQl.Reads reads = PromQl.read("sum by (job, pool) (rate(jeex_db_transaction_seconds_count{outcome=\"failed\","
                + " category!~'none|x'}[5m])) / ignoring (category) group_left sum without (name) (x_total offset 1m)"
                + " > bool 0.05 and on(job) up # a comment naming not_a_metric");

        assertThat(reads.selectors()).extracting(PromQl.Selector::metric)
                .containsExactly("jeex_db_transaction_seconds_count", "x_total", "up");
        assertThat(reads.selectors().get(0).text())
                .isEqualTo("jeex_db_transaction_seconds_count{outcome=\"failed\",category!~'none|x'}");
        assertThat(reads.selectors().get(0).labels()).containsExactly("outcome", "category");
        assertThat(reads.groupingLabels()).containsExactly("job", "pool", "category", "name");
    }

    @Test
    void labelReplaceReadsItsSourceAndCreatesItsDestination() {
        PromQl.Reads reads = PromQl.read("a == 1 and on (name) label_replace(hikaricp_connections_max{x=~\"y|z\"},"
                + " \"name\", \"$1\", \"pool\", \"(.+)\")");

        assertThat(reads.selectors()).extracting(PromQl.Selector::metric).containsExactly("a", "hikaricp_connections_max");
        assertThat(reads.selectors().get(1).labels()).containsExactly("x");
        assertThat(reads.groupingLabels()).containsExactly("name", "pool");
        assertThat(reads.createdLabels()).containsExactly("name");
    }

    @Test
    void grafanaVariablesAreNeitherMetricsNorLabels() {
        PromQl.Reads reads = PromQl.read("max by (db_operation_name) (rate(x_sum{pool=~\"$pool\"}[$__rate_interval]))");

        assertThat(reads.selectors()).singleElement().satisfies(s -> {
            assertThat(s.metric()).isEqualTo("x_sum");
            assertThat(s.text()).isEqualTo("x_sum{pool=~\"$pool\"}");
        });
        assertThat(reads.groupingLabels()).isEqualTo(java.util.Set.of("db_operation_name"));
    }

    @Test
    void aBareMatcherIsASelectorWithoutName() {
        assertThat(PromQl.read("count({__name__=~\"jeex_.+\"})").selectors())
                .extracting(PromQl.Selector::metric, PromQl.Selector::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(null, "{__name__=~\"jeex_.+\"}"));
    }
}

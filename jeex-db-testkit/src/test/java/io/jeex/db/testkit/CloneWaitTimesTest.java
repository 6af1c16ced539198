package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A measuring harness as much as a test: runs a sequence of short "tests" (take a clone, write
 * a few rows, close it) with prefetching off and on, checks that every test got its own
 * migrated database, and logs how long the tests waited for their clones. The figures are
 * reported, never asserted (shared machines are noisy).
 */
class CloneWaitTimesTest {

    private static final Logger LOG = LoggerFactory.getLogger(CloneWaitTimesTest.class);
    private static final int TESTS = 30;

    @Test
    void everyTestGetsAFreshMigratedCloneWithAndWithoutPrefetching() {
        double off = run(0);
        double on = run(TestkitSettings.DEFAULT_PREFETCH);
        LOG.info("clone wait, median over {} tests: prefetch off {} ms, prefetch on {} ms", TESTS,
                String.format(Locale.ROOT, "%.1f", off), String.format(Locale.ROOT, "%.1f", on));
    }

    private static double run(int prefetch) {
        JeexPostgres shared = JeexPostgres.shared();
        JeexPostgres postgres = JeexPostgres.start(TestkitSettings.of(Map.of(
                TestkitSettings.URL, shared.jdbcUrl("postgres"),
                TestkitSettings.USER, "postgres",
                TestkitSettings.PREFETCH, Integer.toString(prefetch)), Map.of()));
        List<Long> waits = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try {
            postgres.templateName();
            for (int i = 0; i < TESTS; i++) {
                long started = System.nanoTime();
                try (TestDatabase db = postgres.newDatabase()) {
                    waits.add(System.nanoTime() - started);
                    assertThat(names.add(db.name())).isTrue();
                    DSLContext dsl = db.dsl();
                    assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(0L);
                    dsl.transaction(tx -> {
                        for (int row = 0; row < 10; row++) {
                            tx.dsl().execute("insert into users (email, name) values (?, 'n')", row + "@example.com");
                        }
                    });
                }
            }
        } finally {
            postgres.shutdown();
        }
        waits.sort(null);
        double median = waits.get(TESTS / 2) / 1e6;
        LOG.info("prefetch={}: clone wait median {} ms, p90 {} ms, max {} ms", prefetch,
                String.format(Locale.ROOT, "%.1f", median),
                String.format(Locale.ROOT, "%.1f", waits.get(TESTS * 9 / 10) / 1e6),
                String.format(Locale.ROOT, "%.1f", waits.get(TESTS - 1) / 1e6));
        return median;
    }
}

package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.RetryPolicy.Breaker;
import io.jeex.db.RetryPolicy.Decision;
import io.jeex.db.RetryPolicy.Mode;
import io.jeex.db.RetryPolicy.Outcome;
import io.jeex.db.RetryPolicy.Situation;
import io.jeex.db.RetryPolicy.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retry decision for every combination of category x stage x idempotent x read-only x
 * nested x single-statement x mode (17 x 3 x 2 x 2 x 2 x 2 x 3 = 2,448 cases, each one
 * invocation of {@link #everyCombinationHasItsDecision}). The expected decision comes from the
 * specification below, written as rules (first match wins; {@code *} matches anything), not
 * from the implementation.
 */
class RetryPolicyTest {

    /**
     * category, stage, idempotent, readOnly, nested, singleStatement, mode -> retry, breaker, outcome.
     * "commit-like" stages: COMMIT, and AFTER_STATEMENT of single-statement work (the statement
     * commits as it runs).
     */
    private static final String[] SPEC = {
        // a nested call never decides: the outermost call retries and records
        "*                    * * * true  * *             -> false IGNORE  NOT_COMMITTED",
        // the work's own exceptions and closing: the database is not to blame, nothing is repeated
        "WORK_EXCEPTION       * * * *     * *             -> false IGNORE  NOT_COMMITTED",
        "CLOSED               * * * *     * *             -> false IGNORE  NOT_COMMITTED",
        // a refused login fails the same way until the configuration changes
        "AUTHENTICATION_FAILED * * * *    * *             -> false FAILURE NOT_COMMITTED",
        // a standby refused the write (25006): it wrote nothing; a new connection may reach the primary
        "NOT_PRIMARY          * * * *     * *             -> true  FAILURE NOT_COMMITTED",
        // contention: the server rolled back; running again can win
        "SERIALIZATION_FAILURE * * * *    * *             -> true  SUCCESS NOT_COMMITTED",
        "DEADLOCK             * * * *     * *             -> true  SUCCESS NOT_COMMITTED",
        "LOCK_NOT_AVAILABLE   * * * *     * *             -> false SUCCESS NOT_COMMITTED",
        // lost connections (and pool timeouts, which only happen before a statement)
        // read-only work commits nothing: always safe to run again
        "CONNECTION_FAILURE   * * true *  * *             -> true  FAILURE NOT_COMMITTED",
        "POOL_TIMEOUT         * * true *  * *             -> true  FAILURE NOT_COMMITTED",
        // before any statement nothing can have happened
        "CONNECTION_FAILURE   BEFORE_STATEMENT * * * * *  -> true  FAILURE NOT_COMMITTED",
        "POOL_TIMEOUT         BEFORE_STATEMENT * * * * *  -> true  FAILURE NOT_COMMITTED",
        // commit-like: the outcome is unknown; only the library's own writes resolve it and run again
        "CONNECTION_FAILURE   COMMIT * * * * LIBRARY_WRITE          -> true  FAILURE UNKNOWN",
        "CONNECTION_FAILURE   COMMIT * * * * *                      -> false FAILURE UNKNOWN",
        "CONNECTION_FAILURE   AFTER_STATEMENT * * * true LIBRARY_WRITE -> true FAILURE UNKNOWN",
        "CONNECTION_FAILURE   AFTER_STATEMENT * * * true *          -> false FAILURE UNKNOWN",
        "POOL_TIMEOUT         COMMIT * * * * LIBRARY_WRITE          -> true  FAILURE UNKNOWN",
        "POOL_TIMEOUT         COMMIT * * * * *                      -> false FAILURE UNKNOWN",
        "POOL_TIMEOUT         AFTER_STATEMENT * * * true LIBRARY_WRITE -> true FAILURE UNKNOWN",
        "POOL_TIMEOUT         AFTER_STATEMENT * * * true *          -> false FAILURE UNKNOWN",
        // after a statement of a transaction (the server rolls it back): only if it may run twice
        "CONNECTION_FAILURE   AFTER_STATEMENT * * * * LIBRARY_WRITE -> true  FAILURE NOT_COMMITTED",
        "CONNECTION_FAILURE   AFTER_STATEMENT true * * * *          -> true  FAILURE NOT_COMMITTED",
        "CONNECTION_FAILURE   AFTER_STATEMENT false * * * *         -> false FAILURE NOT_COMMITTED",
        "POOL_TIMEOUT         AFTER_STATEMENT * * * * LIBRARY_WRITE -> true  FAILURE NOT_COMMITTED",
        "POOL_TIMEOUT         AFTER_STATEMENT true * * * *          -> true  FAILURE NOT_COMMITTED",
        "POOL_TIMEOUT         AFTER_STATEMENT false * * * *         -> false FAILURE NOT_COMMITTED",
        // every other answer of the database: it works; the error is the caller's to handle
        "*                    * * * *     * *             -> false SUCCESS NOT_COMMITTED",
    };

    private record Rule(String[] when, Decision then) {
        boolean matches(Situation s) {
            Object[] values = {s.category(), s.stage(), s.idempotent(), s.readOnly(), s.nested(), s.singleStatement(),
                s.mode()};
            for (int i = 0; i < values.length; i++) {
                if (!when[i].equals("*") && !when[i].equals(String.valueOf(values[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Rule> RULES = new ArrayList<>();

    static {
        for (String line : SPEC) {
            String[] sides = line.split("->");
            String[] when = sides[0].trim().split("\\s+");
            String[] then = sides[1].trim().split("\\s+");
            if (when.length != 7 || then.length != 3) {
                throw new IllegalStateException("malformed rule: " + line);
            }
            RULES.add(new Rule(when, new Decision(Boolean.parseBoolean(then[0]), Breaker.valueOf(then[1]),
                    Outcome.valueOf(then[2]))));
        }
    }

    private static Decision expected(Situation s) {
        return RULES.stream().filter(r -> r.matches(s)).findFirst().orElseThrow().then();
    }

    static Stream<Arguments> everyCombination() {
        List<Arguments> all = new ArrayList<>();
        for (Category c : Category.values()) {
            for (Stage stage : Stage.values()) {
                for (boolean idempotent : new boolean[] {false, true}) {
                    for (boolean readOnly : new boolean[] {false, true}) {
                        for (boolean nested : new boolean[] {false, true}) {
                            for (boolean single : new boolean[] {false, true}) {
                                for (Mode mode : Mode.values()) {
                                    Situation s = new Situation(c, stage, idempotent, readOnly, nested, single, mode);
                                    all.add(Arguments.of(s, expected(s)));
                                }
                            }
                        }
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyCombination")
    void everyCombinationHasItsDecision(Situation situation, Decision expected) {
        assertThat(new RetryPolicy(false).decide(situation)).isEqualTo(expected);
    }

    @Test
    void theTableCoversEveryCombinationOnce() {
        Set<Situation> seen = new HashSet<>();
        everyCombination().forEach(a -> assertThat(seen.add((Situation) a.get()[0])).isTrue());
        assertThat(seen).hasSize(Category.values().length * Stage.values().length * 2 * 2 * 2 * 2
                * Mode.values().length);
        // every rule of the specification decides at least one case (none is dead)
        Set<Rule> used = new HashSet<>();
        seen.forEach(s -> used.add(RULES.stream().filter(r -> r.matches(s)).findFirst().orElseThrow()));
        assertThat(used).hasSameSizeAs(RULES);
    }

    @Test
    void lockTimeoutsAreRetriedOnlyWhenConfigured() {
        for (Stage stage : Stage.values()) {
            Situation s = new Situation(Category.LOCK_NOT_AVAILABLE, stage, false, false, false, false, Mode.CALLER);
            assertThat(new RetryPolicy(true).decide(s)).isEqualTo(new Decision(true, Breaker.SUCCESS,
                    Outcome.NOT_COMMITTED));
            assertThat(new RetryPolicy(false).decide(s).retry()).isFalse();
            Situation nested = new Situation(Category.LOCK_NOT_AVAILABLE, stage, false, false, true, false, Mode.CALLER);
            assertThat(new RetryPolicy(true).decide(nested).retry()).as("nested: the outermost call decides").isFalse();
        }
    }
}

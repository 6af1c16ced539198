package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.error.JeexDbException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The error translator and the SQLSTATE helpers against generated exception chains: causes with
 * and without SQLSTATE (null, empty, short, every class the library knows), PostgreSQL's own
 * errors with and without constraint and table, jOOQ's and the pool's wrappers, null messages,
 * cycles, suppressed exceptions and next-exception chains. Whatever the chain and whatever the
 * category the runner decided, the result is a typed {@link JeexDbException} with a message,
 * and nothing throws.
 */
class TranslatorChainsTest {

    private static final String[] STATES = {null, "", "0", "08006", "08001", "57P01", "53300", "28P01", "23505",
        "23503", "23514", "23502", "23P01", "40001", "40P01", "55P03", "57014", "42501", "22P02", "22001", "25P02",
        "XX000", "42P01"};

    private static Throwable link(Random r, int depth, List<Throwable> made) {
        Throwable t = switch (r.nextInt(8)) {
            case 0 -> new RuntimeException(r.nextBoolean() ? null : "runtime");
            case 1 -> new IOException(r.nextBoolean() ? null : "io");
            case 2 -> new SQLException(r.nextBoolean() ? null : "sql", STATES[r.nextInt(STATES.length)]);
            case 3 -> new SQLTransientConnectionException("pool - Connection is not available",
                    STATES[r.nextInt(STATES.length)]);
            case 4 -> server(r);
            case 5 -> new DataAccessException(r.nextBoolean() ? null : "jooq");
            case 6 -> new IllegalStateException("state");
            default -> new Error("error");
        };
        made.add(t);
        if (depth > 0 && r.nextInt(4) != 0) {
            try {
                t.initCause(link(r, depth - 1, made));
            } catch (IllegalStateException | IllegalArgumentException alreadySet) {
                // some constructors set the cause
            }
        }
        if (r.nextInt(5) == 0) {
            t.addSuppressed(new SQLException("suppressed", STATES[r.nextInt(STATES.length)]));
        }
        if (t instanceof SQLException s && r.nextInt(4) == 0) {
            s.setNextException(new SQLException("next", STATES[r.nextInt(STATES.length)]));
        }
        return t;
    }

    /** A PostgreSQL error as the driver builds it from the server's fields (S, C, M, n, t...). */
    private static PSQLException server(Random r) {
        StringBuilder fields = new StringBuilder("SERROR\0");
        String state = STATES[r.nextInt(STATES.length)];
        if (state != null && !state.isEmpty()) {
            fields.append('C').append(state).append('\0');
        }
        if (r.nextBoolean()) {
            fields.append("Mserver message\0");
        }
        if (r.nextBoolean()) {
            fields.append("nusers_email_lower_key\0");
        }
        if (r.nextBoolean()) {
            fields.append("tusers\0");
        }
        if (r.nextBoolean()) {
            fields.append("Dsecret detail value\0");
        }
        return new PSQLException(new ServerErrorMessage(fields.toString()));
    }

    @Test
    void everyGeneratedChainTranslatesToATypedErrorWithoutThrowing() {
        Random r = new Random(20261202);
        ErrorTranslator translator = new ErrorTranslator(false);
        ErrorTranslator detailed = new ErrorTranslator(true);
        int chains = 4000;
        for (int i = 0; i < chains; i++) {
            List<Throwable> made = new ArrayList<>();
            Throwable chain = link(r, 1 + r.nextInt(5), made);
            if (made.size() > 1 && r.nextInt(6) == 0) {
                // a cycle: the deepest exception's cause is the first again
                Throwable last = made.get(made.size() - 1);
                if (last.getCause() == null) {
                    try {
                        last.initCause(made.get(0));
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        // cause already set
                    }
                }
            }
            String seen = "chain " + i + ": " + chain;
            SqlStates.sqlState(chain);
            SqlStates.serverError(chain);
            Category classified = SqlStates.classify(chain);
            assertThat(classified).as(seen).isNotNull();
            assertThat(classified.isDatabase()).as(seen).isTrue();
            for (Category category : Category.values()) {
                for (boolean unknown : new boolean[] {false, true}) {
                    JeexDbException e = (i % 2 == 0 ? translator : detailed).translate(chain, category, 1 + i % 3,
                            "fuzz", unknown);
                    assertThat(e).as(seen).isNotNull();
                    assertThat(e.getMessage()).as(seen).isNotBlank();
                    assertThat(e.attempts()).as(seen).isGreaterThanOrEqualTo(1);
                }
            }
            assertThat(translator.translate(chain, 1, "fuzz")).as(seen).isNotNull();
            assertThat(translator.aborted(chain, 1, "fuzz")).as(seen).isNotNull();
            assertThat(translator.aborted(null, 1, "fuzz")).isNotNull();
        }
    }

    @Test
    void aDataErrorsValueNeverReachesTheMessageOrTheCausesWithoutDetail() {
        PSQLException value = new PSQLException(new ServerErrorMessage(
                "SERROR\0C22P02\0Minvalid input syntax for type uuid: \"secret-value\"\0"));
        JeexDbException e = new ErrorTranslator(false).translate(new DataAccessException("wrapped: secret-value", value),
                Category.OTHER_SQL, 1, "fuzz", false);
        StringBuilder printed = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            printed.append(t).append('\n');
        }
        assertThat(printed.toString()).doesNotContain("secret-value").contains("22P02");
    }
}

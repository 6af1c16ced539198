package io.jeex.db.benchmarks.peers;

import io.jeex.db.JeexDatabase;
import java.util.Locale;

/** The libraries compared, by the name the benchmarks' {@code library} parameter takes. */
public enum Library {
    /** pgjdbc by hand: the baseline of every ratio. */
    RAW,
    /**
     * pgjdbc by hand with the acting user sent as jeex-db sends it (a {@code set_config} before
     * each single statement in its round trip, {@code SET LOCAL} in a transaction): the baseline
     * for the layer's own cost, without the server's cost of the acting user.
     */
    RAW_ACTING,
    /** plain jOOQ, typed DSL. */
    JOOQ,
    /** jdbi 3, fluent API. */
    JDBI,
    /** Spring's JdbcTemplate. */
    SPRING,
    /** jeex-db's repositories. */
    JEEX;

    /** @return the parameter value, for example {@code raw} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param id a parameter value such as {@code jdbi}
     * @return the library
     */
    public static Library of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /**
     * @param db the database whose pool every library uses
     * @return this library's workload on that pool
     */
    public Workload on(JeexDatabase db) {
        return switch (this) {
            case RAW -> new RawJdbcWorkload(db.dataSource());
            case RAW_ACTING -> new RawJdbcWorkload(db.dataSource(), true);
            case JOOQ -> new JooqWorkload(db.dataSource());
            case JDBI -> new JdbiWorkload(db.dataSource());
            case SPRING -> new SpringJdbcWorkload(db.dataSource());
            case JEEX -> new JeexWorkload(db);
        };
    }
}

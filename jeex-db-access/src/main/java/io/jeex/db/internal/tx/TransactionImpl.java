package io.jeex.db.internal.tx;

import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;

/**
 * One attempt's transaction. Records whether a statement of the work may have run: every
 * statement that completed through {@link #dsl()} counts, and handing out the raw connection
 * counts as "may have run". A statement that failed (for example because the connection died)
 * does not count: it returned nothing the work could have acted on, and its transaction was
 * never committed.
 */
final class TransactionImpl implements Transaction {

    private final Connection connection;
    private final TxOptions options;
    private final int attempt;
    private final Configuration base;
    private DSLContext dsl;
    private int statements;
    private boolean connectionHandedOut;

    TransactionImpl(Connection connection, TxOptions options, int attempt, Configuration base) {
        this.connection = connection;
        this.options = options;
        this.attempt = attempt;
        this.base = base;
    }

    @Override
    public DSLContext dsl() {
        if (dsl == null) {
            ExecuteListener counter = ExecuteListener.onExecuteEnd(ctx -> statements++);
            dsl = DSL.using(base.derive(new DefaultConnectionProvider(connection))
                    .derive(new DefaultExecuteListenerProvider(counter)));
        }
        return dsl;
    }

    @Override
    public Connection connection() {
        connectionHandedOut = true;
        return connection;
    }

    @Override
    public TxOptions options() {
        return options;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    /** @return how many statements completed through {@link #dsl()} */
    int statements() {
        return statements;
    }

    /** @return whether a statement of the work may have run */
    boolean workMayHaveRun() {
        return statements > 0 || connectionHandedOut;
    }
}

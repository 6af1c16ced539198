package io.jeex.db.repository;

import io.jeex.db.tx.TxOptions;

/** Transaction options of the repositories' operations. */
final class Tx {

    private Tx() {
    }

    /** A named operation of one SQL statement: it runs auto-committed, without BEGIN and COMMIT. */
    static TxOptions one(String name) {
        return TxOptions.named(name).withSingleStatement(true);
    }
}

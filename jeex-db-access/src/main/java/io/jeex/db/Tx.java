package io.jeex.db;

import io.jeex.db.tx.TxOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Transaction options of the repositories' operations, built once per operation name. */
final class Tx {

    private static final Map<String, TxOptions> ONE = new ConcurrentHashMap<>();
    private static final Map<String, TxOptions> MANY = new ConcurrentHashMap<>();
    private static final Map<String, TxOptions> READ = new ConcurrentHashMap<>();
    private static final Map<TxOptions, TxOptions> SYSTEM = new ConcurrentHashMap<>();

    private Tx() {
    }

    /** A named operation of one SQL statement: it runs auto-committed, without BEGIN and COMMIT. */
    static TxOptions one(String name) {
        return ONE.computeIfAbsent(name, n -> TxOptions.named(n).withSingleStatement(true));
    }

    /**
     * A named read of one SELECT statement: read-only (on the replica when there is one). Run in
     * the library-read mode, it is auto-committed, which a caller's read-only work never is.
     */
    static TxOptions read(String name) {
        return READ.computeIfAbsent(name, n -> TxOptions.named(n).withReadOnly(true).withSingleStatement(true));
    }

    /** A named operation of several statements, in one transaction. */
    static TxOptions many(String name) {
        return MANY.computeIfAbsent(name, TxOptions::named);
    }

    /** The options of an operation in system mode, made once per operation. */
    static TxOptions system(TxOptions options) {
        return SYSTEM.computeIfAbsent(options, TxOptions::asSystem);
    }
}

package io.jeex.db.internal.tx;

import io.jeex.db.tx.TxOptions;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The options of the library's own reads: single SELECT statements written by the repositories.
 * They run auto-committed although they are read-only. {@link TxOptions#autoCommits()} refuses
 * that for a caller's read-only work, because only {@code SET TRANSACTION READ ONLY} would
 * enforce what the caller promised; the library's reads need no enforcing, and a primary-key
 * lookup in a transaction of its own takes three round trips instead of one (measured: a third
 * of the throughput, docs/benchmarks.md).
 *
 * <p>Options are recognised by identity, so options a caller builds with the same name and
 * flags are never taken for the library's.
 */
public final class LibraryReads {

    /** Copied on write (a few dozen entries, written once each); read without locking. */
    private static volatile Map<TxOptions, Boolean> reads = new IdentityHashMap<>();

    private LibraryReads() {
    }

    /**
     * @param name the operation's name, for metrics
     * @return read-only, single-statement options that run auto-committed
     */
    public static synchronized TxOptions named(String name) {
        TxOptions options = TxOptions.named(name).withReadOnly(true).withSingleStatement(true);
        Map<TxOptions, Boolean> copy = new IdentityHashMap<>(reads);
        copy.put(options, Boolean.TRUE);
        reads = copy;
        return options;
    }

    /**
     * @param options options of a transaction about to run
     * @return whether they are one of the library's reads
     */
    static boolean isLibraryRead(TxOptions options) {
        return reads.containsKey(options);
    }
}

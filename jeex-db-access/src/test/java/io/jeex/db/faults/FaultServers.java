package io.jeex.db.faults;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The servers of the fault tables, started on first use and shared by the test JVM: a
 * {@link ScramServer} (stopped by its shutdown hook) and a {@link Blackhole} (its daemon thread
 * ends with the JVM).
 */
public final class FaultServers {

    /** A password that is not {@link ScramServer#PASSWORD}. */
    public static final String WRONG_PASSWORD = "wr0ng-s3cr3t";

    private static ScramServer scram;
    private static Blackhole blackhole;

    private FaultServers() {
    }

    /** @return the shared SCRAM server */
    public static synchronized ScramServer scram() {
        if (scram == null) {
            scram = ScramServer.start();
        }
        return scram;
    }

    /** @return the shared listener that never answers */
    public static synchronized Blackhole blackhole() {
        if (blackhole == null) {
            try {
                blackhole = new Blackhole();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return blackhole;
    }
}

package io.jeex.db.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logs go to stderr through SLF4J (slf4j-simple, WARN and above: see
 * {@code simplelogger.properties}); java.util.logging, which pgjdbc uses, is routed there too, so
 * that a driver warning is one formatted line instead of two of the JDK's console format.
 */
final class Logging {

    private Logging() {
    }

    static void configure() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }
}

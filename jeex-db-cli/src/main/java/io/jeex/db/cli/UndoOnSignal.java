package io.jeex.db.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Undoes a command's half-made result when the tool is stopped before the command ends: a
 * shutdown hook, which the JVM runs on SIGTERM and SIGINT (Ctrl-C), not on SIGKILL. The command
 * closes it once its result is complete (or once its own failure handling undid it); from then on
 * a signal leaves the result alone.
 */
final class UndoOnSignal implements AutoCloseable {

    /** What undoes the half-made result; it may run while the command's thread still writes. */
    @FunctionalInterface
    interface Undo {
        /** @return what it undid, for the line on stderr, or null when there was nothing yet */
        String run() throws Exception;
    }

    private static final int TRIES = 20;
    private static final long PAUSE_MILLIS = 50;

    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread hook;

    private UndoOnSignal(String command, Undo undo) {
        hook = new Thread(() -> {
            if (done.get()) {
                return;
            }
            // the command's thread runs on while the JVM shuts down, and may still be writing:
            // try again until what it left is gone
            Exception last = null;
            for (int i = 0; i < TRIES; i++) {
                try {
                    String undone = undo.run();
                    System.err.println("jeex-db " + command + ": stopped by a signal before it ended"
                            + (undone == null ? "" : ": " + undone));
                    return;
                } catch (Exception e) {
                    last = e;
                    try {
                        Thread.sleep(PAUSE_MILLIS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            System.err.println("jeex-db " + command + ": stopped by a signal before it ended, and could not undo what "
                    + "it had begun: " + last);
        }, "jeex-db-undo-" + command);
    }

    /**
     * Registers the hook; call it before the command makes anything (once the JVM shuts down, no
     * hook can be added: the command then stops before it begins).
     *
     * @param command the command, for the line the hook prints
     * @param undo undoes the half-made result; called again (up to 20 times, 50 ms apart) while it throws
     * @return the registered hook, to close when the command's result is complete
     * @throws IllegalStateException if the JVM is shutting down already
     */
    static UndoOnSignal register(String command, Undo undo) {
        UndoOnSignal u = new UndoOnSignal(command, undo);
        Runtime.getRuntime().addShutdownHook(u.hook);
        return u;
    }

    /** The result is complete, or undone by the command itself: a signal now leaves it alone. */
    @Override
    public void close() {
        done.set(true);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is shutting down already; the hook sees done and does nothing
        }
    }
}

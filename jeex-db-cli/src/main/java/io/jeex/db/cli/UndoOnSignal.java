package io.jeex.db.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Undoes a command's half-made result when the tool is stopped before the command ends: a
 * shutdown hook, which the JVM runs on SIGTERM and SIGINT (Ctrl-C), not on SIGKILL.
 *
 * <p>The hook and the command take turns: the hook first asks the command to stop, and the
 * command stops at its next {@link #checkpoint()} (between files, tables, steps), cleans up after
 * itself as on any failure and {@linkplain #close() closes} this; only then, or after
 * {@value #WAIT_MILLIS} ms when the command is stuck (in a statement, say), does the hook run its
 * undo. A command whose result became complete ({@link #completed()}) before it stopped keeps it.
 */
final class UndoOnSignal implements AutoCloseable {

    /** What undoes the half-made result. */
    @FunctionalInterface
    interface Undo {
        /** @return what it undid, for the line on stderr, or null when there was nothing left */
        String run() throws Exception;
    }

    /** Thrown at a checkpoint of a command that the tool is stopping. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped by a signal (SIGTERM or Ctrl-C) before it ended", null, false, false);
        }
    }

    static final long WAIT_MILLIS = 10_000;
    private static final long PAUSE_MILLIS = 50;
    private static final ThreadLocal<UndoOnSignal> CURRENT = new ThreadLocal<>();

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean completed;
    private final Thread hook;

    private UndoOnSignal(String command, int tries, Undo undo) {
        hook = new Thread(() -> {
            stopping.set(true);
            try {
                ended.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (completed) {
                return;
            }
            Exception last = null;
            for (int i = 0; i < tries; i++) {
                try {
                    String undone = undo.run();
                    System.err.println("jeex-db " + command + ": stopped by a signal before it ended: "
                            + (undone == null ? "nothing of it was kept" : undone));
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
     * Registers the hook for the calling thread's command; call it before the command makes
     * anything (once the JVM shuts down, no hook can be added: the command then never begins).
     *
     * @param command the command, for the line the hook prints
     * @param tries how often the undo is tried while it throws, 50 ms apart
     * @param undo undoes the half-made result; finds nothing to do when the command cleaned up
     * @return the registered hook, to close in a {@code finally} when the command ends
     * @throws IllegalStateException if the JVM is shutting down already
     */
    static UndoOnSignal register(String command, int tries, Undo undo) {
        UndoOnSignal u = new UndoOnSignal(command, tries, undo);
        Runtime.getRuntime().addShutdownHook(u.hook);
        CURRENT.set(u);
        return u;
    }

    /**
     * Between two steps of the calling thread's command.
     *
     * @throws Stopped once the tool is being stopped: the command cleans up as on any failure
     */
    static void checkpoint() {
        UndoOnSignal u = CURRENT.get();
        if (u != null && u.stopping.get()) {
            throw new Stopped();
        }
    }

    /** The result is complete: a signal from now on leaves it alone. */
    void completed() {
        completed = true;
    }

    /** The command ended (completed or cleaned up): the hook may now undo what is left. */
    @Override
    public void close() {
        CURRENT.remove();
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is shutting down already: the hook runs, and finds the result complete or undone
        }
    }
}

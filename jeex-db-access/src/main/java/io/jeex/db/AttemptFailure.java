package io.jeex.db;


/**
 * One failed attempt, as the retry decision sees it: the failure (untranslated), its category
 * (decided by origin first), where it happened and what of the work may have run. Carries no
 * stack trace of its own; the cause has it.
 */
final class AttemptFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Category category;
    private final transient Phase phase;
    private final transient RetryPolicy.Stage stage;
    private final boolean aborted;
    private final boolean restart;

    AttemptFailure(Throwable cause, Category category, Phase phase, RetryPolicy.Stage stage, boolean aborted,
                   boolean restart) {
        super(String.valueOf(cause), cause, false, false);
        this.category = category;
        this.phase = phase;
        this.stage = stage;
        this.aborted = aborted;
        this.restart = restart;
    }

    Category category() {
        return category;
    }

    Phase phase() {
        return phase;
    }

    RetryPolicy.Stage stage() {
        return stage;
    }

    /** @return whether PostgreSQL aborted the transaction at a statement whose error the work caught */
    boolean aborted() {
        return aborted;
    }

    /** @return whether the library's own write asked for the call to run again (not a failure) */
    boolean restart() {
        return restart;
    }
}

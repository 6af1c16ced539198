package io.jeex.db.internal.tx;

/** Carries a checked exception of a nested transaction's work out to the outer work; unwrapped at the end. */
final class NestedCheckedFailure extends RuntimeException {

    NestedCheckedFailure(Exception cause) {
        super(cause.toString(), cause, false, false);
    }
}

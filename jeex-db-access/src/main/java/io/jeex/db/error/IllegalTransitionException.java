package io.jeex.db.error;

/**
 * A status change that the lifecycle of a row does not allow (a project moved from archived
 * back to draft, an agent execution completed twice, an export failed after it completed).
 * Nothing was changed.
 */
public class IllegalTransitionException extends JeexDbException {

    private static final long serialVersionUID = 1L;

    private final String from;
    private final String to;

    /**
     * Creates the exception.
     *
     * @param table the table of the row
     * @param what the row, for example {@code "project 0190..."}
     * @param from its current status
     * @param to the status asked for
     */
    public IllegalTransitionException(String table, String what, String from, String to) {
        super(what + " cannot go from " + from + " to " + to, ErrorContext.ofTable(table), null);
        this.from = from;
        this.to = to;
    }

    /** @return the status the row had */
    public String from() {
        return from;
    }

    /** @return the status that was asked for */
    public String to() {
        return to;
    }
}

package io.jeex.db.error;

/**
 * A value given to a repository breaks a rule of the schema (a blank name, an email that is
 * not an email, an oversized string, an unknown status, JSON that is not an object...). It is
 * raised before anything reaches the database, so nothing was stored. The message names the
 * field and the rule, never the rejected value (it may be personal data).
 */
public class InvalidInputException extends JeexDbException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * Creates the exception.
     *
     * @param table the table the value was meant for
     * @param field the input field, for example {@code email}
     * @param rule what the value must be, for example {@code "must be an email address"}
     */
    public InvalidInputException(String table, String field, String rule) {
        super(field + " " + rule, new ErrorContext(null, null, table, field, 1), null);
        this.field = field;
    }

    /** @return the input field that was rejected */
    public String field() {
        return field;
    }
}

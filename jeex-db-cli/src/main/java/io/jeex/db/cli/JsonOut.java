package io.jeex.db.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** One JSON document of a command's {@code --json} output, written with jackson-core's streaming API. */
final class JsonOut {

    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes the fields of one object. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonOut() {
    }

    /**
     * @param command the command's name, the document's first field
     * @param ok whether it succeeded
     * @param fields the other fields
     * @return the document, on one line
     */
    static String object(String command, boolean ok, Fields fields) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("command", command);
            g.writeBooleanField("ok", ok);
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * @param command the command's name
     * @param database which database, in words (as the {@code database} field of a success), or null
     *     when it was not known yet
     * @param type the kind of failure (the exception's simple name)
     * @param sqlState the SQLSTATE, or null
     * @param exitCode the exit status
     * @param message the message the tool also prints on stderr
     * @return the document of a failed command
     */
    static String error(String command, String database, String type, String sqlState, int exitCode,
                        String message) {
        return object(command, false, g -> {
            if (database != null) {
                g.writeStringField("database", database);
            }
            g.writeObjectFieldStart("error");
            g.writeStringField("type", type);
            g.writeStringField("sqlState", sqlState);
            g.writeNumberField("exitCode", exitCode);
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }
}

package io.jeex.db;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Ids of new rows, made by the client: UUIDv7 (RFC 9562), time-ordered like the schema's own
 * {@code uuidv7()} default, from java-uuid-generator. Known before the INSERT is sent, an id lets
 * a write whose connection was lost be looked up before it is retried: the repositories' own
 * writes resolve their outcome instead of reporting it unknown.
 */
final class Ids {

    private static final TimeBasedEpochGenerator V7 = Generators.timeBasedEpochGenerator();

    private Ids() {
    }

    /** @return a new UUIDv7 */
    static UUID next() {
        return V7.generate();
    }
}

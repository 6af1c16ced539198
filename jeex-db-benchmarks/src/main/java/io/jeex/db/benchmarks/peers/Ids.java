package io.jeex.db.benchmarks.peers;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/** Client-made UUIDv7 ids for the peers, from the same generator the repositories use. */
final class Ids {

    private static final TimeBasedEpochGenerator V7 = Generators.timeBasedEpochGenerator();

    private Ids() {
    }

    static UUID next() {
        return V7.generate();
    }
}

package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ExportRepositoryTest extends RepositoryTestBase {

    @Test
    void anExportExpiresAfterADayByDefaultAndGoesThroughItsStates() {
        Project p = project();
        Export e = db.exports().create(p.id(), Json.of("{\"documents\": [\"about\"]}"));
        assertThat(e.status()).isEqualTo(ExportStatus.PENDING);
        assertThat(Duration.between(e.createdAt(), e.expiresAt())).isEqualTo(Duration.ofHours(24));
        assertThat(db.exports().markProcessing(e.id()).status()).isEqualTo(ExportStatus.PROCESSING);
        Export done = db.exports().markCompleted(e.id(), "exports/" + e.id() + ".zip", Json.of("{\"files\": 3}"));
        assertThat(done.status()).isEqualTo(ExportStatus.COMPLETED);
        assertThat(done.filePath()).contains("exports/" + e.id() + ".zip");
        assertThat(done.manifest().text()).contains("files");
        assertThatThrownBy(() -> db.exports().markFailed(e.id())).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> db.exports().markProcessing(e.id())).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> db.exports().markFailed(UUID.randomUUID())).isInstanceOf(NotFoundException.class);

        Export failed = db.exports().create(p.id(), Json.EMPTY, Duration.ofMinutes(5));
        assertThat(Duration.between(failed.createdAt(), failed.expiresAt())).isEqualTo(Duration.ofMinutes(5));
        assertThat(db.exports().markFailed(failed.id()).status()).isEqualTo(ExportStatus.FAILED);
    }

    @Test
    void expiredExportsAreListedAndPurgedInBatchesReturningTheirFiles() {
        Project p = project();
        List<String> expectedPaths = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Export e = db.exports().create(p.id(), Json.EMPTY);
            if (i % 3 == 0) {
                db.exports().markFailed(e.id()); // expired without a file
            } else {
                String path = "exports/" + i + ".zip";
                db.exports().markCompleted(e.id(), path, Json.EMPTY);
                expectedPaths.add(path);
            }
        }
        Export fresh = db.exports().create(p.id(), Json.EMPTY);
        // let every export but the fresh one expire: the smallest expiry the schema allows
        sql.execute("update exports set expires_at = created_at + interval '1 microsecond' where id <> ?", fresh.id());

        assertThat(db.exports().listExpired(100)).hasSize(12).noneMatch(e -> e.id().equals(fresh.id()));
        assertThat(db.exports().listExpired(5)).hasSize(5);

        List<String> removed = db.exports().purgeExpired(5);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(expectedPaths);
        assertThat(db.exports().listExpired(100)).isEmpty();
        assertThat(db.exports().byId(fresh.id())).isPresent();
        assertThat(count("exports")).isOne();
        assertThat(db.exports().purgeExpired(5)).isEmpty();
    }

    @Test
    void badInputIsRejectedAndNothingIsStored() {
        Project p = project();
        assertThatThrownBy(() -> db.exports().create(p.id(), Json.EMPTY, Duration.ZERO))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.exports().create(p.id(), null)).isInstanceOf(InvalidInputException.class);
        Export e = db.exports().create(p.id(), Json.EMPTY);
        assertThatThrownBy(() -> db.exports().markCompleted(e.id(), " ", Json.EMPTY))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.exports().purgeExpired(0)).isInstanceOf(InvalidInputException.class);
        assertThat(db.exports().byId(e.id()).orElseThrow().status()).isEqualTo(ExportStatus.PENDING);
        assertThat(count("exports")).isOne();
    }
}

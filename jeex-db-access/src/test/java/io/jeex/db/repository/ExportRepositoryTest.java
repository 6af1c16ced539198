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
        Repositories mine = as(p);
        Export e = mine.exports().create(p.id(), Json.of("{\"documents\": [\"about\"]}"));
        assertThat(e.status()).isEqualTo(ExportStatus.PENDING);
        assertThat(Duration.between(e.createdAt(), e.expiresAt())).isEqualTo(Duration.ofHours(24));
        assertThat(mine.exports().markProcessing(e.id()).status()).isEqualTo(ExportStatus.PROCESSING);
        Export done = mine.exports().markCompleted(e.id(), "exports/" + e.id() + ".zip", Json.of("{\"files\": 3}"));
        assertThat(done.status()).isEqualTo(ExportStatus.COMPLETED);
        assertThat(done.filePath()).contains("exports/" + e.id() + ".zip");
        assertThat(done.manifest().text()).contains("files");
        assertThatThrownBy(() -> mine.exports().markFailed(e.id())).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> mine.exports().markProcessing(e.id())).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> mine.exports().markFailed(UUID.randomUUID())).isInstanceOf(NotFoundException.class);

        Export failed = mine.exports().create(p.id(), Json.EMPTY, Duration.ofMinutes(5));
        assertThat(Duration.between(failed.createdAt(), failed.expiresAt())).isEqualTo(Duration.ofMinutes(5));
        assertThat(mine.exports().markFailed(failed.id()).status()).isEqualTo(ExportStatus.FAILED);
    }

    @Test
    void expiredExportsAreListedAndPurgedInBatchesReturningTheirFiles() {
        Project p = project();
        Repositories mine = as(p);
        List<String> expectedPaths = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Export e = mine.exports().create(p.id(), Json.EMPTY);
            if (i % 3 == 0) {
                mine.exports().markFailed(e.id()); // expired without a file
            } else {
                String path = "exports/" + i + ".zip";
                mine.exports().markCompleted(e.id(), path, Json.EMPTY);
                expectedPaths.add(path);
            }
        }
        Export fresh = mine.exports().create(p.id(), Json.EMPTY);
        // let every export but the fresh one expire: the smallest expiry the schema allows
        sql.execute("update exports set expires_at = created_at + interval '1 microsecond' where id <> ?", fresh.id());

        assertThat(db.system().exports().listExpired(100)).hasSize(12).noneMatch(e -> e.id().equals(fresh.id()));
        assertThat(db.system().exports().listExpired(5)).hasSize(5);

        List<String> removed = db.system().exports().purgeExpired(5);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(expectedPaths);
        assertThat(db.system().exports().listExpired(100)).isEmpty();
        assertThat(mine.exports().byId(fresh.id())).isPresent();
        assertThat(count("exports")).isOne();
        assertThat(db.system().exports().purgeExpired(5)).isEmpty();
    }

    @Test
    void badInputIsRejectedAndNothingIsStored() {
        Project p = project();
        Repositories mine = as(p);
        assertThatThrownBy(() -> mine.exports().create(p.id(), Json.EMPTY, Duration.ZERO))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.exports().create(p.id(), null)).isInstanceOf(InvalidInputException.class);
        Export e = mine.exports().create(p.id(), Json.EMPTY);
        assertThatThrownBy(() -> mine.exports().markCompleted(e.id(), " ", Json.EMPTY))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.system().exports().purgeExpired(0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.system().exports().purgeExpired(1001)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.system().exports().purgeExpired(5, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("removed must not be null");
        for (Duration ttl : new Duration[] {Duration.ofDays(365).plusNanos(1000), Duration.ofSeconds(-1), null}) {
            assertThatThrownBy(() -> mine.exports().create(p.id(), Json.EMPTY, ttl))
                    .isInstanceOf(InvalidInputException.class).hasMessage("ttl must be at least 1 ms and at most 365 days");
        }
        assertThatThrownBy(() -> db.system().exports().listExpired(0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("limit must be between 1 and 1000");
        assertThatThrownBy(() -> db.system().exports().listExpired(1001)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.exports().markCompleted(e.id(), "x".repeat(4097), Json.EMPTY))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("file_path must be at most 4096 characters");
        assertThatThrownBy(() -> mine.exports().markCompleted(e.id(), "exports/a\u0000.zip", Json.EMPTY))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> mine.exports().markCompleted(e.id(), "exports/a.zip", null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.exports().markProcessing(null)).isInstanceOf(InvalidInputException.class);
        assertThat(mine.exports().byId(e.id()).orElseThrow().status()).isEqualTo(ExportStatus.PENDING);
        assertThat(count("exports")).isOne();
        // the largest TTL is accepted
        assertThat(mine.exports().create(p.id(), Json.EMPTY, Duration.ofDays(365)).status()).isEqualTo(ExportStatus.PENDING);
    }

    @Test
    void purgeHandsOverEachBatchsPathsOnceCommittedSoAFailurePartWayLosesNone() {
        Project p = project();
        Repositories mine = as(p);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Export e = mine.exports().create(p.id(), Json.EMPTY);
            String path = "exports/" + i + ".zip";
            mine.exports().markCompleted(e.id(), path, Json.EMPTY);
            all.add(path);
        }
        sql.execute("update exports set expires_at = created_at + interval '1 microsecond'");

        // the file store fails while the second batch's files are being deleted
        List<List<String>> delivered = new ArrayList<>();
        List<List<String>> inTableWhenDelivered = new ArrayList<>();
        IllegalStateException storeDown = new IllegalStateException("file store unavailable");
        assertThatThrownBy(() -> db.system().exports().purgeExpired(5, paths -> {
            delivered.add(paths);
            inTableWhenDelivered.add(sql.fetch("select file_path from exports").getValues(0, String.class));
            if (delivered.size() == 2) {
                throw storeDown;
            }
        })).isSameAs(storeDown);

        assertThat(delivered).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(5));
        List<String> handedOver = delivered.stream().flatMap(List::stream).toList();
        assertThat(handedOver).doesNotHaveDuplicates().isSubsetOf(all);
        // each batch was committed before its paths were handed over, as seen from another connection
        for (int i = 0; i < delivered.size(); i++) {
            assertThat(inTableWhenDelivered.get(i)).doesNotContainAnyElementsOf(delivered.get(i));
        }
        List<String> left = sql.fetch("select file_path from exports").getValues(0, String.class);
        assertThat(left).hasSize(5).doesNotContainAnyElementsOf(handedOver);

        // the next purge takes the rest; every file was handed over exactly once
        List<String> rest = new ArrayList<>();
        assertThat(db.system().exports().purgeExpired(5, rest::addAll)).isEqualTo(5);
        assertThat(rest).containsExactlyInAnyOrderElementsOf(left);
        assertThat(count("exports")).isZero();
    }

    @Test
    void purgeCountsEveryDeletedExportAndReportsOnlyBatchesWithFiles() {
        Project p = project();
        Repositories mine = as(p);
        for (int i = 0; i < 7; i++) {
            Export e = mine.exports().create(p.id(), Json.EMPTY);
            if (i < 5) {
                mine.exports().markFailed(e.id()); // no file
            } else {
                mine.exports().markCompleted(e.id(), "exports/" + i + ".zip", Json.EMPTY);
            }
        }
        sql.execute("update exports set expires_at = created_at + interval '1 microsecond'");
        List<List<String>> batches = new ArrayList<>();
        // oldest expiry first: the five without a file make the first batch, which is not reported
        assertThat(db.system().exports().purgeExpired(5, batches::add)).isEqualTo(7);
        assertThat(batches).containsExactly(List.of("exports/5.zip", "exports/6.zip"));
        assertThat(db.system().exports().purgeExpired(5, batches::add)).isZero();
        assertThat(batches).hasSize(1);
    }
}

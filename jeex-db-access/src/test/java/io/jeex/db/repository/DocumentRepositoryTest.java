package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.RowSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DocumentRepositoryTest extends RepositoryTestBase {

    @Test
    void thirtyTwoThreadsAppendingToOneDocumentGetVersionsOneToNWithoutGapsDuplicatesOrErrors() throws Exception {
        Project p = project();
        Repositories mine = as(p);
        Project unrelated = project();
        int threads = 32;
        int perThread = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Integer> versions = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        versions.add(mine.documents().append(p.id(), "architecture", "thread " + thread + " #" + i,
                                Json.of("{\"thread\": " + thread + "}"), null).version());
                        if (i == 0) {
                            as(unrelated).documents().append(unrelated.id(), "architecture", "other", Json.EMPTY, null);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS); // any failure surfaces here
            }
        } finally {
            pool.shutdownNow();
        }
        int n = threads * perThread;
        assertThat(versions).hasSize(n).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, n).boxed().toList());
        List<Integer> stored = sql.fetch("select version from document_versions where project_id = ? order by version",
                p.id()).getValues(0, Integer.class);
        assertThat(stored).containsExactlyElementsOf(IntStream.rangeClosed(1, n).boxed().toList());
        assertThat(as(unrelated).documents().latest(unrelated.id(), "architecture").orElseThrow().version()).isEqualTo(threads);
    }

    @Test
    void latestByNumberAndHistoryWithMetadata() {
        Project p = project();
        Repositories mine = as(p);
        UUID author = p.ownerId(); // a user writes versions as themselves (another author only in system mode)
        for (int i = 1; i <= 7; i++) {
            mine.documents().append(p.id(), "specs", "v" + i, Json.of("{\"n\": " + i + "}"), author);
        }
        mine.documents().append(p.id(), "about", "other type", Json.EMPTY, null);

        DocumentVersion latest = mine.documents().latest(p.id(), "specs").orElseThrow();
        assertThat(latest.version()).isEqualTo(7);
        assertThat(latest.content()).isEqualTo("v7");
        assertThat(latest.authorId()).contains(author);
        assertThat(mine.documents().byNumber(p.id(), "specs", 3).orElseThrow().content()).isEqualTo("v3");
        assertThat(mine.documents().byNumber(p.id(), "specs", 8)).isEmpty();
        assertThat(mine.documents().latest(p.id(), "plan")).isEmpty();

        Page<DocumentVersionInfo> first = mine.documents().history(p.id(), "specs", 3, Optional.empty());
        assertThat(first.items()).extracting(DocumentVersionInfo::version).containsExactly(7, 6, 5);
        assertThat(first.items().get(0).metadata().text()).contains("7");
        assertThat(first.items().get(0).contentLength()).isEqualTo(2);
        Page<DocumentVersionInfo> second = mine.documents().history(p.id(), "specs", 3, first.nextCursor());
        assertThat(second.items()).extracting(DocumentVersionInfo::version).containsExactly(4, 3, 2);
        Page<DocumentVersionInfo> third = mine.documents().history(p.id(), "specs", 3, second.nextCursor());
        assertThat(third.items()).extracting(DocumentVersionInfo::version).containsExactly(1);
        assertThat(third.hasNext()).isFalse();
    }

    @Test
    void badInputIsRejectedAndNothingIsStored() {
        Project p = project();
        Repositories mine = as(p);
        assertThatThrownBy(() -> mine.documents().append(p.id(), "Not A Type", "x", Json.EMPTY, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("document_type");
        assertThatThrownBy(() -> mine.documents().append(p.id(), "about", null, Json.EMPTY, null))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.documents().append(p.id(), "about", "x".repeat(10 * 1024 * 1024 + 1), Json.EMPTY,
                null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("at most");
        assertThatThrownBy(() -> mine.documents().append(p.id(), "about", "x", null, null))
                .isInstanceOf(InvalidInputException.class);
        // a project that is not the acting user's (here: none) is refused by the policy; in system
        // mode, where every project is reachable, the foreign key refuses a missing one
        assertThatThrownBy(() -> mine.documents().append(UUID.randomUUID(), "about", "x", Json.EMPTY, null))
                .isInstanceOf(RowSecurityException.class);
        assertThatThrownBy(() -> db.system().documents().append(UUID.randomUUID(), "about", "x", Json.EMPTY, null))
                .isInstanceOf(ForeignKeyViolationException.class);
        assertThatThrownBy(() -> mine.documents().byNumber(p.id(), "about", 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.documents().history(p.id(), "about", 5, Optional.of("x")))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.documents().history(p.id(), "about", 5, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("cursor must not be null");
        for (String type : new String[] {"Not A Type", "", "1about", "x".repeat(51)}) {
            assertThatThrownBy(() -> mine.documents().latest(p.id(), type))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("document_type");
        }
        assertThatThrownBy(() -> mine.documents().latest(p.id(), null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.documents().latest(null, "about")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.documents().append(p.id(), "about", "text\u0000", Json.EMPTY, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("content must not contain the NUL");
        assertThatThrownBy(() -> mine.documents().append(p.id(), "about", "text \uDC00", Json.EMPTY, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unpaired UTF-16 surrogate");
        assertThat(count("document_versions")).isZero();
        // content is stored as given, surrounding white space included
        assertThat(mine.documents().append(p.id(), "about", "  text\n", Json.EMPTY, null).content()).isEqualTo("  text\n");
    }
}

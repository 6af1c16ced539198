package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProjectRepositoryTest extends RepositoryTestBase {

    @Test
    void createsADraftAtStepOneAndFindsIt() {
        User owner = user();
        Project p = db.projects().create(owner.id(), "Engine", "pt-BR");
        assertThat(p.status()).isEqualTo(ProjectStatus.DRAFT);
        assertThat(p.currentStep()).isEqualTo(1);
        assertThat(p.language()).isEqualTo("pt-BR");
        assertThat(p.ownerId()).isEqualTo(owner.id());
        assertThat(db.projects().byId(p.id())).contains(p);
    }

    @Test
    void renamesAndDeletes() {
        Project p = project();
        assertThat(db.projects().rename(p.id(), "New name").name()).isEqualTo("New name");
        assertThat(db.projects().delete(p.id())).isTrue();
        assertThat(db.projects().byId(p.id())).isEmpty();
        assertThatThrownBy(() -> db.projects().rename(p.id(), "x")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void statusFollowsTheAllowedTransitionsOnly() {
        Project p = project();
        assertThat(db.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS).status())
                .isEqualTo(ProjectStatus.IN_PROGRESS);
        assertThat(db.projects().changeStatus(p.id(), ProjectStatus.COMPLETED).status())
                .isEqualTo(ProjectStatus.COMPLETED);
        assertThat(db.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS).status())
                .isEqualTo(ProjectStatus.IN_PROGRESS);
        assertThat(db.projects().changeStatus(p.id(), ProjectStatus.ARCHIVED).status())
                .isEqualTo(ProjectStatus.ARCHIVED);
        assertThatThrownBy(() -> db.projects().changeStatus(p.id(), ProjectStatus.DRAFT))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("cannot go from archived to draft");
        assertThat(db.projects().byId(p.id()).orElseThrow().status()).isEqualTo(ProjectStatus.ARCHIVED);
        assertThatThrownBy(() -> db.projects().changeStatus(UUID.randomUUID(), ProjectStatus.ARCHIVED))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void stepChangesUseOptimisticConcurrency() {
        Project p = project();
        Project moved = db.projects().changeStep(p.id(), 2, p.updatedAt());
        assertThat(moved.currentStep()).isEqualTo(2);
        assertThat(moved.updatedAt()).isAfter(p.updatedAt());
        // a second change from the stale read fails and changes nothing
        assertThatThrownBy(() -> db.projects().changeStep(p.id(), 3, p.updatedAt()))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(db.projects().byId(p.id()).orElseThrow().currentStep()).isEqualTo(2);
        assertThatThrownBy(() -> db.projects().changeStep(UUID.randomUUID(), 2, p.updatedAt()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void twoConcurrentStepChangesOneWinsTheOtherGetsTheConcurrentUpdateError() throws Exception {
        for (int round = 0; round < 5; round++) {
            Project p = project();
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Project>> results = new ArrayList<>();
                for (int step : new int[] {2, 3}) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return db.projects().changeStep(p.id(), step, p.updatedAt());
                    }));
                }
                int won = 0;
                int lost = 0;
                int winningStep = 0;
                for (Future<Project> f : results) {
                    try {
                        winningStep = f.get(30, TimeUnit.SECONDS).currentStep();
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(ConcurrentUpdateException.class);
                        lost++;
                    }
                }
                assertThat(won).isOne();
                assertThat(lost).isOne();
                assertThat(db.projects().byId(p.id()).orElseThrow().currentStep()).isEqualTo(winningStep);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void keysetPaginationReturnsEveryProjectExactlyOnceWhileRowsAreUpdatedBetweenPages() {
        User owner = user();
        User other = user();
        Set<UUID> all = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            all.add(db.projects().create(owner.id(), "P" + i, "en").id());
        }
        db.projects().create(other.id(), "not mine", "en");

        List<UUID> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<Project> page = db.projects().listByOwner(owner.id(), Optional.empty(), 5, cursor);
            assertThat(page.items()).allSatisfy(p -> assertThat(p.ownerId()).isEqualTo(owner.id()));
            // newest update first within the page
            for (int i = 1; i < page.items().size(); i++) {
                assertThat(page.items().get(i - 1).updatedAt()).isAfterOrEqualTo(page.items().get(i).updatedAt());
            }
            page.items().forEach(p -> seen.add(p.id()));
            // between pages, rows already listed are updated (they move to the front) and new rows
            // are added: an offset-based list would now repeat rows; the keyset must not
            db.projects().rename(page.items().get(0).id(), "renamed on page " + pages);
            db.projects().changeStatus(page.items().get(page.items().size() - 1).id(), ProjectStatus.IN_PROGRESS);
            db.projects().create(owner.id(), "added later " + pages, "en");
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(all);
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void listingFiltersByStatus() {
        User owner = user();
        Project a = db.projects().create(owner.id(), "A", "en");
        db.projects().create(owner.id(), "B", "en");
        db.projects().changeStatus(a.id(), ProjectStatus.IN_PROGRESS);
        Page<Project> page = db.projects().listByOwner(owner.id(), Optional.of(ProjectStatus.IN_PROGRESS), 10,
                Optional.empty());
        assertThat(page.items()).extracting(Project::id).containsExactly(a.id());
        assertThat(page.hasNext()).isFalse();
    }

    @Test
    void badInputIsRejectedWithItsTypedErrorAndNothingIsStored() {
        User owner = user();
        assertThatThrownBy(() -> db.projects().create(owner.id(), "", "en")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.projects().create(owner.id(), "P", "english"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ISO 639");
        assertThatThrownBy(() -> db.projects().create(null, "P", "en")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.projects().create(UUID.randomUUID(), "P", "en"))
                .isInstanceOf(ForeignKeyViolationException.class);
        assertThat(count("projects")).isZero();
        Project p = db.projects().create(owner.id(), "P", "en");
        for (int step : new int[] {0, 5}) {
            assertThatThrownBy(() -> db.projects().changeStep(p.id(), step, p.updatedAt()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("between 1 and 4");
        }
        assertThatThrownBy(() -> db.projects().listByOwner(owner.id(), Optional.empty(), 0, Optional.empty()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> db.projects().listByOwner(owner.id(), Optional.empty(), 5, Optional.of("garbage")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("cursor");
        assertThat(db.projects().byId(p.id()).orElseThrow()).isEqualTo(p);
    }
}

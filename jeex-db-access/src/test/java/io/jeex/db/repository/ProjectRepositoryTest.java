package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.RowSecurityException;
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
        Repositories mine = as(owner);
        Project p = mine.projects().create(owner.id(), "Engine", "pt-BR");
        assertThat(p.status()).isEqualTo(ProjectStatus.DRAFT);
        assertThat(p.currentStep()).isEqualTo(1);
        assertThat(p.language()).isEqualTo("pt-BR");
        assertThat(p.ownerId()).isEqualTo(owner.id());
        assertThat(mine.projects().byId(p.id())).contains(p);
    }

    @Test
    void renamesAndDeletes() {
        Project p = project();
        Repositories mine = as(p);
        assertThat(mine.projects().rename(p.id(), "New name").name()).isEqualTo("New name");
        assertThat(mine.projects().delete(p.id())).isTrue();
        assertThat(mine.projects().byId(p.id())).isEmpty();
        assertThatThrownBy(() -> mine.projects().rename(p.id(), "x")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void statusFollowsTheAllowedTransitionsOnly() {
        Project p = project();
        Repositories mine = as(p);
        assertThat(mine.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS).status())
                .isEqualTo(ProjectStatus.IN_PROGRESS);
        assertThat(mine.projects().changeStatus(p.id(), ProjectStatus.COMPLETED).status())
                .isEqualTo(ProjectStatus.COMPLETED);
        assertThat(mine.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS).status())
                .isEqualTo(ProjectStatus.IN_PROGRESS);
        assertThat(mine.projects().changeStatus(p.id(), ProjectStatus.ARCHIVED).status())
                .isEqualTo(ProjectStatus.ARCHIVED);
        assertThatThrownBy(() -> mine.projects().changeStatus(p.id(), ProjectStatus.DRAFT))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("cannot go from archived to draft");
        assertThat(mine.projects().byId(p.id()).orElseThrow().status()).isEqualTo(ProjectStatus.ARCHIVED);
        assertThatThrownBy(() -> mine.projects().changeStatus(UUID.randomUUID(), ProjectStatus.ARCHIVED))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void stepChangesUseOptimisticConcurrency() {
        Project p = project();
        Repositories mine = as(p);
        Project moved = mine.projects().changeStep(p.id(), 2, p.updatedAt());
        assertThat(moved.currentStep()).isEqualTo(2);
        assertThat(moved.updatedAt()).isAfter(p.updatedAt());
        // a second change from the stale read fails and changes nothing
        assertThatThrownBy(() -> mine.projects().changeStep(p.id(), 3, p.updatedAt()))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(mine.projects().byId(p.id()).orElseThrow().currentStep()).isEqualTo(2);
        assertThatThrownBy(() -> mine.projects().changeStep(UUID.randomUUID(), 2, p.updatedAt()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void twoConcurrentStepChangesOneWinsTheOtherGetsTheConcurrentUpdateError() throws Exception {
        for (int round = 0; round < 5; round++) {
            Project p = project();
            Repositories mine = as(p);
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Project>> results = new ArrayList<>();
                for (int step : new int[] {2, 3}) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return mine.projects().changeStep(p.id(), step, p.updatedAt());
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
                assertThat(mine.projects().byId(p.id()).orElseThrow().currentStep()).isEqualTo(winningStep);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void newestFirstReturnsEveryProjectExactlyOnceWhileRowsNotYetListedAreUpdatedBetweenPages() {
        User owner = user();
        Repositories mine = as(owner);
        User other = user();
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(mine.projects().create(owner.id(), "P" + i, "en").id());
        }
        as(other).projects().create(other.id(), "not mine", "en");

        List<UUID> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<Project> page = mine.projects().listByOwner(owner.id(), Optional.empty(), ProjectOrder.NEWEST_FIRST, 5,
                    cursor);
            assertThat(page.items()).allSatisfy(p -> assertThat(p.ownerId()).isEqualTo(owner.id()));
            page.items().forEach(p -> seen.add(p.id()));
            // between pages: every project not yet listed is renamed, one also moves a step and
            // changes status; one already listed is renamed; a project is added
            List<UUID> notYetListed = created.stream().filter(id -> !seen.contains(id)).toList();
            for (UUID id : notYetListed) {
                mine.projects().rename(id, "renamed before listing, page " + pages);
            }
            if (!notYetListed.isEmpty()) {
                Project next = mine.projects().byId(notYetListed.get(notYetListed.size() - 1)).orElseThrow();
                mine.projects().changeStep(next.id(), 1 + pages % 4, next.updatedAt());
                mine.projects().changeStatus(next.id(), ProjectStatus.ARCHIVED);
            }
            mine.projects().rename(page.items().get(0).id(), "renamed after listing, page " + pages);
            mine.projects().create(owner.id(), "added later " + pages, "en");
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
        // newest first: ids are time-ordered UUID v7, and Java orders v7 UUIDs as PostgreSQL does
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i - 1)).isGreaterThan(seen.get(i));
        }
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void recentlyUpdatedNeverRepeatsAProjectAndReturnsEveryProjectNotUpdatedExactlyOnce() {
        User owner = user();
        Repositories mine = as(owner);
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(mine.projects().create(owner.id(), "P" + i, "en").id());
        }

        List<UUID> seen = new ArrayList<>();
        Set<UUID> updatedBeforeListed = new HashSet<>();
        Set<UUID> updatedAfterListed = new HashSet<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<Project> page = mine.projects().listByOwner(owner.id(), Optional.empty(), 5, cursor);
            for (int i = 1; i < page.items().size(); i++) {
                assertThat(page.items().get(i - 1).updatedAt()).isAfterOrEqualTo(page.items().get(i).updatedAt());
            }
            page.items().forEach(p -> seen.add(p.id()));
            // between pages: the project that would be listed last (the least recently updated
            // not yet listed) and one already listed are updated; both move to the front
            List<UUID> notYetListed = created.stream()
                    .filter(id -> !seen.contains(id) && !updatedBeforeListed.contains(id)).toList();
            if (!notYetListed.isEmpty()) {
                UUID last = notYetListed.get(0); // created first, never updated: the oldest updated_at
                mine.projects().rename(last, "renamed before listing");
                updatedBeforeListed.add(last);
            }
            UUID listed = page.items().get(page.items().size() - 1).id();
            mine.projects().rename(listed, "renamed after listing");
            updatedAfterListed.add(listed);
            cursor = page.nextCursor();
        } while (cursor.isPresent());

        assertThat(seen).doesNotHaveDuplicates();
        Set<UUID> notUpdatedBeforeListed = new HashSet<>(created);
        notUpdatedBeforeListed.removeAll(updatedBeforeListed);
        assertThat(seen).containsAll(notUpdatedBeforeListed);
        // as documented: a project updated before it was listed jumped before the cursor and was skipped
        assertThat(updatedBeforeListed).isNotEmpty().doesNotContainAnyElementsOf(seen);
        // a fresh listing shows every project updated during the listing first
        Set<UUID> updated = new HashSet<>(updatedBeforeListed);
        updated.addAll(updatedAfterListed);
        assertThat(mine.projects().listByOwner(owner.id(), Optional.empty(), updated.size(), Optional.empty()).items())
                .extracting(Project::id).containsExactlyInAnyOrderElementsOf(updated);
    }

    @Test
    void aCursorIsValidOnlyWithTheOrderOfItsListing() {
        User owner = user();
        Repositories mine = as(owner);
        for (int i = 0; i < 3; i++) {
            mine.projects().create(owner.id(), "P" + i, "en");
        }
        Optional<String> newest = mine.projects().listByOwner(owner.id(), Optional.empty(), ProjectOrder.NEWEST_FIRST, 1,
                Optional.empty()).nextCursor();
        Page<Project> first = mine.projects().listByOwner(owner.id(), Optional.empty(), 1, Optional.empty());
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), 1, newest))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cursor was returned by a listing in NEWEST_FIRST order, not RECENTLY_UPDATED");
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), ProjectOrder.NEWEST_FIRST, 1,
                first.nextCursor()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cursor was returned by a listing in RECENTLY_UPDATED order, not NEWEST_FIRST");

        // the untagged cursor of earlier versions (updated_at, id) still continues a RECENTLY_UPDATED listing
        Project last = first.items().get(0);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28).putLong(last.updatedAt().getEpochSecond())
                .putInt(last.updatedAt().getNano()).putLong(last.id().getMostSignificantBits())
                .putLong(last.id().getLeastSignificantBits());
        String untagged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
        assertThat(mine.projects().listByOwner(owner.id(), Optional.empty(), 1, Optional.of(untagged)))
                .isEqualTo(mine.projects().listByOwner(owner.id(), Optional.empty(), 1, first.nextCursor()));
    }

    @Test
    void listingFiltersByStatus() {
        User owner = user();
        Repositories mine = as(owner);
        Project a = mine.projects().create(owner.id(), "A", "en");
        mine.projects().create(owner.id(), "B", "en");
        mine.projects().changeStatus(a.id(), ProjectStatus.IN_PROGRESS);
        Page<Project> page = mine.projects().listByOwner(owner.id(), Optional.of(ProjectStatus.IN_PROGRESS), 10,
                Optional.empty());
        assertThat(page.items()).extracting(Project::id).containsExactly(a.id());
        assertThat(page.hasNext()).isFalse();
    }

    @Test
    void badInputIsRejectedWithItsTypedErrorAndNothingIsStored() {
        User owner = user();
        Repositories mine = as(owner);
        assertThatThrownBy(() -> mine.projects().create(owner.id(), "", "en")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.projects().create(owner.id(), "P", "english"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ISO 639");
        assertThatThrownBy(() -> mine.projects().create(null, "P", "en")).isInstanceOf(InvalidInputException.class);
        // a project for someone else: refused by the projects policy, before any key is checked
        assertThatThrownBy(() -> mine.projects().create(UUID.randomUUID(), "P", "en"))
                .isInstanceOf(RowSecurityException.class);
        assertThat(count("projects")).isZero();
        Project p = mine.projects().create(owner.id(), "P", "en");
        for (int step : new int[] {0, 5}) {
            assertThatThrownBy(() -> mine.projects().changeStep(p.id(), step, p.updatedAt()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("between 1 and 4");
        }
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), 0, Optional.empty()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), 5, Optional.of("garbage")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("cursor");
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), null, 5, Optional.empty()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("status must not be null");
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), 5, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("cursor must not be null");
        assertThatThrownBy(() -> mine.projects().listByOwner(owner.id(), Optional.empty(), null, 5, Optional.empty()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("order must not be null");
        assertThatThrownBy(() -> mine.projects().changeStatus(p.id(), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("status must not be null");
        assertThatThrownBy(() -> mine.projects().rename(p.id(), " ")).isInstanceOf(InvalidInputException.class)
                .hasMessage("name must not be blank");
        assertThatThrownBy(() -> mine.projects().rename(p.id(), "x".repeat(256)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 255 characters");
        assertThatThrownBy(() -> mine.projects().rename(p.id(), "a\u0000b"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> mine.projects().rename(p.id(), "a\uD800b"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unpaired UTF-16 surrogate");
        assertThatThrownBy(() -> mine.projects().rename(null, "x")).isInstanceOf(InvalidInputException.class);
        assertThat(mine.projects().byId(p.id()).orElseThrow()).isEqualTo(p);
        assertThat(count("projects")).isOne();
    }

    @Test
    void aMissingOwnerIsAForeignKeyErrorThatKeepsTheKeyOutOfTheWholeStackTrace() {
        UUID missing = UUID.randomUUID();
        // acting as a user who does not exist (any more): the policy lets the row through, the key does not
        assertThatThrownBy(() -> db.actingAs(missing).projects().create(missing, "P", "en"))
                .isInstanceOf(ForeignKeyViolationException.class)
                .satisfies(e -> {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(trace));
                    // PostgreSQL's DETAIL would say: Key (created_by)=(<missing>) is not present in table "users".
                    assertThat(trace.toString()).contains("ForeignKeyViolationException")
                            .doesNotContain(missing.toString());
                });
        assertThat(count("projects")).isZero();
    }

    @Test
    void namesAreStoredStrippedOfSurroundingWhiteSpace() {
        User owner = user();
        Repositories mine = as(owner);
        Project p = mine.projects().create(owner.id(), "  Engine \t", " en ");
        assertThat(p.name()).isEqualTo("Engine");
        assertThat(p.language()).isEqualTo("en");
        assertThat(mine.projects().rename(p.id(), "\n Difference Engine ").name()).isEqualTo("Difference Engine");
    }
}

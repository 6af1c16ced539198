package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.UniqueViolationException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserRepositoryTest extends RepositoryTestBase {

    @Test
    void createsAndFindsByIdAndByEmailWithoutRegardToCase() {
        Repositories me = db.actingAsNewUser();
        User ada = me.users().create("Ada@Example.com", "Ada Lovelace");
        assertThat(ada.id().version()).isEqualTo(7);
        assertThat(ada.profile()).isEqualTo(Json.EMPTY);
        assertThat(ada.lastLoginAt()).isEmpty();
        assertThat(me.users().byId(ada.id())).contains(ada);
        assertThat(db.system().users().byEmail("ada@EXAMPLE.com")).contains(ada);
        assertThat(db.system().users().byEmail("nobody@example.com")).isEmpty();
        assertThat(me.users().byId(UUID.randomUUID())).isEmpty();
    }

    @Test
    void updatesNameAndProfileAndRecordsALogin() {
        Repositories me = db.actingAsNewUser();
        User ada = me.users().create("ada@example.com", "Ada");
        User renamed = me.users().updateName(ada.id(), "Ada King");
        assertThat(renamed.name()).isEqualTo("Ada King");
        User withProfile = me.users().updateProfile(ada.id(), Json.of("{\"theme\": \"dark\"}"));
        assertThat(withProfile.profile().text()).contains("dark");
        User loggedIn = me.users().recordLogin(ada.id());
        assertThat(loggedIn.lastLoginAt()).isPresent();
        assertThat(loggedIn.lastLoginAt().get()).isAfterOrEqualTo(ada.createdAt());
        assertThat(me.users().byId(ada.id()).orElseThrow().name()).isEqualTo("Ada King");
    }

    @Test
    void updatingAMissingUserIsNotFound() {
        Repositories me = db.actingAsNewUser();
        assertThatThrownBy(() -> me.users().updateName(UUID.randomUUID(), "X")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> me.users().recordLogin(UUID.randomUUID())).isInstanceOf(NotFoundException.class);
        // in system mode too, where every row is visible
        assertThatThrownBy(() -> db.system().users().updateName(UUID.randomUUID(), "X"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void deletingAUserDeletesTheirProjects() {
        Repositories me = db.actingAsNewUser();
        User ada = me.users().create("ada@example.com", "Ada");
        Project p = me.projects().create(ada.id(), "Engine", "en");
        me.documents().append(p.id(), "about", "text", Json.EMPTY, ada.id());
        assertThat(me.users().delete(ada.id())).isTrue();
        assertThat(me.users().delete(ada.id())).isFalse();
        assertThat(me.projects().byId(p.id())).isEmpty();
        assertThat(count("document_versions")).isZero();
    }

    @Test
    void aDuplicateEmailInAnyCaseIsATypedErrorAndStoresNothing() {
        Repositories me = db.actingAsNewUser();
        me.users().create("ada@example.com", "Ada");
        assertThatThrownBy(() -> db.actingAsNewUser().users().create("ADA@example.com", "Other"))
                .isInstanceOf(UniqueViolationException.class)
                .hasMessageContaining("email")
                .satisfies(e -> assertThat(((UniqueViolationException) e).constraint()).isEqualTo("users_email_lower_key"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ADA@example.com"));
        assertThat(count("users")).isOne();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "not-an-email", "a@b", "two@@example.com", "white space@example.com"})
    void malformedEmailsAreRejectedBeforeTheDatabase(String email) {
        Repositories me = db.actingAsNewUser();
        assertThatThrownBy(() -> me.users().create(email, "Ada"))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("email"));
        assertThat(count("users")).isZero();
    }

    @Test
    void blankOrOversizedNamesAndNonObjectProfilesAreRejected() {
        Repositories me = db.actingAsNewUser();
        assertThatThrownBy(() -> me.users().create("ada@example.com", " ")).isInstanceOf(InvalidInputException.class)
                .hasMessage("name must not be blank");
        assertThatThrownBy(() -> me.users().create("ada@example.com", "x".repeat(256)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 255 characters");
        assertThatThrownBy(() -> me.users().create("ada@example.com", "Ada", Json.of("[1,2]")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> Json.of("{broken")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> me.users().create("x".repeat(250) + "@example.com", "Ada"))
                .isInstanceOf(InvalidInputException.class);
        assertThat(count("users")).isZero();
    }

    @Test
    void badUpdatesAreRejectedWithTheirTypedErrorAndChangeNothing() {
        Repositories me = db.actingAsNewUser();
        User ada = me.users().create("ada@example.com", "Ada", Json.of("{\"theme\": \"dark\"}"));
        assertThatThrownBy(() -> me.users().updateName(ada.id(), " ")).isInstanceOf(InvalidInputException.class)
                .hasMessage("name must not be blank");
        assertThatThrownBy(() -> me.users().updateName(ada.id(), null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> me.users().updateName(ada.id(), "x".repeat(256)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 255 characters");
        assertThatThrownBy(() -> me.users().updateName(null, "Ada")).isInstanceOf(InvalidInputException.class)
                .hasMessage("id must not be null");
        assertThatThrownBy(() -> me.users().updateProfile(ada.id(), null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("profile_data must not be null");
        assertThatThrownBy(() -> me.users().updateProfile(ada.id(), Json.of("{\"theme\": \"light\", \"theme\": 1}")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("must not repeat a key").hasMessageNotContaining("theme");
        assertThatThrownBy(() -> me.users().updateProfile(ada.id(), Json.of("{\"theme\": \"\\u0000\"}")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("\\u0000");
        assertThatThrownBy(() -> me.users().updateProfile(ada.id(), Json.of("{\"theme\": \"\\uD800\"}")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unpaired UTF-16 surrogate");
        assertThatThrownBy(() -> me.users().updateProfile(ada.id(), Json.of("{\"big\": \"" + "x".repeat(1024 * 1024)
                + "\"}"))).isInstanceOf(InvalidInputException.class).hasMessageContaining("at most");
        assertThatThrownBy(() -> me.users().updateProfile(UUID.randomUUID(), Json.EMPTY))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.system().users().byEmail(" ")).isInstanceOf(InvalidInputException.class);
        assertThat(me.users().byId(ada.id())).contains(ada);
        assertThat(count("users")).isOne();
    }

    @Test
    void textPostgresqlCannotHoldAsGivenIsRejectedNotMangled() {
        Repositories me = db.actingAsNewUser();
        // what would happen otherwise: the driver sends an unpaired surrogate as '?'
        assertThat(sql.fetchValue("select ?::text", "a\uD800b")).isEqualTo("a?b");
        for (String name : new String[] {"Ada\u0000", "Ada \uD800", "\uDC00Ada", "Ada \uDE00\uD83D"}) {
            assertThatThrownBy(() -> me.users().create("ada@example.com", name))
                    .isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("name"));
        }
        assertThatThrownBy(() -> me.users().create("ada\u0000@example.com", "Ada"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("email must not contain the NUL");
        assertThat(count("users")).isZero();
        // a surrogate pair is one character and is stored as it is
        assertThat(me.users().create("ada@example.com", "Ada \uD83D\uDE00").name()).isEqualTo("Ada \uD83D\uDE00");
    }

    @Test
    void namesAndEmailsAreStoredStrippedOfSurroundingWhiteSpace() {
        Repositories me = db.actingAsNewUser();
        User ada = me.users().create("  ada@example.com\t", "  Ada  ");
        assertThat(ada.email()).isEqualTo("ada@example.com");
        assertThat(ada.name()).isEqualTo("Ada");
        assertThat(me.users().updateName(ada.id(), " Ada King\n").name()).isEqualTo("Ada King");
        assertThat(db.system().users().byEmail(" ADA@example.com ")).map(User::id).contains(ada.id());
    }
}

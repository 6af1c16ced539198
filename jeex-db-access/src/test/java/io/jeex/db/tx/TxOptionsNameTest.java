package io.jeex.db.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The transaction name rule, checked by hand (no regular expression) on every options value; no database. */
class TxOptionsNameTest {

    @Test
    void acceptsOneToSixtyFourLettersDigitsUnderscoresDotsAndDashes() {
        for (String name : new String[] {"a", "Z", "0", "_", ".", "-", "users.create", "sign-up_2026.v1",
                "x".repeat(64), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz012345678_.-"}) {
            assertThat(TxOptions.named(name).name()).isEqualTo(name);
        }
    }

    @Test
    void refusesEmptyTooLongAndEveryOtherCharacterWithTheRule() {
        for (String name : new String[] {"", "x".repeat(65), "a b", "naïve", "a/b", "a:b", "a\nb", "a@b", "é",
                "a\u0000", "tab\t", "[a]", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-", "`", "{", "~"}) {
            assertThatThrownBy(() -> TxOptions.named(name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("name must be 1 to 64 letters, digits, '_', '.' or '-'");
        }
        // the rule and where the name breaks it, never the name: a service may build it from a request
        assertThatThrownBy(() -> TxOptions.named("user-ada@example.com"))
                .hasMessage("name must be 1 to 64 letters, digits, '_', '.' or '-', but character 9 of the "
                        + "given name is not one of them (the name is not shown)");
        assertThatThrownBy(() -> TxOptions.named("ada.lovelace".repeat(6)))
                .hasMessage("name must be 1 to 64 letters, digits, '_', '.' or '-', but the given name has 72 "
                        + "characters (the name is not shown)");
        assertThatThrownBy(() -> TxOptions.named("")).hasMessage("name must be 1 to 64 letters, digits, '_', '.' "
                + "or '-', but the given name is empty");
        // the characters just outside each accepted range
        for (char c : new char[] {'/', ':', '@', '[', '`', '{', ',', '+'}) {
            assertThatThrownBy(() -> TxOptions.named("a" + c)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

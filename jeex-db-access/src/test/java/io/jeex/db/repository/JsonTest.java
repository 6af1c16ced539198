package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"{}", " { } ", "{\"a\":1}", "{\"a\": [1, -2.5e3, true, false, null, \"x\\n\\u00e9\"]}",
            "{\"nested\": {\"deeper\": {\"k\": \"v\"}}, \"b\": 0}", "{\"\\\"quoted\\\"\": \"\\\\\"}",
            // the same key in different objects, and keys that only look alike
            "{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}]}", "{\"a\": 1, \"A\": 2, \"a \": 3}",
            // a surrogate pair, escaped and raw
            "{\"smile\": \"\\uD83D\\uDE00\", \"raw\": \"\uD83D\uDE00\"}"})
    void wellFormedObjectsAreAccepted(String text) {
        assertThat(JsonRules.isObject(text)).isTrue();
        assertThat(Json.of(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "[1]", "\"text\"", "1", "null", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
            "{a:1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{} {}", "{\"a\":\"\\x\"}", "{\"a\":\"\u0001\"}",
            "{'a':1}", "{\"a\":[1,]}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\uD83D\\u12\"}"})
    void anythingElseIsRejected(String text) {
        assertThat(JsonRules.isObject(text)).isFalse();
        assertThatThrownBy(() -> Json.of(text)).isInstanceOf(InvalidInputException.class)
                .hasMessage("json must be a JSON object ({...})");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1, \"a\": 2}", "{\"a\": 1, \"b\": 2, \"a\": 1}", "{\"a\": 1, \"\\u0061\": 2}",
            "{\"x\": [{\"a\": 1, \"b\": {\"c\": 0}, \"a\": 2}]}"})
    void aKeyRepeatedWithinOneObjectIsRejectedWithoutNamingIt(String text) {
        // jsonb would keep only the last value: {"a":1,"a":2} would be stored as {"a": 2}
        assertThat(JsonRules.isObject(text)).isFalse();
        assertThatThrownBy(() -> Json.of(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must not repeat a key").hasMessageNotContaining("\"a\"");
    }

    @Test
    void aRepeatedKeyIsNotShownAnywhereInTheError() {
        String key = "secretKeyName";
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(
                () -> Json.of("{\"" + key + "\": 1, \"" + key + "\": 2}"));
        java.io.StringWriter printed = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(printed));
        assertThat(e).isInstanceOf(InvalidInputException.class).hasNoCause();
        assertThat(printed.toString()).doesNotContain(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": \"\\u0000\"}", "{\"\\u0000\": 1}", "{\"a\": [\"x\\u0000y\"]}"})
    void theNulEscapeIsRejected(String text) {
        assertThatThrownBy(() -> Json.of(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must not contain \\u0000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": \"\\uD800\"}", "{\"a\": \"\\uDC00\"}", "{\"a\": \"\\uD800\\u0041\"}",
            "{\"a\": \"\\uD800x\"}", "{\"a\": \"\\uDE00\\uD83D\"}", "{\"a\": \"\uD800\"}", "{\"a\": \"\uDC00\uD800\"}",
            "{\"\uD800\": 1}"})
    void unpairedSurrogatesEscapedOrRawAreRejected(String text) {
        assertThatThrownBy(() -> Json.of(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unpaired UTF-16 surrogate");
    }

    @Test
    void nullIsATypedError() {
        assertThatThrownBy(() -> Json.of(null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("json must not be null");
    }

    @Test
    void absurdNestingIsRejectedWithoutExhaustingTheStack() {
        String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThat(JsonRules.isObject(deep)).isFalse();
        assertThatThrownBy(() -> Json.of(deep)).hasMessageContaining("must not nest")
                .hasMessageContaining("256 levels");
        String fine = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        assertThat(JsonRules.isObject(fine)).isTrue();
    }
}

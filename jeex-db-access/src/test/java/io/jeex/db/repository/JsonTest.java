package io.jeex.db.repository;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"{}", " { } ", "{\"a\":1}", "{\"a\": [1, -2.5e3, true, false, null, \"x\\n\\u00e9\"]}",
            "{\"nested\": {\"deeper\": {\"k\": \"v\"}}, \"b\": 0}", "{\"\\\"quoted\\\"\": \"\\\\\"}"})
    void wellFormedObjectsAreAccepted(String text) {
        assertThat(JsonSyntax.isObject(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "[1]", "\"text\"", "1", "null", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
            "{a:1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{} {}", "{\"a\":\"\\x\"}", "{\"a\":\"\u0001\"}",
            "{'a':1}", "{\"a\":[1,]}"})
    void anythingElseIsRejected(String text) {
        assertThat(JsonSyntax.isObject(text)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void absurdNestingIsRejectedWithoutExhaustingTheStack() {
        String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThat(JsonSyntax.isObject(deep)).isFalse();
        String fine = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        assertThat(JsonSyntax.isObject(fine)).isTrue();
    }
}

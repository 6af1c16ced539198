package io.jeex.db.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Deterministic pseudonyms for the masking copy: every one is derived with HMAC-SHA256 (the JDK's,
 * a standard keyed function) from the key and the original value, so the same value gets the same
 * pseudonym in every copy made with the same key, and nobody without the key can tell which value
 * a pseudonym stands for or compute one. The kinds are those of the schema's {@code [pii:<kind>]}
 * tags (migration V4):
 * <ul>
 *   <li>{@code email}: {@code u<24 hex digits>@example.invalid}, from the lower-cased address, so
 *       addresses equal without regard to case get the same pseudonym and different ones different
 *       pseudonyms (96 bits: a collision is as likely as guessing the key); lower-case, so the
 *       case-insensitive unique index and the format check hold;</li>
 *   <li>{@code name}: {@code Name <8 hex digits>};</li>
 *   <li>{@code text}: letters and spaces, exactly as many characters as the original (what
 *       VARCHAR limits and CHECKs count), never blank when the original was not;</li>
 *   <li>{@code json}: the same shape: keys and structure kept, every string replaced like text, every
 *       number by one with the same sign, digits and decimal point, booleans and nulls kept.</li>
 * </ul>
 * The key is never printed; {@link #toString()} does not show it.
 */
final class Pseudonyms {

    /** The shortest key accepted: 32 bytes, the output size of SHA-256. */
    static final int MIN_KEY_BYTES = 32;

    private static final JsonFactory JSON = new JsonFactory();
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    private final SecretKeySpec key;

    /**
     * @param key the HMAC key
     * @throws IllegalArgumentException if it is shorter than {@value #MIN_KEY_BYTES} bytes
     */
    Pseudonyms(byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the key must be at least " + MIN_KEY_BYTES + " bytes, but was "
                    + key.length + " bytes");
        }
        this.key = new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256");
    }

    /**
     * @param kind the tag's kind: email, name, text or json
     * @param value the original value, or null
     * @return its pseudonym (null for null)
     * @throws IllegalArgumentException if the kind is unknown, or a JSON value is malformed
     */
    String mask(String kind, String value) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case "email" -> "u" + hex(mac("email", value.toLowerCase(Locale.ROOT)), 12) + "@example.invalid";
            case "name" -> "Name " + hex(mac("name", value), 4);
            case "text" -> text(value);
            case "json" -> json(value);
            default -> throw new IllegalArgumentException("unknown personal-data kind '" + kind
                    + "': the tags are [pii:email], [pii:name], [pii:text] and [pii:json]");
        };
    }

    /** Letters, a space now and then, never first or last: as many code points as the original. */
    private String text(String value) {
        int length = value.codePointCount(0, value.length());
        StringBuilder out = new StringBuilder(length);
        Stream stream = new Stream(mac("text", value));
        for (int i = 0; i < length; i++) {
            int r = stream.next();
            boolean space = i > 0 && i < length - 1 && out.charAt(out.length() - 1) != ' ' && r % 7 == 0;
            out.append(space ? ' ' : LETTERS.charAt(r % LETTERS.length()));
        }
        return out.toString();
    }

    /**
     * Digits replaced, the rest of a number's text (sign, point, exponent) kept: the first digit
     * of the integer part and of the exponent stays a 0 if it was one (JSON allows no other leading
     * zero) and is 1 to 9 otherwise, so the result is a JSON number of the same type and size.
     */
    private String number(String value) {
        StringBuilder out = new StringBuilder(value.length());
        Stream stream = new Stream(mac("number", value));
        boolean first = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                int r = stream.next();
                out.append(first ? (c == '0' ? '0' : (char) ('1' + r % 9)) : (char) ('0' + r % 10));
                first = false;
            } else {
                out.append(c);
                if (c == 'e' || c == 'E') {
                    first = true;
                } else if (c == '.') {
                    first = false;
                }
            }
        }
        return out.toString();
    }

    private String json(String value) {
        StringWriter text = new StringWriter(value.length());
        try (JsonParser in = JSON.createParser(value); JsonGenerator out = JSON.createGenerator(text)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                switch (t) {
                    case START_OBJECT -> out.writeStartObject();
                    case END_OBJECT -> out.writeEndObject();
                    case START_ARRAY -> out.writeStartArray();
                    case END_ARRAY -> out.writeEndArray();
                    case FIELD_NAME -> out.writeFieldName(in.currentName());
                    case VALUE_STRING -> out.writeString(text(in.getText()));
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.writeNumber(number(in.getText()));
                    case VALUE_TRUE, VALUE_FALSE -> out.writeBoolean(t == JsonToken.VALUE_TRUE);
                    case VALUE_NULL -> out.writeNull();
                    default -> throw new IllegalArgumentException("unexpected JSON token " + t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON value could not be masked (" + e.getClass().getSimpleName() + ")", e);
        }
        return text.toString();
    }

    private byte[] mac(String kind, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(kind.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    private static String hex(byte[] bytes, int count) {
        return HexFormat.of().formatHex(bytes, 0, count);
    }

    /**
     * An endless stream of pseudo-random bytes from a seed: HMAC-SHA256 of a counter under the seed
     * (counter mode), for texts longer than one HMAC output.
     */
    private static final class Stream {
        private final SecretKeySpec seed;
        private byte[] block = new byte[0];
        private int position;
        private long counter;

        Stream(byte[] seed) {
            this.seed = new SecretKeySpec(seed, "HmacSHA256");
        }

        int next() {
            if (position == block.length) {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(seed);
                    block = mac.doFinal(Long.toString(counter++).getBytes(StandardCharsets.US_ASCII));
                    position = 0;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
                }
            }
            return block[position++] & 0xff;
        }
    }

    @Override
    public String toString() {
        return "Pseudonyms[HmacSHA256, key ****]";
    }
}

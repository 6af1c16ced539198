package io.jeex.db;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations the way configuration values are written: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses a duration with a unit, or in ISO-8601 form ({@code PT30S}).
     *
     * @param text the value
     * @return the duration
     * @throws IllegalArgumentException if the text has no unit or is malformed
     */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = WITH_UNIT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a duration with a unit (500ms, 30s, 5m, 1h or ISO-8601 PT30S)");
        }
    }

    /**
     * Prints a duration in milliseconds, the unit of validation messages.
     *
     * @param d a duration
     * @return for example {@code 30000 ms}
     */
    public static String ms(Duration d) {
        return d.toMillis() + " ms";
    }
}

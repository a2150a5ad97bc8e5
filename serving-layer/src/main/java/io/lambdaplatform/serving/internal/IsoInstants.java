package io.lambdaplatform.serving.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} without the general formatter for the instants an answer is made of: window bounds, whole
 * seconds of the years 1970 to 9999, two for each of the hundreds of windows in an answer. Any other instant goes to
 * {@link Instant#toString()}; the text is the same either way.
 */
final class IsoInstants {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 10000-01-01T00:00:00Z: from here on the year has five digits and a sign. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private IsoInstants() {}

    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (instant.getNano() != 0 || seconds < 0 || seconds >= YEAR_10000) {
            return instant.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / SECONDS_PER_DAY);
        int secondOfDay = (int) (seconds % SECONDS_PER_DAY);
        byte[] text = new byte[20];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        text[19] = 'Z';
        return new String(text, StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}

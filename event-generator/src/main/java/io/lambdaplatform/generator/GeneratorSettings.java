package io.lambdaplatform.generator;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What to generate.
 *
 * @param count             records in all, whatever their kind
 * @param products          distinct products; popularity follows a Zipf law, so a few are hot
 * @param seed              the same seed gives the same records (event times are relative to the clock)
 * @param lateFraction      share of valid events with an event time hours to days old
 * @param duplicateFraction share of records that resend an earlier event unchanged
 * @param invalidFraction   share of records that break the event contract, in several ways
 * @param maxLateness       how old a late event may be
 */
public record GeneratorSettings(
        long count,
        int products,
        long seed,
        double lateFraction,
        double duplicateFraction,
        double invalidFraction,
        Duration maxLateness) {

    public GeneratorSettings {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (products < 1 || products > 1_000_000) {
            throw new IllegalArgumentException("products must be between 1 and 1000000: " + products);
        }
        checkFraction("lateFraction", lateFraction);
        checkFraction("duplicateFraction", duplicateFraction);
        checkFraction("invalidFraction", invalidFraction);
        if (duplicateFraction + invalidFraction > 1) {
            throw new IllegalArgumentException("duplicateFraction + invalidFraction must not exceed 1");
        }
        requireNonNull(maxLateness, "maxLateness is null");
        if (maxLateness.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("maxLateness must be at least an hour: " + maxLateness);
        }
    }

    public static GeneratorSettings defaults(long count, long seed) {
        return new GeneratorSettings(count, 50, seed, 0.05, 0.02, 0.01, Duration.ofDays(3));
    }

    public GeneratorSettings withProducts(int newProducts) {
        return new GeneratorSettings(count, newProducts, seed, lateFraction, duplicateFraction, invalidFraction, maxLateness);
    }

    public GeneratorSettings withFractions(double late, double duplicate, double invalid) {
        return new GeneratorSettings(count, products, seed, late, duplicate, invalid, maxLateness);
    }

    private static void checkFraction(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
        }
    }
}

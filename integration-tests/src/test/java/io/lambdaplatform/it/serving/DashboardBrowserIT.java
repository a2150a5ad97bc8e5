package io.lambdaplatform.it.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.ExternalTools;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.SpeedDelta;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Debian's Chromium, headless, opens the dashboard as a person does: on {@code ./lambda local} it opens {@code /}
 * with no input, sees live numbers and no incomplete flag, clicks a top product and sees its page; on a serving
 * layer over views with a known history it reads a product page's numbers, time axis and cutoff line, the distinct
 * users and duration quantiles of products with and without users, and an overview whose top table is ranked three
 * ways and shows "–" for a product held by a row without sketches (as views written before they were kept). Writes a
 * screenshot of each page to {@code target/screenshots/} (the README's image is one of them).
 *
 * <p>The sketch numbers of the known history come from rows this test writes through the view store (the history's
 * batch and speed rows, and the speed rows of {@link #USERS_PRODUCT} and {@link #OLD_PRODUCT}), so they hold whatever
 * the batch job computes; those of {@code ./lambda local} come from its speed layer alone (no batch run in that test).
 *
 * <p>Needs Chromium and its driver ({@code apt-get install chromium chromium-driver}); without them it is
 * disabled, unless {@link ExternalTools#required()}.
 */
@EnabledIf(value = "browserPresentOrRequired", disabledReason = "NOT RUN: DashboardBrowserIT needs /usr/bin/chromium and "
        + "/usr/bin/chromedriver (Debian: apt-get install chromium chromium-driver). Install them and run ./mvnw verify, or set "
        + "LAMBDA_IT_REQUIRE_TOOLS=true to make a missing browser fail the build")
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(6)
@RealStack
class DashboardBrowserIT {

    private static final String PRODUCT = "it-dash-1";
    /** Events with users, all ingested after the batch cutoff: the speed layer holds them. */
    private static final String USERS_PRODUCT = "it-dash-3";
    /** One event in a speed row without sketches, as the speed layer wrote before it kept them. */
    private static final String OLD_PRODUCT = "it-dash-old";
    private static final String UNKNOWN_TITLE = "not known for views written before this release";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static StackEndpoints stack;
    private static ServingFixture serving;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start(StackEndpoints endpoints) throws IOException {
        assertThat(browserPresent())
                .as("%s and %s (apt-get install chromium chromium-driver); %s=true requires the browser test to run",
                        CHROMIUM, CHROMEDRIVER, ExternalTools.REQUIRE)
                .isTrue();
        stack = endpoints;
        serving = ServingFixture.start(endpoints, null);
        EventHistory history = new EventHistory()
                .add("d-1", PRODUCT, "2026-11-20T10:10:00Z", "2026-11-20T10:10:05Z", "12.50", 1000)
                .add("d-2", PRODUCT, "2026-11-20T10:20:00Z", "2026-11-20T10:20:01Z", "7.50", 3000)
                .add("d-3", PRODUCT, "2026-11-20T11:05:00Z", "2026-11-20T11:40:00Z", "1000.00", 500)
                .add("d-4", PRODUCT, "2026-11-20T11:30:00Z", "2026-11-20T12:30:00Z", "-20.00", 1500)
                .add("d-5", PRODUCT, "2026-11-20T13:45:00Z", "2026-11-20T13:45:00Z", "0.99", 99)
                .add("d-6", "it-dash-2", "2026-11-20T13:45:00Z", "2026-11-20T13:45:00Z", "5.00", 5);
        // The history has fixed dates; a retention reaching back to them keeps the answer complete on any later day.
        serving.runSpeedLayer(history, Instant.now(), Instant.parse("2026-11-20T00:00:00Z"),
                Duration.between(Instant.parse("2026-11-19T00:00:00Z"), Instant.now()));
        serving.publishBatch(history, Instant.parse("2026-11-20T12:00:00Z"));
        // The history's events have no user; these have, each in a 5-minute window of its own (one speed row each).
        // 14:00 window: 3 distinct users, durations 100..400; 15:00 window: 2 users, 1000 and 5000; 4 users in the day.
        writeSpeedRow(new Event("d-7", USERS_PRODUCT, "u-1", new BigDecimal("2.00"), 100, Instant.parse("2026-11-20T14:05:00Z")), true);
        writeSpeedRow(new Event("d-8", USERS_PRODUCT, "u-2", new BigDecimal("2.00"), 200, Instant.parse("2026-11-20T14:10:00Z")), true);
        writeSpeedRow(new Event("d-9", USERS_PRODUCT, "u-1", new BigDecimal("2.00"), 300, Instant.parse("2026-11-20T14:20:00Z")), true);
        writeSpeedRow(new Event("d-10", USERS_PRODUCT, "u-3", new BigDecimal("2.00"), 400, Instant.parse("2026-11-20T14:30:00Z")), true);
        writeSpeedRow(new Event("d-11", USERS_PRODUCT, "u-2", new BigDecimal("2.00"), 1000, Instant.parse("2026-11-20T15:15:00Z")), true);
        writeSpeedRow(new Event("d-12", USERS_PRODUCT, "u-4", new BigDecimal("2.00"), 5000, Instant.parse("2026-11-20T15:45:00Z")), true);
        writeSpeedRow(new Event("d-13", OLD_PRODUCT, "u-1", new BigDecimal("3.00"), 250, Instant.parse("2026-11-20T20:10:00Z")), false);

        profile = Files.createTempDirectory("serving-it-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--window-size=1400,1500", "--lang=en-US", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    /** The speed row of one event ingested a minute after its time, with its sketches or, as before they were kept, without. */
    private static void writeSpeedRow(Event event, boolean withSketches) {
        writeSpeedRow(serving, event, withSketches);
    }

    private static void writeSpeedRow(ServingFixture fixture, Event event, boolean withSketches) {
        Metrics metrics = Metrics.of(event);
        Instant ingestTime = event.eventTime().plusSeconds(60);
        fixture.speed.upsert(new SpeedDelta(ViewKey.of(event, Granularity.FIVE_MINUTES), IngestBuckets.DEFAULT.bucketStart(ingestTime),
                withSketches ? metrics : metrics.withSketches(null))).toCompletableFuture().join();
        fixture.speed.recordProduct(event.productId()).toCompletableFuture().join();
    }

    static boolean browserPresentOrRequired() {
        return browserPresent() || ExternalTools.required();
    }

    private static boolean browserPresent() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (serving != null) {
            serving.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void theOverviewOfAFreshPlatformShowsLiveNumbersWithoutInputAndOpensAProductOnAClick() throws Exception {
        int port = LayerProcess.freePort();
        Path dataDir = Path.of("target", "it-dashboard").toAbsolutePath().resolve("run-" + System.currentTimeMillis());
        LayerProcess local = LayerProcess.local(dataDir, port, List.of("--rate", "30", "--first-batch-after", "1h"),
                START_TIMEOUT);
        try {
            String base = "http://127.0.0.1:" + port;

            browser.get(base + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(250));
            // No input: the overview fills itself with the generator's events.
            wait.until(driver -> number("return window.lambdaDashboard.lastTotals"
                    + " && window.lambdaDashboard.lastTotals.windows.reduce((sum, w) => sum + w.event_count, 0)") > 0);
            wait.until(driver -> !browser.findElements(By.cssSelector("#top-table tbody tr")).isEmpty());
            wait.until(driver -> Boolean.TRUE.equals(script("return window.lambdaDashboard.lastRate > 0")));
            assertThat(browser.getCurrentUrl()).doesNotContain("product=");
            assertThat(browser.findElement(By.id("overview")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("ov-events")).getText()).isNotEqualTo("–").isNotEqualTo("0");
            assertThat(browser.findElement(By.id("ov-rate")).getText()).matches("[0-9.,]+");
            // The generator's events have users and the speed layer keeps their sketches: every number is known.
            assertThat(browser.findElement(By.id("ov-users")).getText()).matches("≈ [0-9,]+");
            assertThat(browser.findElement(By.id("ov-p95")).getText()).matches("[0-9,]+ ms");
            assertThat(topCells().get(0).subList(4, 6)).allSatisfy(cell -> assertThat(cell).matches("[0-9,]+"));
            // A platform started a minute ago cannot miss anything: no red word.
            wait.until(driver -> "complete up to the speed watermark".equals(browser.findElement(By.id("ov-completeness")).getText()));
            assertThat(browser.findElements(By.cssSelector(".incomplete"))).isEmpty();
            assertThat(browser.findElement(By.id("ov-batch")).getText()).isEqualTo("no batch run yet: the speed layer alone");
            assertThat(browser.findElement(By.id("ov-speed")).getText()).startsWith("watermark ");
            assertThat(browser.findElements(By.cssSelector("#partitions-table tbody tr"))).isNotEmpty();
            // The chart has every window of the last 24 hours at its place: 24 hourly bars.
            assertThat(number("return Chart.getChart('ov-count-chart').data.datasets[1].data.length")).isEqualTo(24);
            screenshot("dashboard-overview.png");

            // Found and clicked in one script: the table is redrawn on every refresh, so a handle could go stale.
            String product = (String) script("const link = document.querySelector('#top-table tbody tr td a');"
                    + " link.click(); return link.textContent");

            wait.until(driver -> driver.getCurrentUrl().contains("product=" + product));
            wait.until(driver -> browser.findElement(By.id("product-view")).isDisplayed());
            wait.until(driver -> product.equals(script("return window.lambdaDashboard.lastAnswer && window.lambdaDashboard.lastAnswer.product_id")));
            wait.until(driver -> !browser.findElements(By.cssSelector("#windows-table tbody tr")).isEmpty());
            assertThat(browser.findElement(By.id("overview")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("title")).getText()).isEqualTo(product);
            assertThat(browser.findElement(By.id("completeness")).getText()).isEqualTo("complete up to the speed watermark");
            long shown = number("return window.lambdaDashboard.lastAnswer.windows.reduce((sum, w) => sum + w.event_count, 0)");
            assertThat(shown).isPositive();
            // The page shows what the API answers for the same range.
            String query = (String) script("const a = window.lambdaDashboard.lastAnswer;"
                    + " return 'from=' + a.from + '&to=' + a.to + '&granularity=' + a.granularity");
            JsonNode api = JSON.readTree(get(base + "/v1/metrics/" + product + "?" + query).body());
            long fromApi = 0;
            for (JsonNode window : api.get("windows")) {
                fromApi += window.get("event_count").asLong();
            }
            assertThat(fromApi).as("the API answers at least what the page showed a moment earlier").isGreaterThanOrEqualTo(shown);
            // users ≈, p50, p95, p99 of every window: known, from the speed layer's sketches.
            assertThat(windowCells()).allSatisfy(row -> assertThat(row.subList(5, 9)).allSatisfy(cell -> assertThat(cell).matches("[0-9,]+")));
            screenshot("dashboard-product.png");

            browser.navigate().back();
            wait.until(driver -> browser.findElement(By.id("overview")).isDisplayed());
        }
        finally {
            local.stop(Duration.ofMinutes(2));
            local.close();
        }
    }

    @Test
    void aProductPageDrawsEveryWindowAtItsTimeWithTheCutoffAtItsInstant() {
        browser.get(serving.baseUrl() + "/?product=" + PRODUCT + "&range=custom&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=1h");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(driver -> driver.findElements(By.cssSelector("#windows-table tbody tr")).size() == 3);

        List<List<String>> rows = windowCells();
        // en-US, as the browser was started: the numbers in the locale, from the API's exact values. These events have no
        // user (0 distinct users, known); a window's quantiles are exact below 200 durations: p95 of {1000, 3000} is 3000.
        assertThat(rows).containsExactly(
                List.of("2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", "2", "20.00", "2,000", "0", "1,000", "3,000", "3,000", "2", "0"),
                List.of("2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z", "2", "980.00", "1,000", "0", "500", "1,500", "1,500", "1", "1"),
                List.of("2026-11-20T13:00:00Z", "2026-11-20T14:00:00Z", "1", "0.99", "99", "0", "99", "99", "99", "0", "1"));

        // Every hour of the day has its bar at its time: zeros where nothing happened.
        @SuppressWarnings("unchecked")
        List<List<Number>> speed = (List<List<Number>>) script(
                "return Chart.getChart('count-chart').data.datasets[1].data.map(p => [p.x, p.y])");
        assertThat(speed).hasSize(24);
        long dayStart = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        for (int hour = 0; hour < 24; hour++) {
            assertThat(speed.get(hour).get(0).longValue()).isEqualTo(dayStart + hour * 3_600_000L + 1_800_000L);
        }
        assertThat(speed).extracting(point -> point.get(1).longValue()).containsExactly(
                0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 0L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        assertThat(script("return Chart.getChart('duration-chart').data.datasets[0].data.filter(p => p.y !== null).map(p => p.y)"))
                .isEqualTo(List.of(2000L, 1000L, 99L));
        assertThat(number("return Chart.getChart('count-chart').options.plugins.cutoffLine.at"))
                .isEqualTo(Instant.parse("2026-11-20T12:00:00Z").toEpochMilli());
        assertThat(number("return Chart.getChart('count-chart').scales.x.min")).isEqualTo(dayStart);
        assertThat(browser.findElement(By.id("batch-info")).getText()).startsWith("version 1, cutoff 2026-11-20T12:00:00Z");
        assertThat(browser.findElement(By.id("completeness")).getText()).isEqualTo("complete up to the speed watermark");
        assertThat(browser.findElement(By.id("legend")).getText()).contains("batch view", "speed layer", "A window can have both");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        // The 11:00 window merges a batch and a speed part: its quantiles are of both parts' durations.
        assertThat(script("return Chart.getChart('quantiles-chart').data.datasets[1].data.filter(p => p.y !== null).map(p => p.y)"))
                .isEqualTo(List.of(3000L, 1500L, 99L));

        // It refreshes by itself.
        long refreshes = number("return window.lambdaDashboard.refreshCount");
        wait.until(driver -> number("return window.lambdaDashboard.refreshCount") > refreshes);
    }

    @Test
    void inKappaModeBothPagesNameTheSetOfViewsAndTheLogicInsteadOfABatchVersion() {
        try (ServingFixture kappa = ServingFixture.startKappa(stack)) {
            RuleSettings rules = RuleSettings.parse("max-duration=3000ms");
            String logic = ViewDefinition.logicVersion(rules);
            new CassandraViewSets(kappa.session, kappa.settings.keyspace()).initial(logic, rules, Instant.now());
            writeSpeedRow(kappa, new Event("k-1", "it-dash-kappa", "u-1", new BigDecimal("4.00"), 400, Instant.parse("2026-11-20T09:05:00Z")), true);
            String expected = "Kappa mode, no batch layer: view set 0, logic " + logic;
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

            browser.get(kappa.baseUrl() + "/?product=it-dash-kappa&range=custom&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=1h");
            wait.until(driver -> driver.findElements(By.cssSelector("#windows-table tbody tr")).size() == 1);
            assertThat(browser.findElement(By.id("batch-info")).getText()).isEqualTo(expected);

            browser.get(kappa.baseUrl() + "/");
            wait.until(driver -> driver.findElement(By.id("ov-batch")).getText().startsWith("Kappa mode"));
            assertThat(browser.findElement(By.id("ov-batch")).getText()).isEqualTo(expected);
            assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        }
    }

    @Test
    void distinctUsersAndDurationQuantilesShowPerWindowAndPerProductAndUnknownOnesSayWhy() throws IOException {
        String day = "range=custom&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=1h";
        browser.get(serving.baseUrl() + "/?product=" + USERS_PRODUCT + "&" + day);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(driver -> driver.findElements(By.cssSelector("#windows-table tbody tr")).size() == 2);
        // u-1, u-2, u-3 in the 14:00 window; u-2, u-4 in the 15:00 one. p50 of {100, 200, 300, 400} is 200, p95 400.
        assertThat(windowCells()).containsExactly(
                List.of("2026-11-20T14:00:00Z", "2026-11-20T15:00:00Z", "4", "8.00", "250", "3", "200", "400", "400", "0", "4"),
                List.of("2026-11-20T15:00:00Z", "2026-11-20T16:00:00Z", "2", "4.00", "3,000", "2", "1,000", "5,000", "5,000", "0", "2"));
        assertThat(script("return Chart.getChart('users-chart').data.datasets[0].data.filter(p => p.y !== null).map(p => [p.x, p.y])"))
                .isEqualTo(List.of(
                        List.of(Instant.parse("2026-11-20T14:30:00Z").toEpochMilli(), 3L),
                        List.of(Instant.parse("2026-11-20T15:30:00Z").toEpochMilli(), 2L)));
        assertThat(script("return Chart.getChart('quantiles-chart').data.datasets.map(d => d.data.filter(p => p.y !== null).map(p => p.y))"))
                .isEqualTo(List.of(List.of(200L, 1000L), List.of(400L, 5000L), List.of(400L, 5000L)));
        screenshot("dashboard-product-sketches.png");

        browser.get(serving.baseUrl() + "/?" + day);
        wait.until(driver -> driver.findElements(By.cssSelector("#top-table tbody tr")).size() == 4);
        // Over the day: it-dash-3 has 4 distinct users (u-1 twice); p95 of its 6 durations is the largest, 5000. The
        // row without sketches makes it-dash-old's users and quantiles unknown, and says why.
        assertThat(topCells()).containsExactly(
                List.of(USERS_PRODUCT, "6", "12.00", "1,166.7", "4", "5,000"),
                List.of(PRODUCT, "5", "1,000.99", "1,219.8", "0", "3,000"),
                List.of("it-dash-2", "1", "5.00", "5", "0", "5"),
                List.of(OLD_PRODUCT, "1", "3.00", "250", "–", "–"));
        assertThat(script("return Array.from(document.querySelectorAll('#top-table tbody tr:last-child td')).slice(4).map(cell => cell.title)"))
                .isEqualTo(List.of(UNKNOWN_TITLE, UNKNOWN_TITLE));
        // Per-window users cannot be added: the card shows the window with the most (14:00: 3), and the largest p95 (15:00).
        assertThat(browser.findElement(By.id("ov-users")).getText()).isEqualTo("≈ 3");
        assertThat(browser.findElement(By.id("ov-users-note")).getText())
                .startsWith("most in the window from 2026-11-20T14:00:00Z (1h)").endsWith("; 1 window " + UNKNOWN_TITLE);
        assertThat(browser.findElement(By.id("ov-p95")).getText()).isEqualTo("5,000 ms");
        assertThat(browser.findElement(By.id("ov-p95-note")).getText()).startsWith("largest in the window from 2026-11-20T15:00:00Z (1h)");
        // Windows 10:00, 11:00, 13:00 (no users), 14:00, 15:00; 20:00 is it-dash-old's alone: no bar, not known.
        assertThat(script("return Chart.getChart('ov-users-chart').data.datasets[0].data.filter(p => p.y !== null).map(p => p.y)"))
                .isEqualTo(List.of(0L, 0L, 0L, 3L, 2L));
        assertThat(script("return Chart.getChart('ov-quantiles-chart').data.datasets[1].data.filter(p => p.y !== null).map(p => p.y)"))
                .isEqualTo(List.of(3000L, 1500L, 99L, 400L, 5000L));
        screenshot("dashboard-overview-sketches.png");

        new Select(browser.findElement(By.id("by"))).selectByValue("revenue");
        wait.until(driver -> driver.getCurrentUrl().contains("by=revenue"));
        wait.until(driver -> PRODUCT.equals(topCells().get(0).get(0)));
        assertThat(topCells()).extracting(row -> row.get(0)).containsExactly(PRODUCT, USERS_PRODUCT, "it-dash-2", OLD_PRODUCT);

        // By distinct users: unknown ranks last, ties by product id.
        new Select(browser.findElement(By.id("by"))).selectByValue("unique_users");
        wait.until(driver -> driver.getCurrentUrl().contains("by=unique_users"));
        wait.until(driver -> USERS_PRODUCT.equals(topCells().get(0).get(0)));
        assertThat(topCells()).extracting(row -> row.get(0)).containsExactly(USERS_PRODUCT, PRODUCT, "it-dash-2", OLD_PRODUCT);
    }

    /** The windows table's cells, read in one script: the page redraws the table on every refresh, so handles could go stale. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> windowCells() {
        return (List<List<String>>) script("return Array.from(document.querySelectorAll('#windows-table tbody tr'))"
                + ".map(row => Array.from(row.cells).map(cell => cell.innerText.trim()))");
    }

    /** The top products table's cells, read in one script. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> topCells() {
        return (List<List<String>>) script("return Array.from(document.querySelectorAll('#top-table tbody tr'))"
                + ".map(row => Array.from(row.cells).map(cell => cell.innerText.trim()))");
    }

    private static void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name);
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(file)).isGreaterThan(10_000);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long number(String javascript) {
        Object value = script(javascript);
        return value instanceof Number number ? number.longValue() : 0;
    }

    private static Object script(String javascript) {
        try {
            return ((JavascriptExecutor) browser).executeScript(javascript);
        }
        catch (RuntimeException e) {
            throw new IllegalStateException("Script failed: " + javascript, e);
        }
    }
}

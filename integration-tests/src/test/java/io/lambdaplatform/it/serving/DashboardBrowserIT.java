package io.lambdaplatform.it.serving;

import io.lambdaplatform.it.stack.ExternalTools;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's Chromium, headless, opens the dashboard of a serving layer over the real Cassandra,
 * picks a product and reads the numbers the charts and the table show. Leaves a screenshot in
 * {@code target/dashboard.png}.
 *
 * <p>Needs Chromium and its driver ({@code apt-get install chromium chromium-driver}); without them it is
 * disabled, unless {@link ExternalTools#required()}.
 */
@EnabledIf(value = "browserPresentOrRequired", disabledReason = "NOT RUN: DashboardBrowserIT needs /usr/bin/chromium and "
        + "/usr/bin/chromedriver (Debian: apt-get install chromium chromium-driver). Install them and run ./mvnw verify, or set "
        + "LAMBDA_IT_REQUIRE_TOOLS=true to make a missing browser fail the build")
@RealStack
class DashboardBrowserIT {

    private static final String PRODUCT = "it-dash-1";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static ServingFixture serving;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start(StackEndpoints endpoints) throws IOException {
        assertThat(browserPresent())
                .as("%s and %s (apt-get install chromium chromium-driver); %s=true requires the browser test to run",
                        CHROMIUM, CHROMEDRIVER, ExternalTools.REQUIRE)
                .isTrue();
        serving = ServingFixture.start(endpoints, null);
        EventHistory history = new EventHistory()
                .add("d-1", PRODUCT, "2026-11-20T10:10:00Z", "2026-11-20T10:10:05Z", "12.50", 1000)
                .add("d-2", PRODUCT, "2026-11-20T10:20:00Z", "2026-11-20T10:20:01Z", "7.50", 3000)
                .add("d-3", PRODUCT, "2026-11-20T11:05:00Z", "2026-11-20T11:40:00Z", "100.00", 500)
                .add("d-4", PRODUCT, "2026-11-20T11:30:00Z", "2026-11-20T12:30:00Z", "-20.00", 1500)
                .add("d-5", PRODUCT, "2026-11-20T13:45:00Z", "2026-11-20T13:45:00Z", "0.99", 99)
                .add("d-6", "it-dash-2", "2026-11-20T13:45:00Z", "2026-11-20T13:45:00Z", "5.00", 5);
        // The history has fixed dates; a retention reaching back to them keeps the answer complete on any later day.
        serving.runSpeedLayer(history, Instant.now(), Instant.parse("2026-11-20T00:00:00Z"),
                Duration.between(Instant.parse("2026-11-19T00:00:00Z"), Instant.now()));
        serving.publishBatch(history, Instant.parse("2026-11-20T12:00:00Z"));

        profile = Files.createTempDirectory("serving-it-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--window-size=1400,1300", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
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
    void pickingAProductShowsItsMergedNumbersInTheCharts() throws IOException {
        browser.get(serving.baseUrl() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(driver -> script("return window.lambdaDashboard && window.lambdaDashboard.charts.count !== undefined"));

        // The product field suggests the products with data.
        WebElement product = browser.findElement(By.id("product"));
        product.sendKeys("it-dash");
        // Read in one script: each keystroke replaces the options, so element handles go stale.
        String suggestions = "return [...document.querySelectorAll('#product-suggestions option')].map(option => option.value)";
        wait.until(driver -> List.of("it-dash-1", "it-dash-2").equals(script(suggestions)));
        product.clear();
        product.sendKeys(PRODUCT);
        new Select(browser.findElement(By.id("range"))).selectByValue("custom");
        browser.findElement(By.id("from")).sendKeys("2026-11-20T00:00:00Z");
        browser.findElement(By.id("to")).sendKeys("2026-11-21T00:00:00Z");
        new Select(browser.findElement(By.id("granularity"))).selectByValue("1h");
        browser.findElement(By.id("show")).click();

        wait.until(driver -> driver.findElements(By.cssSelector("#windows-table tbody tr")).size() == 3);
        List<List<String>> rows = browser.findElements(By.cssSelector("#windows-table tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
        assertThat(rows).containsExactly(
                List.of("2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", "2", "20.00", "2000", "2", "0"),
                List.of("2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z", "2", "80.00", "1000", "1", "1"),
                List.of("2026-11-20T13:00:00Z", "2026-11-20T14:00:00Z", "1", "0.99", "99", "0", "1"));

        assertThat(script("return Chart.getChart('count-chart').data.labels")).isEqualTo(List.of("11-20 10:00", "11-20 11:00", "11-20 13:00"));
        assertThat(script("return Chart.getChart('count-chart').data.datasets.map(d => d.data)"))
                .isEqualTo(List.of(List.of(2L, 1L, 0L), List.of(0L, 1L, 1L)));
        assertThat(script("return Chart.getChart('revenue-chart').data.datasets.map(d => d.data)"))
                .isEqualTo(List.of(List.of(20L, 100L, 0L), List.of(0L, -20L, 0.99)));
        assertThat(script("return Chart.getChart('duration-chart').data.datasets[0].data")).isEqualTo(List.of(2000L, 1000L, 99L));
        assertThat(browser.findElement(By.id("batch-info")).getText()).startsWith("version 1, cutoff 2026-11-20T12:00:00Z");
        assertThat(browser.findElement(By.id("completeness")).getText()).isEqualTo("complete up to the speed watermark");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        // It refreshes by itself.
        Object refreshes = script("return window.lambdaDashboard.refreshCount");
        wait.until(driver -> ((Number) script("return window.lambdaDashboard.refreshCount")).longValue() > ((Number) refreshes).longValue());

        Path screenshot = Path.of("target", "dashboard.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
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

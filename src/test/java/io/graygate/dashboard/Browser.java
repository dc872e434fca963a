package io.graygate.dashboard;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.fail;

/**
 * Headless Debian Chromium driven by its chromedriver, both from the system's packages (never downloaded): the
 * tests fail, saying what to install, when they are missing. It keeps the console's messages for the tests to read.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver"));
    static final Path CHROMIUM = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));

    final ChromeDriver driver;
    private final List<String> console = new ArrayList<>();

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    static Browser start() {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                fail(p + " is missing: the dashboard's browser tests need Debian's chromium and chromium-driver "
                        + "(apt-get install -y chromium chromium-driver; .ci/run installs them)");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--no-first-run", "--disable-extensions", "--disable-background-networking");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, Level.ALL.getName()));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options));
    }

    void open(String url) {
        driver.get(url);
    }

    /** The viewport's size in CSS pixels (the window is resized until it is exactly that). */
    void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        long[] inner = innerSize();
        driver.manage().window().setSize(new Dimension(width + (width - (int) inner[0]), height + (height - (int) inner[1])));
    }

    long[] innerSize() {
        @SuppressWarnings("unchecked")
        List<Long> size = (List<Long>) js("return [window.innerWidth, window.innerHeight];");
        return new long[] {size.get(0), size.get(1)};
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Polls with a deadline; an element replaced while it is read (the page redraws itself) is read again. */
    WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Console messages of level SEVERE and WARNING since the last call (errors, failed loads, CSP violations). */
    List<String> problems() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) console.add(e.getLevel() + " " + e.getMessage());
        }
        List<String> out = List.copyOf(console);
        console.clear();
        return out;
    }

    /** Every request the page made whose answer was not 2xx or 304, as "STATUS URL" (the Resource Timing entries). */
    @SuppressWarnings("unchecked")
    List<String> failedRequests() {
        return (List<String>) js("return performance.getEntriesByType('resource')"
                + ".filter(e => !(e.responseStatus >= 200 && e.responseStatus < 300) && e.responseStatus !== 304)"
                + ".map(e => e.responseStatus + ' ' + e.name);");
    }

    void screenshot(Path to) {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.copy(shot.toPath(), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}

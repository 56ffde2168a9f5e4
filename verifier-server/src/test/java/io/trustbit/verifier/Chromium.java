package io.trustbit.verifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.logging.Level;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/** Debian's chromium driven through Debian's chromedriver, for the dashboard's test and benchmark. */
public final class Chromium {
    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /**
     * Selenium warns that it has no DevTools bindings for this chromium's version; nothing here uses DevTools
     * (the console log comes through chromedriver). Held here: java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger CDP_FINDER =
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_FINDER.setLevel(Level.SEVERE);
    }

    private Chromium() {}

    /**
     * Headless chromium as root, offline: no sandbox (root), no GPU, no background or component downloads, a
     * fresh profile in {@code profile}; chromedriver named explicitly, so Selenium Manager is never asked for
     * one. A verifier's self-signed certificate ({@code pinned}, may be null) is accepted by its public key
     * alone, as clients pin it; nothing else is. The browser's console is kept for the caller to read.
     */
    public static WebDriver start(Path profile, X509Certificate pinned, Path driverLog) throws Exception {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("needs Debian's chromium and chromium-driver (" + BROWSER + ", " + DRIVER
                    + "; scripts/test installs them)");
        }
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BROWSER.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1000");
        if (pinned != null) {
            byte[] spki = MessageDigest.getInstance("SHA-256").digest(pinned.getPublicKey().getEncoded());
            o.addArguments("--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki));
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withLogFile(driverLog.toFile()).build();
        return new ChromeDriver(service, o);
    }
}

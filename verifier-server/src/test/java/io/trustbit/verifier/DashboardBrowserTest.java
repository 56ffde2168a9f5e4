package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.Agent;
import io.trustbit.attest.AkType;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.VerifierTrust;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.measure.HashAlg;
import io.trustbit.testkit.Swtpm;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard (docs/verifier.md "Dashboard") in a real browser: Debian's chromium driven through chromedriver,
 * against a real verifier whose nodes are attested by the agent on swtpm. The counts match the nodes' states, a
 * node turning untrusted shows without a reload, revocation works with the admin token and is refused with the
 * read-only one, and nothing is read without a token. Screenshots of the fleet page and of a node page go to
 * {@code target/dashboard-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    static final String READ_TOKEN = "read-only-token-0123456789";
    static final String ADMIN_TOKEN = "admin-token-abcdefghijklmnop";

    @TempDir
    static Path dir;
    static TestVerifier v;
    static final List<Swtpm> swtpms = new ArrayList<>();
    static final DrtmChain CHAIN = new DrtmChain();
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        v = TestVerifier.start(dir.resolve("verifier"), b -> b.adminToken(ADMIN_TOKEN).readToken(READ_TOKEN));
        v.policy("test.yaml", CHAIN.policyYaml("test", false));
        v.policy("short.yaml", CHAIN.policyYaml("short", false) + "verdictLifetimeSeconds: 2\n");
        for (int i = 0; i < 50 && v.admin("GET", "/v1/policies", null).json().get("policies").size() < 2; i++) {
            Thread.sleep(100);
        }
        browser = Chromium.start(dir.resolve("chromium-profile"), v.server.certificate(), dir.resolve("chromedriver.log"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        for (Swtpm s : swtpms) {
            s.close();
        }
        if (v != null) {
            v.close();
        }
    }

    /** A node whose agent runs on its own swtpm, with the chain's measurements in PCRs 17–19. */
    static final class SwtpmNode {
        final String id;
        final int port;
        final Path state;
        final StringWriter out = new StringWriter();

        SwtpmNode(String id) throws Exception {
            this.id = id;
            Swtpm s = Swtpm.start(dir.resolve("swtpm-" + id));
            swtpms.add(s);
            port = s.port();
            SwtpmFlowTest.measure(port, CHAIN);
            state = dir.resolve("agent-" + id);
        }

        /** One round of the agent with the DRTM log {@code log}; the verdict's status. */
        String attest(byte[] log) throws Exception {
            Path file = dir.resolve("log-" + id + "-" + System.nanoTime());
            Files.write(file, log);
            Agent agent = new Agent(new Agent.Config("swtpm:127.0.0.1:" + port, v.server.url(),
                    VerifierTrust.Fingerprint.parse(v.server.tlsFingerprint()), NodeId.of(id), state,
                    Duration.ofSeconds(30), PcrSelection.parse("sha256:17-19"), AkType.ECC_P256, Optional.empty(),
                    Optional.of(file), Optional.empty()), new PrintWriter(out, true));
            return agent.attestOnce().status();
        }
    }

    /** A DRTM log that claims another VMM than the one measured: it does not replay, the verdict says so. */
    static byte[] lyingLog() {
        DrtmChain lie = new DrtmChain();
        lie.vmm = "another VMM".getBytes(StandardCharsets.US_ASCII);
        return lie.eventLog();
    }

    @Test
    @Order(1)
    void fleetNodePageLiveUpdatesAndRevocationInChromium() throws Exception {
        SwtpmNode web1 = new SwtpmNode("web-1");
        SwtpmNode web2 = new SwtpmNode("web-2");
        SwtpmNode db1 = new SwtpmNode("db-1");
        assertEquals("affirming", web1.attest(CHAIN.eventLog()), web1.out.toString());
        assertEquals("affirming", web2.attest(CHAIN.eventLog()), web2.out.toString());
        assertEquals("affirming", db1.attest(CHAIN.eventLog()), db1.out.toString());
        // db-1 answers to a policy whose verdicts live 2 s: it goes stale; new-1 enrolls and never attests
        assertEquals(200, v.admin("PUT", "/v1/nodes/db-1/policy", Map.of("policyId", "short")).status());
        assertEquals("affirming", db1.attest(CHAIN.eventLog()), db1.out.toString());
        v.enroll("new-1", new SoftTpm());

        // without a token the page shows nothing of the fleet and says why
        browser.get(v.server.url() + "/ui/");
        waitFor(() -> text("error").contains("refused"), () -> "the page reports the refused read: " + text("error"));
        assertEquals("–", text("count-all"));
        assertTrue(browser.findElements(By.cssSelector("#rows tr")).isEmpty());

        useToken(READ_TOKEN);
        waitFor(() -> counts().equals(List.of("4", "2", "0", "1", "1")), () -> "counts all/trusted/untrusted/stale/never: " + counts());
        assertEquals("trusted", row("web-1").get(1));
        assertEquals("stale", row("db-1").get(1));
        assertEquals("never", row("new-1").get(1));
        assertEquals("short", row("db-1").get(5));
        screenshot("fleet.png");

        // the filter and the search narrow the list
        browser.findElement(By.cssSelector(".card[data-state='trusted']")).click();
        waitFor(() -> ids().equals(List.of("web-1", "web-2")), () -> "filter trusted: " + ids());
        browser.findElement(By.id("search")).sendKeys("web-2");
        waitFor(() -> ids().equals(List.of("web-2")), () -> "search web-2: " + ids());
        browser.findElement(By.id("search")).clear();
        browser.findElement(By.cssSelector(".card[data-state='']")).click();
        waitFor(() -> ids().size() == 4, () -> "every node again: " + ids());

        // web-2's next evidence carries a log that does not replay: the page shows it without a reload
        js("window.notReloaded = 'yes';");
        assertEquals("contraindicated", web2.attest(lyingLog()), web2.out.toString());
        waitFor(() -> counts().equals(List.of("4", "1", "1", "1", "1")), () -> "web-2 counted untrusted: " + counts());
        assertEquals("untrusted", row("web-2").get(1));
        assertTrue(row("web-2").get(4).contains("eventlog.drtm"), row("web-2").toString());
        assertEquals("yes", js("return window.notReloaded;"), "the page was not reloaded");

        // web-2's page: the failed check with its reason, the launch chain it proved before, its history
        browser.findElement(By.cssSelector("#rows tr[data-node='web-2'] a")).click();
        waitFor(() -> text("node-failed").contains("eventlog.drtm"), () -> "failed checks: " + text("node-failed"));
        assertTrue(text("node-failed").contains("does not replay"), text("node-failed"));
        assertEquals("untrusted", text("node-state"));
        String chain = text("chain");
        assertTrue(chain.contains(hex(HashAlg.SHA256.digest(CHAIN.vmm))), chain);
        assertTrue(chain.contains(hex(HashAlg.SHA256.digest(CHAIN.slb))), chain);
        assertTrue(chain.contains("Guest guest1") && chain.contains(hex(CHAIN.signerKeyId)), chain);
        assertTrue(chain.contains("type: skinit"), chain);
        assertTrue(text("policy").contains("test"), text("policy"));
        waitFor(() -> browser.findElements(By.cssSelector("#history tr")).size() == 2, () -> "two verdicts in the history");
        screenshot("node.png");

        // revoking web-1 with the read-only token is refused; with the admin token it works
        browser.get(v.server.url() + "/ui/#node/web-1");
        waitFor(() -> text("node-state").equals("trusted"), () -> "web-1's page: " + text("node-state"));
        revoke();
        waitFor(() -> text("action-result").contains("refused"), () -> "refused: " + text("action-result"));
        assertTrue(text("action-result").contains("403"), text("action-result"));
        assertEquals("enrolled", v.admin("GET", "/v1/nodes/web-1", null).json().get("status").asText());

        useToken(ADMIN_TOKEN);
        revoke();
        waitFor(() -> text("action-result").contains("revoke: done"), () -> "revoked: " + text("action-result"));
        assertEquals("revoked", v.admin("GET", "/v1/nodes/web-1", null).json().get("status").asText());
        waitFor(() -> text("node-state").equals("untrusted"), () -> "web-1 untrusted: " + text("node-state"));
        browser.findElement(By.cssSelector("header h1 a")).click();
        waitFor(() -> counts().equals(List.of("4", "0", "2", "1", "1")), () -> "after revocation: " + counts());

        // an administrator puts web-2 under another policy
        browser.get(v.server.url() + "/ui/#node/web-2");
        waitFor(() -> browser.findElements(By.cssSelector("#policy-select option")).size() == 2, () -> "policies listed");
        js("document.getElementById('policy-select').value = 'short';");
        browser.findElement(By.id("assign")).click();
        waitFor(() -> text("action-result").contains("policy short: done"), () -> "assigned: " + text("action-result"));
        assertEquals("short", v.admin("GET", "/v1/nodes/web-2", null).json().get("policyId").asText());
        waitFor(() -> text("policy").contains("short.yaml"), () -> "policy in force: " + text("policy"));

        List<String> violations = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Uncaught")) {
                violations.add(e.getMessage());
            }
        }
        assertTrue(violations.isEmpty(), "the page ran under its policy without errors: " + violations);
    }

    /** Reads need a token; admin actions the admin token; the page itself is public and carries the policy. */
    @Test
    @Order(2)
    void tokensDecideWhoReadsAndWhoActs() throws Exception {
        v.enroll("token-node", new SoftTpm());
        assertEquals(401, v.call("GET", "/v1/fleet", null, null).status());
        assertEquals(401, v.call("GET", "/v1/nodes/token-node", null, null).status());
        assertEquals(401, v.call("GET", "/v1/fleet", null, "not-the-token-at-all").status());
        assertEquals(401, v.call("GET", "/v1/nodes/token-node/launch-chain", null, null).status());
        assertEquals(200, v.call("GET", "/v1/fleet", null, READ_TOKEN).status());
        assertEquals(200, v.call("GET", "/v1/nodes", null, READ_TOKEN).status());
        assertEquals(200, v.call("GET", "/v1/policies", null, READ_TOKEN).status());
        assertEquals(403, v.call("POST", "/v1/nodes/token-node/revoke", null, READ_TOKEN).status());
        assertEquals(403, v.call("PUT", "/v1/nodes/token-node/policy", Map.of("policyId", "short"), READ_TOKEN).status());
        assertEquals(401, v.call("POST", "/v1/nodes/token-node/revoke", null, null).status());
        assertEquals("enrolled", v.admin("GET", "/v1/nodes/token-node", null).json().get("status").asText());
        assertEquals(400, v.call("GET", "/v1/fleet/changes/nonsense", null, READ_TOKEN).status());

        HttpClient http = TestVerifier.client(v.server.certificate());
        for (String path : List.of("/ui/", "/ui/app.js", "/ui/app.css")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(v.server.url().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.startsWith("default-src 'self'") && !csp.contains("unsafe"), csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
            assertFalse(r.body().contains("http://") || r.body().contains("https://"), path + " loads nothing from elsewhere");
        }
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(v.server.url().resolve("/ui/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertFalse(page.body().contains("<script>") || page.body().contains("style="), "no inline script or style");
    }

    /**
     * A changes read after a full one lists only the nodes that changed (beside those changed in the last 2 s,
     * which every cursor reads again), and moves the cursor on.
     */
    @Test
    @Order(3)
    void changesSinceACursorListOnlyChangedNodes() throws Exception {
        v.enroll("cursor-a", new SoftTpm());
        v.enroll("cursor-b", new SoftTpm());
        Thread.sleep(2_100); // past the window in which a cursor reads node changes again
        TestVerifier.Reply full = v.call("GET", "/v1/fleet", null, READ_TOKEN);
        String cursor = full.json().get("cursor").asText();
        assertEquals(200, v.admin("PUT", "/v1/nodes/cursor-b/policy", Map.of("policyId", "short")).status());
        TestVerifier.Reply changes = v.call("GET", "/v1/fleet/changes/" + cursor, null, READ_TOKEN);
        assertEquals(200, changes.status(), changes.text());
        assertTrue(changes.json().get("changesOnly").asBoolean());
        List<String> ids = new ArrayList<>();
        changes.json().get("nodes").forEach(n -> ids.add(n.get("id").asText()));
        assertTrue(ids.contains("cursor-b"), ids.toString());
        assertFalse(ids.contains("cursor-a"), ids.toString());
        assertFalse(cursor.equals(changes.json().get("cursor").asText()), "the cursor moved on");
    }

    // ---- browser helpers ----

    static void useToken(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    }

    /** Revocation takes two clicks (the first arms the button). */
    static void revoke() {
        WebElement b = browser.findElement(By.id("revoke"));
        b.click();
        waitFor(() -> b.getText().startsWith("Click again"), () -> "revoke armed");
        b.click();
    }

    static String text(String id) {
        return String.valueOf(js("return document.getElementById('" + id + "').innerText;"));
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    // the page re-renders as updates arrive: each read below takes what it needs in one script, at one instant

    static List<String> counts() {
        return strings(js("return ['all', 'trusted', 'untrusted', 'stale', 'never']"
                + ".map((s) => document.getElementById('count-' + s).textContent);"));
    }

    static List<String> ids() {
        return strings(js("return Array.from(document.querySelectorAll('#rows tr')).map((tr) => tr.dataset.node);"));
    }

    static List<String> row(String nodeId) {
        return strings(js("return Array.from(document.querySelectorAll('#rows tr')).filter((tr) => tr.dataset.node === '"
                + nodeId + "').flatMap((tr) => Array.from(tr.cells).map((td) => td.textContent));"));
    }

    static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    static void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    static void waitFor(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e; // the page is re-rendering: an element went away under us
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        String message;
        try {
            message = what.get();
        } catch (RuntimeException e) {
            message = "(the page changed while it was read)";
        }
        throw new AssertionError("timed out waiting: " + message, last);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}

package io.trustbit.verifier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.trustbit.verifier.Chromium;
import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.TestVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * docs/benchmarks.md "Dashboard": a fleet of N enrolled nodes with one verdict each (one in twenty
 * contraindicated, so the list has untrusted nodes; see {@link #populate}), then in headless chromium the time
 * until the dashboard's node list is on the page, beside the baseline of the same run: a static HTML page holding
 * the same fleet as one table, from a plain HTTP server on loopback. Also the fleet read alone (the JSON the page
 * fetches) and a search over the whole fleet. Usage: DashboardBench [NODES] [ROUNDS].
 */
public final class DashboardBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READ_TOKEN = "bench-read-token-0123456789";

    private DashboardBench() {}

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = Math.max(2, args.length > 1 ? Integer.parseInt(args[1]) : 5);
        Path dir = Files.createTempDirectory("trustbit-dashboard-bench");
        DrtmChain chain = new DrtmChain();
        DrtmChain lie = new DrtmChain();
        lie.vmm = "another VMM".getBytes(StandardCharsets.US_ASCII);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), chain.policyYaml("test", false));
        // an explicit database URL: this process can write the bulk of the fleet into it beside the verifier
        String url = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        try (TestVerifier v = TestVerifier.start(dir, b -> b.readToken(READ_TOKEN).database(url, "sa", ""))) {
            long t0 = System.nanoTime();
            populate(v, url, nodes, chain, lie);
            System.out.printf("%d nodes: %d enrolled and attested through the API, the rest written into the"
                    + " database, in %.1f s%n", nodes, Math.min(nodes, THROUGH_THE_API), (System.nanoTime() - t0) / 1e9);

            HttpClient http = TestVerifier.client(v.server.certificate());
            double[] api = new double[rounds];
            String body = null;
            for (int i = 0; i < rounds; i++) {
                long s = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(v.server.url().resolve("/v1/fleet"))
                        .header("Authorization", "Bearer " + READ_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                api[i] = (System.nanoTime() - s) / 1e6;
                body = r.body();
            }
            JsonNode fleet = JSON.readTree(body);
            // the first read is the verifier's full read of the fleet; later ones read only what changed since
            System.out.printf("GET /v1/fleet: first %.0f ms, then median %.0f ms; %d bytes, %d nodes%n", api[0],
                    median(Arrays.copyOfRange(api, 1, rounds)), body.length(), fleet.get("nodes").size());

            HttpServer staticServer = staticPage(staticHtml(fleet));
            WebDriver browser = Chromium.start(dir.resolve("profile"), v.server.certificate(), dir.resolve("driver.log"));
            try {
                String dashboard = v.server.url() + "/ui/";
                browser.get(dashboard);
                js(browser, "sessionStorage.setItem('trustbit.token', arguments[0]);", READ_TOKEN);
                String expected = String.valueOf(nodes);
                double[] page = new double[rounds];
                double[] mark = new double[rounds];
                double[] base = new double[rounds];
                double[] baseMark = new double[rounds];
                URI staticUrl = URI.create("http://127.0.0.1:" + staticServer.getAddress().getPort() + "/fleet.html");
                for (int i = 0; i < rounds; i++) {
                    // alternate, so that the machine's load (shared with others) falls on both alike
                    long s = System.nanoTime();
                    browser.get(staticUrl.toString());
                    waitFor(() -> Long.valueOf(nodes).equals(js(browser,
                            "return document.querySelectorAll('#rows tr').length;")));
                    base[i] = (System.nanoTime() - s) / 1e6;
                    baseMark[i] = ((Number) js(browser, "return performance.getEntriesByType('navigation')[0]"
                            + ".loadEventEnd;")).doubleValue();

                    s = System.nanoTime();
                    browser.get(dashboard);
                    waitFor(() -> expected.equals(js(browser, "return document.getElementById('count-all').textContent;"))
                            && Long.valueOf(100).equals(js(browser, "return document.querySelectorAll('#rows tr').length;")));
                    page[i] = (System.nanoTime() - s) / 1e6;
                    mark[i] = ((Number) js(browser, "return performance.getEntriesByName('trustbit:list-rendered')[0]"
                            + ".startTime;")).doubleValue();
                }
                System.out.printf("dashboard /ui/ until counts and first %d rows are shown: median %.0f ms wall"
                        + " (in-page %.0f ms from navigation start)%n", 100, median(page), median(mark));
                System.out.printf("baseline static page, %d-row table of the same fleet: median %.0f ms wall"
                        + " (in-page load end %.0f ms)%n", nodes, median(base), median(baseMark));
                System.out.printf("ratio dashboard/static: %.2f%n", median(page) / median(base));
                double[] search = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    search[i] = ((Number) js(browser, "const s = document.getElementById('search');"
                            + " const t = performance.now(); s.value = arguments[0];"
                            + " s.dispatchEvent(new Event('input')); const d = performance.now() - t;"
                            + " s.value = ''; s.dispatchEvent(new Event('input')); return d;",
                            "bench-" + (i * 7 + 13) + "9")).doubleValue();
                }
                System.out.printf("search over %d nodes (filter and render the matches): median %.1f ms%n", nodes,
                        median(search));
                System.out.printf("machine load average: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            } finally {
                browser.quit();
                staticServer.stop(0);
            }
        }
    }

    /** Nodes enrolled and attested through the API; the rest of the fleet is written straight into the database. */
    static final int THROUGH_THE_API = 100;

    /**
     * {@link #THROUGH_THE_API} nodes enroll and attest once through the API on a few threads; the other nodes are
     * inserted into the verifier's database as enrollment and appraisal would leave them (an enrolled node with
     * one verdict; one in twenty contraindicated by a log that did not replay), which takes seconds where
     * 10,000 enrollments on a shared machine take many minutes. The page reads all of them alike.
     */
    private static void populate(TestVerifier v, String jdbcUrl, int n, DrtmChain chain, DrtmChain lie)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < Math.min(n, THROUGH_THE_API); i++) {
                String id = String.format("bench-%05d", i);
                DrtmChain c = i % 20 == 7 ? lie : chain;
                done.add(pool.submit(() -> {
                    SoftTpm tpm = new SoftTpm();
                    v.enroll(id, tpm);
                    byte[] nonce = v.challenge(id);
                    TestVerifier.Reply r = v.postEvidence(id, c.evidence(id, tpm, nonce));
                    if (r.status() != 200) {
                        throw new IllegalStateException(id + ": " + r.text());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        long now = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "");
                PreparedStatement node = c.prepareStatement("INSERT INTO nodes (node_id, ek_public, ek_name, ak_public,"
                        + " ak_name, status, created_at, updated_at) VALUES (?, 'bench', ?, 'bench', 'bench', 'enrolled', ?, ?)");
                PreparedStatement verdict = c.prepareStatement("INSERT INTO verdicts (node_id, status, reasons, policy_id,"
                        + " token, issued_at, expires_at, replica) VALUES (?, ?, ?, 'test', 'bench', ?, ?, 'bench')")) {
            c.setAutoCommit(false);
            for (int i = THROUGH_THE_API; i < n; i++) {
                String id = String.format("bench-%05d", i);
                node.setString(1, id);
                node.setString(2, "ek-" + id);
                long enrolled = now - (n - i) * 1000L;   // one a second, as a fleet grows
                node.setLong(3, enrolled);
                node.setLong(4, enrolled);
                node.addBatch();
                boolean bad = i % 20 == 7;
                verdict.setString(1, id);
                verdict.setString(2, bad ? "contraindicated" : "affirming");
                verdict.setString(3, bad ? "[{\"check\":\"eventlog.drtm\",\"detail\":\"does not replay to the quoted"
                        + " PCRs [sha256:17]\"}]" : "[]");
                verdict.setLong(4, now);
                verdict.setLong(5, now + 3_600_000);
                verdict.addBatch();
            }
            node.executeBatch();
            verdict.executeBatch();
            c.commit();
        }
    }

    /** The same fleet as one static table, with the same columns as the dashboard's list. */
    private static String staticHtml(JsonNode fleet) {
        StringBuilder b = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>fleet</title>"
                + "</head><body><table><thead><tr><th>node</th><th>state</th><th>enrollment</th><th>verdict</th>"
                + "<th>failed checks</th><th>policy</th><th>group</th><th>last verdict</th></tr></thead><tbody id=\"rows\">");
        for (JsonNode n : fleet.get("nodes")) {
            b.append("<tr><td><a href=\"#node/").append(n.get("id").asText()).append("\">").append(n.get("id").asText())
                    .append("</a></td><td>").append(n.path("state").asText()).append("</td><td>")
                    .append(n.path("status").asText()).append("</td><td>").append(n.path("verdict").asText())
                    .append("</td><td>").append(n.path("failed").toString()).append("</td><td>")
                    .append(n.path("policy").asText()).append("</td><td>").append(n.path("group").asText())
                    .append("</td><td>").append(n.path("issuedAt").asText()).append("</td></tr>");
        }
        return b.append("</tbody></table></body></html>").toString();
    }

    private static HttpServer staticPage(String html) throws Exception {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/fleet.html", x -> {
            x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            x.getResponseHeaders().add("Cache-Control", "no-store");
            x.sendResponseHeaders(200, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        s.start();
        return s;
    }

    private static Object js(WebDriver browser, String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the page did not finish within 120 s");
            }
            Thread.sleep(5);
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.verifier.internal.KeyFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once, in order per node, across a receiver outage and a SIGKILL of the verifier mid-delivery
 * (docs/verifier.md "Webhooks"): a verifier in its own JVM ({@link ChildVerifier}, embedded database) sends to a
 * slow receiver and is killed while a POST is in flight; the receiver then goes down, a new verifier process
 * records more transitions, and once the receiver is back every event arrives, each node's in order (a resent
 * event may arrive twice, with the same idempotency key, never after a later one), every signature valid.
 */
class WebhooksKillTest {
    static final DrtmChain CHAIN = new DrtmChain();
    static final List<String> NODES = List.of("hook-0", "hook-1", "hook-2");

    @TempDir
    Path dir;

    @Test
    void everyEventArrivesInOrderPerNodeAfterAnOutageAndAKillMidDelivery() throws Exception {
        Path policies = dir.resolve("policies");
        Files.createDirectories(policies);
        Files.writeString(policies.resolve("test.yaml"), CHAIN.policyYaml("test", false));
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secret = WebhookReceiver.secret(dir.resolve("hook.whsec"));
            String webhook = "hook " + receiver.url("/hook") + " " + dir.resolve("hook.whsec");
            receiver.delay(300);
            Map<String, WebhooksTest.Node> nodes = new LinkedHashMap<>();
            NODES.forEach(id -> nodes.put(id, new WebhooksTest.Node()));

            Process child = start(webhook);
            boolean inFlightAtKill;
            try {
                URI url = KillUnderLoad.ready(child);
                HttpClient http = TestVerifier.client(KeyFiles.readCertificates(dir.resolve("data/tls-cert.pem")).get(0));
                for (String id : NODES) {
                    TestVerifier.enroll(http, url, id, nodes.get(id).tpm);
                }
                WebhooksTest.flip(http, url, nodes, 6);
                long until = System.currentTimeMillis() + 60_000;
                while ((receiver.received("/hook").size() < 4 || receiver.inFlight() == 0)
                        && System.currentTimeMillis() < until) {
                    Thread.sleep(5);
                }
                inFlightAtKill = receiver.inFlight() > 0;
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertTrue(inFlightAtKill, "the verifier was killed while a POST was in flight");
            int beforeRestart = receiver.firstById("/hook").size();
            receiver.stop();

            child = start(webhook);
            try {
                URI url = KillUnderLoad.ready(child);
                HttpClient http = TestVerifier.client(KeyFiles.readCertificates(dir.resolve("data/tls-cert.pem")).get(0));
                WebhooksTest.flip(http, url, nodes, 2);
                Thread.sleep(2_500); // deliveries fail and back off while the receiver is down
                receiver.delay(0);
                receiver.start();
                int expected = nodes.values().stream().mapToInt(n -> n.expected.size()).sum();
                assertTrue(receiver.await("/hook", expected, 90_000), "received " + receiver.firstById("/hook").size()
                        + " of " + expected + " events (" + beforeRestart + " before the kill)");
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }

            List<WebhookReceiver.Received> all = receiver.received("/hook");
            for (String id : NODES) {
                assertEquals(nodes.get(id).expected, WebhooksTest.story(receiver.firstById("/hook"), id), id);
            }
            assertEquals(List.of(), WebhooksTest.outOfOrder(all));
            assertEquals(List.of(), WebhookReceiver.badSignatures(all, secret));
            assertEquals(List.of(), WebhookReceiver.badSignaturesByOpenssl(List.copyOf(receiver.firstById("/hook")
                    .values()), secret, dir));
        }
    }

    private Process start(String webhook) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtrustbit.test.webhook=" + webhook, "-cp", System.getProperty("java.class.path"),
                ChildVerifier.class.getName(), dir.resolve("data").toString(), dir.resolve("policies").toString(),
                "replica-hooks").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}

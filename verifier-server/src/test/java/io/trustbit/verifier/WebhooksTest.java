package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks (docs/verifier.md "Webhooks") against a real receiver: every transition of a node (first enrollment,
 * verdict changes, going stale, revocation, retirement) arrives once per idempotency key, in order per node, as a
 * CloudEvents 1.0 event whose Standard Webhooks signature checks with javax.crypto and with OpenSSL; a webhook
 * with an event filter gets only its types; the delivery listing shows no secret.
 */
class WebhooksTest {
    static final DrtmChain CHAIN = new DrtmChain();

    @TempDir
    Path dir;

    /** A node's TPM, whether its last verdict was affirming, and the events it should have caused. */
    static final class Node {
        final SoftTpm tpm = new SoftTpm();
        final List<String> expected = new ArrayList<>(List.of("enrolled"));
        boolean affirmed;
    }

    /** Flips every node between affirming and contraindicated {@code times} times, recording the expected events. */
    static void flip(HttpClient http, URI url, Map<String, Node> nodes, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                Node n = e.getValue();
                // a reset count below the last affirmed one is contraindicated (clock.counters); above it, affirming
                n.tpm.resetCount += n.affirmed ? -1 : 2;
                String status = attest(http, url, e.getKey(), n.tpm);
                assertEquals(n.affirmed ? "contraindicated" : "affirming", status);
                n.affirmed = !n.affirmed;
                if (!n.affirmed) {
                    n.tpm.resetCount += 1;
                }
                n.expected.add("verdict:" + status);
            }
        }
    }

    static String attest(HttpClient http, URI url, String id, SoftTpm tpm) throws Exception {
        TestVerifier.Reply c = TestVerifier.call(http, url, "POST", "/v1/nodes/" + id + "/challenge", null, null);
        assertEquals(200, c.status(), c.text());
        byte[] nonce = HexFormat.of().parseHex(c.json().get("nonce").asText());
        TestVerifier.Reply r = TestVerifier.call(http, url, "POST", "/v1/nodes/" + id + "/evidence",
                CHAIN.evidence(id, tpm, nonce), null);
        assertEquals(200, r.status(), r.text());
        return r.json().get("status").asText();
    }

    /** Attests {@code tpm} as {@code id} once; returns the verdict status. */
    static String attest(TestVerifier v, String id, SoftTpm tpm) throws Exception {
        return attest(v.http, v.server.url(), id, tpm);
    }

    /** Arrivals of a node's event after one of its later events (CloudEvents sequence); duplicates are fine. */
    static List<String> outOfOrder(List<WebhookReceiver.Received> arrivals) throws Exception {
        Map<String, String> last = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (WebhookReceiver.Received r : arrivals) {
            JsonNode e = r.event();
            String node = e.get("subject").asText();
            String seq = e.get("sequence").asText();
            String before = last.put(node, seq);
            if (before != null && before.compareTo(seq) > 0) {
                problems.add(node + ": event " + seq + " arrived after " + before);
            }
        }
        return problems;
    }

    /** The node's events in first-arrival order as "type-suffix:status" (status only for verdict changes). */
    static List<String> story(Map<String, WebhookReceiver.Received> events, String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (WebhookReceiver.Received r : events.values()) {
            JsonNode e = r.event();
            if (e.get("subject").asText().equals(node)) {
                String type = e.get("type").asText().substring("io.trustbit.node.".length());
                out.add(type.equals("verdict.changed") ? "verdict:" + e.at("/data/status").asText() : type);
            }
        }
        return out;
    }

    @Test
    void everyTransitionArrivesOnceSignedAndInOrder() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secretAll = WebhookReceiver.secret(dir.resolve("all.whsec"));
            String secretSome = WebhookReceiver.secret(dir.resolve("some.whsec"));
            List<WebhookConfig> hooks = List.of(
                    new WebhookConfig("all", receiver.url("/all"), dir.resolve("all.whsec"), Set.of()),
                    new WebhookConfig("some", receiver.url("/some"), dir.resolve("some.whsec"),
                            Set.of("io.trustbit.node.revoked", "io.trustbit.node.stale")));
            // the policies are there at start (a later file would wait for the next reload)
            Files.createDirectories(dir.resolve("policies"));
            Files.writeString(dir.resolve("policies/test.yaml"), CHAIN.policyYaml("test", false));
            Files.writeString(dir.resolve("policies/short.yaml"), CHAIN.policyYaml("short", false)
                    + "verdictLifetimeSeconds: 1\n");
            try (TestVerifier v = TestVerifier.start(dir, c -> c.webhooks(hooks))) {
                SoftTpm a = new SoftTpm();
                SoftTpm b = new SoftTpm();
                v.enroll("node-a", a);
                v.enroll("node-b", b);
                assertEquals(200, v.admin("PUT", "/v1/nodes/node-b/policy", Map.of("policyId", "short")).status());

                assertEquals("affirming", attest(v, "node-a", a));
                assertEquals("affirming", attest(v, "node-a", a)); // no change: no event
                a.resetCount--; // counters going back: contraindicated (clock.counters)
                assertEquals("contraindicated", attest(v, "node-a", a));
                a.resetCount += 2;
                assertEquals("affirming", attest(v, "node-a", a));
                assertEquals("affirming", attest(v, "node-b", b));
                Thread.sleep(3_000); // node-b's verdict (1 s) expires: stale
                assertEquals(200, v.admin("POST", "/v1/nodes/node-a/revoke", null).status());
                assertEquals(200, v.admin("POST", "/v1/nodes/node-b/retire", null).status());

                assertTrue(receiver.await("/all", 11, 20_000), "events at /all: " + receiver.firstById("/all").keySet());
                assertTrue(receiver.await("/some", 2, 20_000), "events at /some: " + receiver.firstById("/some").keySet());
                Thread.sleep(1_500); // anything sent twice would arrive by now

                Map<String, WebhookReceiver.Received> all = receiver.firstById("/all");
                assertEquals(List.of("enrolled", "verdict:affirming", "verdict:contraindicated", "verdict:affirming",
                        "revoked", "verdict:contraindicated"), story(all, "node-a"));
                assertEquals(List.of("enrolled", "verdict:affirming", "stale", "retired", "verdict:contraindicated"),
                        story(all, "node-b"));
                assertEquals(11, receiver.received("/all").size(), "each idempotency key exactly once");
                assertEquals(List.of(), outOfOrder(receiver.received("/all")));
                Map<String, WebhookReceiver.Received> some = receiver.firstById("/some");
                assertEquals(List.of("revoked"), story(some, "node-a"));
                assertEquals(List.of("stale"), story(some, "node-b"));
                assertEquals(2, receiver.received("/some").size());

                for (WebhookReceiver.Received r : all.values()) {
                    JsonNode e = r.event();
                    assertEquals("1.0", e.get("specversion").asText());
                    assertEquals(r.id(), e.get("id").asText(), "webhook-id is the CloudEvents id");
                    assertEquals("urn:trustbit:verifier", e.get("source").asText());
                    assertEquals(e.get("subject").asText(), e.at("/data/nodeId").asText());
                }
                JsonNode change = all.values().stream().map(r -> {
                    try {
                        return r.event();
                    } catch (Exception x) {
                        throw new IllegalStateException(x);
                    }
                }).filter(e -> e.at("/data/previous").asText().equals("affirming")
                        && e.at("/data/status").asText().equals("contraindicated")).findFirst().orElseThrow();
                assertEquals("clock.counters", change.at("/data/reasons/0/check").asText(), change.toString());

                assertEquals(List.of(), WebhookReceiver.badSignatures(receiver.received("/all"), secretAll));
                assertEquals(List.of(), WebhookReceiver.badSignatures(receiver.received("/some"), secretSome));
                assertEquals(List.of(), WebhookReceiver.badSignaturesByOpenssl(receiver.received("/all"), secretAll, dir));
                // the other webhook's secret does not verify these: the check can fail
                assertEquals(11, WebhookReceiver.badSignatures(receiver.received("/all"), secretSome).size());

                TestVerifier.Reply listing = v.admin("GET", "/v1/webhooks", null);
                assertEquals(200, listing.status(), listing.text());
                assertEquals(11, listing.json().at("/webhooks/0/delivered").asLong(), listing.text());
                assertEquals(0, listing.json().at("/webhooks/0/undelivered").asLong(), listing.text());
                assertEquals(2, listing.json().at("/webhooks/1/delivered").asLong(), listing.text());
                assertFalse(listing.text().contains(secretAll.substring(6, 20)), "the listing shows no secret");
                assertEquals(401, v.call("GET", "/v1/webhooks", null, null).status());
            }
        }
    }

    /**
     * Two replicas on one PostgreSQL, both sending to the same webhook, with a node's transitions recorded by
     * either: each event arrives exactly once (a delivery is leased by one replica) and each node's in order.
     */
    @Test
    void twoReplicasOnPostgresqlSendEachEventOnceInOrder() throws Exception {
        try (PostgresCluster pg = PostgresCluster.start(false); WebhookReceiver receiver = new WebhookReceiver()) {
            String secret = WebhookReceiver.secret(dir.resolve("hook.whsec"));
            List<WebhookConfig> hooks = List.of(new WebhookConfig("hook", receiver.url("/hook"),
                    dir.resolve("hook.whsec"), Set.of()));
            Path policies = dir.resolve("a/policies");
            Files.createDirectories(policies);
            Files.writeString(policies.resolve("test.yaml"), CHAIN.policyYaml("test", false));
            try (TestVerifier a = TestVerifier.start(dir.resolve("a"), c -> c.database(pg.jdbcUrl(), pg.user(), null)
                            .replicaId("replica-a").webhooks(hooks));
                    TestVerifier b = TestVerifier.start(dir.resolve("b"), c -> c.database(pg.jdbcUrl(), pg.user(), null)
                            .replicaId("replica-b").webhooks(hooks).policiesDir(policies))) {
                Map<String, Node> nodes = new LinkedHashMap<>();
                for (String id : List.of("pg-0", "pg-1", "pg-2", "pg-3")) {
                    nodes.put(id, new Node());
                    a.enroll(id, nodes.get(id).tpm);
                }
                for (int i = 0; i < 3; i++) {
                    flip(a.http, a.server.url(), nodes, 1);
                    flip(b.http, b.server.url(), nodes, 1);
                }
                int expected = nodes.values().stream().mapToInt(n -> n.expected.size()).sum();
                assertTrue(receiver.await("/hook", expected, 30_000), "received " + receiver.firstById("/hook").size()
                        + " of " + expected);
                Thread.sleep(2_000); // a second sending would arrive by now
                for (String id : nodes.keySet()) {
                    assertEquals(nodes.get(id).expected, story(receiver.firstById("/hook"), id), id);
                }
                assertEquals(expected, receiver.received("/hook").size(), "each event exactly once");
                assertEquals(List.of(), outOfOrder(receiver.received("/hook")));
                assertEquals(List.of(), WebhookReceiver.badSignatures(receiver.received("/hook"), secret));
            }
        }
    }

    @Test
    void theConfigurationFileListsWebhooks() throws Exception {
        Path file = dir.resolve("verifier.yaml");
        Files.writeString(file, "dataDir: data\nwebhooks:\n  - name: siem\n    url: https://siem.example/hook\n"
                + "    secretFile: siem.whsec\n    events: [io.trustbit.node.stale]\n"
                + "  - name: local\n    url: http://127.0.0.1:9000/hook\n    secretFile: /etc/local.whsec\n");
        List<WebhookConfig> hooks = VerifierConfig.load(file, null).build().webhooks();
        assertEquals(List.of(new WebhookConfig("siem", java.net.URI.create("https://siem.example/hook"),
                dir.resolve("siem.whsec"), Set.of("io.trustbit.node.stale")), new WebhookConfig("local",
                java.net.URI.create("http://127.0.0.1:9000/hook"), Path.of("/etc/local.whsec"), Set.of())), hooks);
        Map<String, String> refused = Map.of(
                "  - name: a\n    url: http://siem.example/hook\n    secretFile: s\n",
                "webhook a: plain http only to a loopback address",
                "  - name: a\n    url: https://h/x\n    secretFile: s\n    events: [node.gone]\n",
                "webhook a: unknown event type node.gone",
                "  - name: a\n    url: https://h/x\n    secret: whsec_AAAA\n",
                "webhooks: unknown key 'secret'",
                "  - name: a b\n    url: https://h/x\n    secretFile: s\n",
                "webhooks: name must match " + io.trustbit.verifier.internal.Router.ID.pattern());
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Files.writeString(file, "dataDir: data\nwebhooks:\n" + e.getKey());
            java.io.IOException x = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> VerifierConfig.load(file, null));
            assertEquals(e.getValue(), x.getMessage(), e.getKey());
        }
        Files.writeString(file, "dataDir: data\nwebhooks:\n  - name: a\n    url: https://h/x\n    secretFile: s\n"
                + "  - name: a\n    url: https://h/y\n    secretFile: t\n");
        IllegalArgumentException dup = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VerifierConfig.load(file, null).build());
        assertEquals("webhooks: names must be unique", dup.getMessage());
    }

    @Test
    void aBadSecretFileStopsTheStart() throws Exception {
        Files.writeString(dir.resolve("bad.whsec"), "not-a-secret\n");
        List<WebhookConfig> hooks = List.of(new WebhookConfig("x", java.net.URI.create("http://127.0.0.1:9/x"),
                dir.resolve("bad.whsec"), Set.of()));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TestVerifier.start(dir, c -> c.webhooks(hooks)).close());
        assertEquals("webhook x: secret file " + dir.resolve("bad.whsec") + ": a webhook secret must start with whsec_",
                e.getMessage());
        assertFalse(e.getMessage().contains("not-a-secret"));
    }
}

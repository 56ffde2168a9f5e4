package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Attests {@code tpm} as {@code id} once; returns the verdict status. */
    static String attest(TestVerifier v, String id, SoftTpm tpm) throws Exception {
        TestVerifier.Reply r = v.postEvidence(id, CHAIN.evidence(id, tpm, v.challenge(id)));
        assertEquals(200, r.status(), r.text());
        return r.json().get("status").asText();
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
            try (TestVerifier v = TestVerifier.start(dir, c -> c.webhooks(hooks))) {
                v.policy("test.yaml", CHAIN.policyYaml("test", false));
                v.policy("short.yaml", CHAIN.policyYaml("short", false) + "verdictLifetimeSeconds: 1\n");
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

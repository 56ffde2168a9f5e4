package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/** The JSON answers of the verifier's endpoints (docs/api/openapi.yaml), one record each. */
public final class Answers {
    private Answers() {}

    /**
     * A single-use challenge nonce (64 hex digits) and when it expires; {@code ima}: for nodes whose policy has
     * a runtime section, where this verifier's appraisal of the node's IMA list stands (without a boot:
     * nowhere, send the whole list).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Challenge(String nonce, String expiresAt, io.trustbit.attest.ImaPosition ima) {
        public Challenge(String nonce, String expiresAt) {
            this(nonce, expiresAt, null);
        }
    }

    /**
     * The answer to evidence. {@code verdict} (the signed token) is present only when the evidence was
     * authenticated: a failed attempt gets no signed statement about the node. {@code next}: the node's next
     * challenge, issued exactly like {@code POST /challenge} (absent when the node is not enrolled, or when it
     * could not be issued: the agent then asks for a challenge as usual). {@code checked}: every check
     * evaluated, in order; all of them passed when the status is affirming.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Evidence(EarStatus status, List<Reason> reasons, List<Check> checked, boolean authenticated,
            String verdict, Challenge next) {}

    public record Health(String status, String replica) {}

    /** Delivery state of each configured webhook (docs/verifier.md "Webhooks"): no URL, no secret. */
    public record Webhooks(List<Webhook> webhooks) {
        static Webhooks of(List<Outbox.State> states) {
            return new Webhooks(states.stream().map(s -> new Webhook(s.webhook(), s.delivered(), s.undelivered(),
                    s.oldest().stream().map(u -> new Undelivered(u.eventId(), u.type(), u.nodeId(), u.seq(),
                            u.attempts(), Instant.ofEpochMilli(u.nextAttemptAt()).toString(), u.lastError()))
                            .toList())).toList());
        }
    }

    /** {@code oldestUndelivered}: the first undelivered events, oldest first (each node's are sent in order). */
    public record Webhook(String name, long delivered, long undelivered, List<Undelivered> oldestUndelivered) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Undelivered(String eventId, String type, String nodeId, long sequence, int attempts,
            String nextAttemptAt, String lastError) {}

    /** A stored verdict as the admin endpoints show it ({@code reasons} as stored). */
    public record Verdict(EarStatus status, JsonNode reasons, String policyId, String policyDigest, String issuedAt,
            String expiresAt, String verdict) {
        static Verdict of(Store.VerdictRow v) {
            return new Verdict(EarStatus.fromWire(v.status()), Json.tree(v.reasons().getBytes()), v.policyId(),
                    v.policyDigest(), Instant.ofEpochMilli(v.issuedAt()).toString(),
                    Instant.ofEpochMilli(v.expiresAt()).toString(), v.token());
        }
    }

    /** Evidence that was not authenticated, as recorded: when it came and why it proved nothing. */
    public record FailedAttempt(String receivedAt, JsonNode reasons) {
        static FailedAttempt of(Store.VerdictRow v) {
            return new FailedAttempt(Instant.ofEpochMilli(v.issuedAt()).toString(), Json.tree(v.reasons().getBytes()));
        }
    }

    /**
     * A node's state. {@code trusted}: its latest verdict (on authenticated evidence, or an administrator's
     * revocation) is affirming or warning and unexpired, and the node is enrolled. {@code stale}: the node is
     * enrolled but has no unexpired verdict: it stopped attesting (or never did).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    /**
     * {@code nextAttestationFails}: in the node list only, the reasons the node's next attestation will fail for the
     * guests it ran at its last one under the current policy (a retired signer, a raised minimum security version).
     */
    public record Node(String nodeId, NodeStatus status, String policyId, String group, boolean trusted,
            boolean stale, Verdict latestVerdict,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<VerdictSigner.Reason> nextAttestationFails) {
        public Node(String nodeId, NodeStatus status, String policyId, String group, boolean trusted, boolean stale,
                Verdict latestVerdict) {
            this(nodeId, status, policyId, group, trusted, stale, latestVerdict, List.of());
        }

        Node withNextAttestationFails(List<VerdictSigner.Reason> reasons) {
            return new Node(nodeId, status, policyId, group, trusted, stale, latestVerdict, List.copyOf(reasons));
        }
    }

    /** One node with its history (newest first) and its latest failed attempts (newest first). */
    public record NodeDetail(@JsonUnwrapped Node node, List<Verdict> history, List<FailedAttempt> failedAttempts) {}

    public record NodeList(List<Node> nodes) {}

    public record Revoked(String nodeId, NodeStatus status) {}

    public record Retired(String nodeId, NodeStatus status) {}

    public record NodePolicy(String nodeId, String policyId) {}

    public record NodeGroup(String nodeId, String group) {}

    public record GroupPolicy(String group, String policyId) {}

    /** A policy file's state: its content's summary, or the error that keeps it from loading. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicySummary(String id, String file, boolean valid, String digest, String description,
            String bank, Boolean allowEmulated, SortedSet<Integer> pcrs, String error) {
        static PolicySummary of(PolicyRegistry.Entry e) {
            String file = e.file().getFileName().toString();
            Policy p = e.policy();
            if (p == null) {
                return new PolicySummary(e.id(), file, false, null, null, null, null, null, e.error());
            }
            return new PolicySummary(e.id(), file, true, p.digest(), p.description(), p.bank().bankName(),
                    p.allowEmulated(), p.pcrsRead(), null);
        }
    }

    public record PolicyList(List<PolicySummary> policies, @JsonProperty("default") String defaultPolicy) {}
}

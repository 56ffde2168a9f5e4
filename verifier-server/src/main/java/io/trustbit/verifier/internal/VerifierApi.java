package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.EvidenceFormatException;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.internal.Router.Access;
import io.trustbit.verifier.internal.Router.Reply;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP endpoint of the verifier, set up in {@link #router()} (the one place, reused by tests against a
 * real server). The API is described in docs/api/openapi.yaml.
 */
public final class VerifierApi {
    private static final Logger LOG = LoggerFactory.getLogger(VerifierApi.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int HISTORY = 20;

    private final Store store;
    private final Nonces nonces;
    private final EnrolledKeys.Cache enrolledKeys = new EnrolledKeys.Cache();
    private final PolicyRegistry policies;
    private final String defaultPolicy;
    private final VerdictSigner signer;
    private final Appraiser appraiser;
    private final Enrollment enrollment;
    private final Metrics metrics;
    private final long nonceLifetimeMillis;
    private final String replicaId;
    private final Clock clock;

    public VerifierApi(Store store, Nonces nonces, PolicyRegistry policies, String defaultPolicy, VerdictSigner signer,
            Appraiser appraiser, Enrollment enrollment, Metrics metrics, long nonceLifetimeMillis, String replicaId,
            Clock clock) {
        this.store = store;
        this.nonces = nonces;
        this.policies = policies;
        this.defaultPolicy = defaultPolicy;
        this.signer = signer;
        this.appraiser = appraiser;
        this.enrollment = enrollment;
        this.metrics = metrics;
        this.nonceLifetimeMillis = nonceLifetimeMillis;
        this.replicaId = replicaId;
        this.clock = clock;
    }

    public Router router() {
        return new Router()
                .add("POST", "/v1/nodes/{nodeId}/enroll", Access.AGENT,
                        x -> Reply.ok(enrollment.enroll(x.param("nodeId"), x.json(Enrollment.EnrollRequest.class))))
                .add("POST", "/v1/nodes/{nodeId}/activate", Access.AGENT,
                        x -> Reply.ok(activate(x.param("nodeId"), x.json(Enrollment.ActivateRequest.class))))
                .add("POST", "/v1/nodes/{nodeId}/challenge", Access.AGENT, x -> Reply.ok(challenge(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/evidence", Access.AGENT,
                        x -> Reply.ok(evidence(x.param("nodeId"), x.body())))
                .add("GET", "/v1/nodes", Access.ADMIN, x -> Reply.ok(nodes()))
                .add("GET", "/v1/nodes/{nodeId}", Access.ADMIN, x -> Reply.ok(node(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/revoke", Access.ADMIN, x -> Reply.ok(revoke(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/retire", Access.ADMIN, x -> Reply.ok(retire(x.param("nodeId"))))
                .add("PUT", "/v1/nodes/{nodeId}/policy", Access.ADMIN,
                        x -> Reply.ok(assignPolicy(x.param("nodeId"), x.json(PolicyAssignment.class))))
                .add("PUT", "/v1/nodes/{nodeId}/group", Access.ADMIN,
                        x -> Reply.ok(assignGroup(x.param("nodeId"), x.json(GroupAssignment.class))))
                .add("PUT", "/v1/groups/{group}/policy", Access.ADMIN,
                        x -> Reply.ok(groupPolicy(x.param("group"), x.json(PolicyAssignment.class))))
                .add("GET", "/v1/policies", Access.ADMIN, x -> Reply.ok(policyList()))
                .add("GET", "/v1/policies/{policyId}", Access.ADMIN, x -> Reply.ok(policy(x.param("policyId"))))
                .add("GET", "/v1/health", Access.PUBLIC, x -> Reply.ok(health()))
                .add("GET", "/metrics", Access.ADMIN,
                        x -> Reply.ok(new Router.Text("text/plain; version=0.0.4", metrics.render())))
                .add("GET", "/v1/jwks", Access.PUBLIC, x -> Reply.ok(jwks()))
                .add("GET", "/.well-known/jwks.json", Access.PUBLIC, x -> Reply.ok(jwks()));
    }

    public record PolicyAssignment(String policyId) {}

    public record GroupAssignment(String group) {}

    public record ChallengeResponse(String nonce, String expiresAt) {}

    /**
     * {@code next}: the node's next challenge, issued exactly like {@code POST /challenge} (absent when the node
     * is not enrolled, or when it could not be issued: the agent then asks for a challenge as usual).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** {@code checked}: every check evaluated, in order; all of them passed when the status is affirming. */
    public record EvidenceResponse(String status, List<Reason> reasons, List<String> checked, String verdict,
            ChallengeResponse next) {}

    private Enrollment.ActivateResponse activate(String nodeId, Enrollment.ActivateRequest req) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        return enrollment.activate(nodeId, req);
    }

    private ChallengeResponse challenge(String nodeId) throws SQLException {
        Store.Node node = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        if (!"enrolled".equals(node.status())) {
            throw new ApiException(409, "NODE_NOT_ENROLLED", "node is not enrolled");
        }
        return issueNonce(nodeId);
    }

    /** A fresh challenge for an enrolled node: 32 random bytes, bound to the node, single use, expiring. */
    private ChallengeResponse issueNonce(String nodeId) throws SQLException {
        byte[] n = new byte[32];
        RANDOM.nextBytes(n);
        String hex = HexFormat.of().formatHex(n);
        long expires = clock.millis() + nonceLifetimeMillis;
        nonces.add(hex, nodeId, expires);
        return new ChallengeResponse(hex, Instant.ofEpochMilli(expires).toString());
    }

    /**
     * Appraises evidence and records the verdict. Anything that goes wrong during the appraisal itself is a
     * contraindicated verdict; only a storage failure ends without a verdict (and then the node's last
     * verdict still expires on time).
     */
    EvidenceResponse evidence(String nodeId, byte[] body) throws SQLException {
        long started = System.nanoTime();
        Store.Node node = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        Evidence ev = null;
        List<Reason> early = new ArrayList<>();
        try {
            ev = EvidenceCodec.parse(body);
        } catch (EvidenceFormatException | RuntimeException e) {
            early.add(new Reason("evidence.format", "malformed evidence: " + oneLine(e.getMessage())));
            LOG.info("evidence for {}: {}", nodeId, e.toString());
        }
        String nonceHex = Appraiser.nonceHex(ev);
        Appraiser.NonceOutcome nonce = Appraiser.NonceOutcome.MALFORMED;
        if (nonceHex != null) {
            nonce = switch (nonces.use(nonceHex, nodeId, clock.millis())) {
                case OK -> Appraiser.NonceOutcome.OK;
                case EXPIRED_OR_OTHER_NODE -> Appraiser.NonceOutcome.EXPIRED_OR_OTHER_NODE;
                case UNKNOWN_OR_USED -> Appraiser.NonceOutcome.UNKNOWN_OR_USED;
            };
        }
        String policyId = node.effectivePolicyId() != null ? node.effectivePolicyId() : defaultPolicy;
        Optional<PolicyRegistry.Entry> entry = policies.get(policyId);
        Policy policy = entry.map(PolicyRegistry.Entry::policy).orElse(null);
        String policyError = entry.isEmpty() ? "policy " + policyId + " does not exist"
                : entry.get().error() != null ? "policy " + policyId + " does not load" : null;

        Appraiser.Result result;
        if (!early.isEmpty()) {
            result = new Appraiser.Result(early, List.of(), null, null);
        } else if ("revoked".equals(node.status())) {
            result = new Appraiser.Result(List.of(new Reason("node.revoked", "node is revoked")), List.of(), null, null);
        } else if (!"enrolled".equals(node.status()) || node.akPublic() == null) {
            result = new Appraiser.Result(List.of(new Reason("node.not-enrolled", "node has no activated AK")),
                    List.of(), null, null);
        } else {
            try {
                EnrolledKeys keys;
                try {
                    keys = enrolledKeys.get(nodeId, node.ekPublic(), node.akPublic());
                } catch (io.trustbit.attest.tpm2.Tpm2FormatException e) {
                    keys = null;
                }
                result = appraiser.appraise(nodeId, ev, keys, nonce, policy, policyError, clock.instant());
            } catch (RuntimeException | StackOverflowError e) {
                LOG.error("appraisal of {} failed unexpectedly", nodeId, e);
                result = new Appraiser.Result(List.of(new Reason("internal", "appraisal error")), List.of(), null, null);
            }
        }
        Appraiser.Result r = result;
        long lifetime = policy != null ? policy.verdictLifetimeSeconds() : 60;
        String pid = policy != null ? policy.id() : policyId;
        String pdigest = policy != null ? policy.digest() : null;
        String nonceRecorded = nonceHex;
        java.util.concurrent.atomic.AtomicReference<List<Reason>> finalReasons = new java.util.concurrent.atomic.AtomicReference<>();
        Store.VerdictRow row = store.recordVerdict(nodeId, r.resetCount(), r.restartCount(), forward -> {
            List<Reason> fail = new ArrayList<>(r.failures());
            if (!forward) {
                fail.add(new Reason("clock.counters", "resetCount/restartCount went backwards"));
            }
            Appraiser.Result fin = new Appraiser.Result(fail, r.warnings(), r.resetCount(), r.restartCount());
            String status = fin.status();
            List<Reason> reasons = new ArrayList<>(fail);
            reasons.addAll(r.warnings());
            finalReasons.set(reasons);
            long now = clock.millis();
            long iat = now / 1000;
            String token = signer.sign(new VerdictSigner.Claims(nodeId, status, reasons, nonceRecorded, pid, pdigest, iat,
                    iat + lifetime));
            return new Store.VerdictRow(0, nodeId, status, Json.writeString(reasons), pid, pdigest, nonceRecorded, token,
                    now, (iat + lifetime) * 1000, replicaId);
        });
        metrics.verdict(row.status());
        metrics.appraisal(System.nanoTime() - started);
        List<Reason> reasons = finalReasons.get();
        if (!"affirming".equals(row.status())) {
            LOG.info("node {} {}: {}", nodeId, row.status(), row.reasons());
        }
        ChallengeResponse next = null;
        if ("enrolled".equals(node.status())) {
            // issued after the verdict is committed, so it never rides on an answer that was not stored
            try {
                next = issueNonce(nodeId);
            } catch (SQLException e) {
                LOG.warn("next challenge for {} not issued: {}", nodeId, e.toString());
            }
        }
        List<String> checked = new ArrayList<>(r.checked());
        if (r.resetCount() != null) {
            checked.add("clock.counters");
        }
        return new EvidenceResponse(row.status(), reasons, checked, row.token(), next);
    }

    private static String oneLine(String s) {
        String t = s == null ? "unreadable" : s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 200 ? t.substring(0, 200) : t;
    }

    private Map<String, Object> nodes() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        long now = clock.millis();
        for (Store.Node n : store.nodes(10_000)) {
            List<Store.VerdictRow> latest = store.verdicts(n.nodeId(), 1);
            out.add(nodeSummary(n, latest.isEmpty() ? null : latest.get(0), now));
        }
        return Map.of("nodes", out);
    }

    private Map<String, Object> node(String nodeId) throws SQLException {
        Store.Node n = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        List<Store.VerdictRow> history = store.verdicts(nodeId, HISTORY);
        Map<String, Object> m = nodeSummary(n, history.isEmpty() ? null : history.get(0), clock.millis());
        List<Map<String, Object>> h = new ArrayList<>();
        for (Store.VerdictRow v : history) {
            h.add(verdictJson(v));
        }
        m.put("history", h);
        return m;
    }

    /**
     * A node is trusted only while its latest verdict is affirming or warning, unexpired, and the node is
     * not revoked: nothing else (no cached flag) can make it trusted.
     */
    private static Map<String, Object> nodeSummary(Store.Node n, Store.VerdictRow latest, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodeId", n.nodeId());
        m.put("status", n.status());
        m.put("policyId", n.policyId());
        m.put("group", n.groupName());
        boolean trusted = latest != null && "enrolled".equals(n.status()) && latest.expiresAt() > now
                && !"contraindicated".equals(latest.status());
        m.put("trusted", trusted);
        m.put("latestVerdict", latest == null ? null : verdictJson(latest));
        return m;
    }

    private static Map<String, Object> verdictJson(Store.VerdictRow v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", v.status());
        m.put("reasons", Json.tree(v.reasons().getBytes()));
        m.put("policyId", v.policyId());
        m.put("policyDigest", v.policyDigest());
        m.put("issuedAt", Instant.ofEpochMilli(v.issuedAt()).toString());
        m.put("expiresAt", Instant.ofEpochMilli(v.expiresAt()).toString());
        m.put("verdict", v.token());
        return m;
    }

    private Map<String, Object> revoke(String nodeId) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        if (!store.revoke(nodeId, clock.millis())) {
            throw ApiException.notFound("node");
        }
        recordAdminVerdict(nodeId, new Reason("node.revoked", "revoked by an administrator"));
        return Map.of("nodeId", nodeId, "status", "revoked");
    }

    /** Retires a node so that its TPM may enroll under another id (docs/verifier.md "one TPM, one node"). */
    private Map<String, Object> retire(String nodeId) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        switch (store.retire(nodeId, clock.millis())) {
            case NOT_FOUND -> throw ApiException.notFound("node");
            case REVOKED -> throw new ApiException(409, "NODE_REVOKED", "a revoked node stays revoked");
            case RETIRED -> recordAdminVerdict(nodeId, new Reason("node.retired", "retired by an administrator"));
            default -> throw new IllegalStateException();
        }
        return Map.of("nodeId", nodeId, "status", "retired");
    }

    /** A contraindicated verdict for an administrator's action, valid one day, so the node's latest verdict says so. */
    private void recordAdminVerdict(String nodeId, Reason reason) throws SQLException {
        long now = clock.millis();
        long iat = now / 1000;
        List<Reason> reasons = List.of(reason);
        String token = signer.sign(new VerdictSigner.Claims(nodeId, "contraindicated", reasons, null, null, null, iat,
                iat + 86_400));
        store.recordVerdict(nodeId, null, null, f -> new Store.VerdictRow(0, nodeId, "contraindicated",
                Json.writeString(reasons), null, null, null, token, now, (iat + 86_400) * 1000, replicaId));
    }

    private Map<String, Object> assignPolicy(String nodeId, PolicyAssignment a) throws SQLException {
        String id = checkPolicyId(a.policyId());
        if (!store.assignPolicy(nodeId, id, clock.millis())) {
            throw ApiException.notFound("node");
        }
        return Map.of("nodeId", nodeId, "policyId", id);
    }

    private Map<String, Object> assignGroup(String nodeId, GroupAssignment a) throws SQLException {
        if (a.group() == null || !Router.ID.matcher(a.group()).matches()) {
            throw ApiException.badRequest("BAD_GROUP", "group must match " + Router.ID.pattern());
        }
        if (!store.assignGroup(nodeId, a.group(), clock.millis())) {
            throw ApiException.notFound("node");
        }
        return Map.of("nodeId", nodeId, "group", a.group());
    }

    private Map<String, Object> groupPolicy(String group, PolicyAssignment a) throws SQLException {
        String id = checkPolicyId(a.policyId());
        store.setGroupPolicy(group, id);
        return Map.of("group", group, "policyId", id);
    }

    private String checkPolicyId(String id) {
        if (id == null || !Router.ID.matcher(id).matches()) {
            throw ApiException.badRequest("BAD_POLICY_ID", "policyId must match " + Router.ID.pattern());
        }
        if (policies.get(id).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "policy not found");
        }
        return id;
    }

    private Map<String, Object> policyList() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PolicyRegistry.Entry e : policies.entries().values()) {
            out.add(policySummary(e));
        }
        return Map.of("policies", out, "default", defaultPolicy);
    }

    private Map<String, Object> policy(String id) {
        PolicyRegistry.Entry e = policies.get(id).orElseThrow(() -> ApiException.notFound("policy"));
        return policySummary(e);
    }

    private static Map<String, Object> policySummary(PolicyRegistry.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("file", e.file().getFileName().toString());
        m.put("valid", e.policy() != null);
        if (e.policy() != null) {
            Policy p = e.policy();
            m.put("digest", p.digest());
            m.put("description", p.description());
            m.put("bank", p.bank().bankName());
            m.put("allowEmulated", p.allowEmulated());
            m.put("pcrs", p.pcrsRead());
        } else {
            m.put("error", e.error());
        }
        return m;
    }

    private Map<String, Object> health() {
        return Map.of("status", "ok", "replica", replicaId);
    }

    private ObjectNode jwks() throws SQLException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode keys = root.putArray("keys");
        for (String jwk : store.signingKeys()) {
            keys.add(Json.tree(jwk.getBytes()));
        }
        return root;
    }
}

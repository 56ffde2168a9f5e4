package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.EvidenceFormatException;
import io.trustbit.attest.ImaPosition;
import io.trustbit.verifier.internal.Router.Access;
import io.trustbit.verifier.internal.Router.Reply;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
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
    private final Dashboard dashboard;

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
        this.dashboard = new Dashboard(store, defaultPolicy, clock);
    }

    public Router router() {
        return dashboard.addRoutes(new Router())
                .add("POST", "/v1/nodes/{nodeId}/enroll", Access.AGENT,
                        x -> Reply.ok(enrollment.enroll(x.param("nodeId"), x.json(Enrollment.EnrollRequest.class))))
                .add("POST", "/v1/nodes/{nodeId}/activate", Access.AGENT,
                        x -> Reply.ok(activate(x.param("nodeId"), x.json(Enrollment.ActivateRequest.class))))
                .add("POST", "/v1/nodes/{nodeId}/challenge", Access.AGENT, x -> Reply.ok(challenge(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/evidence", Access.AGENT,
                        x -> Reply.ok(evidence(x.param("nodeId"), x.body(), x.remote())))
                .add("GET", "/v1/nodes", Access.READ, x -> Reply.ok(nodes()))
                .add("GET", "/v1/nodes/{nodeId}", Access.READ, x -> Reply.ok(node(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/revoke", Access.ADMIN, x -> Reply.ok(revoke(x.param("nodeId"))))
                .add("POST", "/v1/nodes/{nodeId}/retire", Access.ADMIN, x -> Reply.ok(retire(x.param("nodeId"))))
                .add("PUT", "/v1/nodes/{nodeId}/policy", Access.ADMIN,
                        x -> Reply.ok(assignPolicy(x.param("nodeId"), x.json(PolicyAssignment.class))))
                .add("PUT", "/v1/nodes/{nodeId}/group", Access.ADMIN,
                        x -> Reply.ok(assignGroup(x.param("nodeId"), x.json(GroupAssignment.class))))
                .add("PUT", "/v1/groups/{group}/policy", Access.ADMIN,
                        x -> Reply.ok(groupPolicy(x.param("group"), x.json(PolicyAssignment.class))))
                .add("GET", "/v1/policies", Access.READ, x -> Reply.ok(policyList()))
                .add("GET", "/v1/policies/{policyId}", Access.READ, x -> Reply.ok(policy(x.param("policyId"))))
                .add("GET", "/v1/health", Access.PUBLIC, x -> Reply.ok(health()))
                .add("GET", "/v1/webhooks", Access.ADMIN, x -> Reply.ok(Answers.Webhooks.of(store.webhookStates(50))))
                .add("GET", "/metrics", Access.ADMIN,
                        x -> Reply.ok(new Router.Text("text/plain; version=0.0.4", metrics.render())))
                .add("GET", "/v1/jwks", Access.PUBLIC, x -> Reply.ok(jwks()))
                .add("GET", "/.well-known/jwks.json", Access.PUBLIC, x -> Reply.ok(jwks()));
    }

    public record PolicyAssignment(String policyId) {}

    public record GroupAssignment(String group) {}

    private Enrollment.ActivateResponse activate(String nodeId, Enrollment.ActivateRequest req) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        return enrollment.activate(nodeId, req);
    }

    private Answers.Challenge challenge(String nodeId) throws SQLException {
        Store.Node node = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        if (NodeStatus.of(node) != NodeStatus.ENROLLED) {
            throw new ApiException(409, "NODE_NOT_ENROLLED", "node is not enrolled");
        }
        PolicyRegistry.Lookup policy = policies.resolve(policyId(node));
        return issueNonce(nodeId, imaPosition(appraisesIma(policy), imaState(node, policy)));
    }

    /**
     * A fresh challenge for an enrolled node: 32 random bytes, bound to the node, single use, expiring; with
     * where the node's IMA appraisal stands ({@code ima}; null: its policy does not appraise the IMA list).
     */
    private Answers.Challenge issueNonce(String nodeId, ImaPosition ima) throws SQLException {
        byte[] n = new byte[32];
        RANDOM.nextBytes(n);
        String hex = HexFormat.of().formatHex(n);
        long expires = clock.millis() + nonceLifetimeMillis;
        nonces.add(hex, nodeId, expires);
        return new Answers.Challenge(hex, Instant.ofEpochMilli(expires).toString(), ima);
    }

    private static boolean appraisesIma(PolicyRegistry.Lookup policy) {
        return policy instanceof PolicyRegistry.Lookup.Found f && f.policy().runtime() != null;
    }

    /** What a challenge says of the IMA list: nothing, the whole list ({@code state} null), or from {@code state}. */
    private static ImaPosition imaPosition(boolean appraised, Store.ImaStateRow state) {
        if (!appraised) {
            return null;
        }
        return state == null ? ImaPosition.start()
                : new ImaPosition(state.resetCount(), state.restartCount(), state.nextEntry(), state.byteOffset());
    }

    private String policyId(Store.Node node) {
        return node.effectivePolicyId() != null ? node.effectivePolicyId() : defaultPolicy;
    }

    /** The stored IMA state of a node whose policy has a runtime section (null otherwise, or if none is stored). */
    private Store.ImaStateRow imaState(Store.Node node, PolicyRegistry.Lookup policy) throws SQLException {
        return appraisesIma(policy) ? store.imaState(node.nodeId()).orElse(null) : null;
    }

    // ---- evidence: resolve → appraise → record ----

    /** The evidence body as read: attest's Evidence, or why it could not be read. */
    private sealed interface Parsed {
        record Readable(Evidence evidence) implements Parsed {}

        record Unreadable(String detail) implements Parsed {}
    }

    /**
     * One evidence request resolved against the verifier's state: the node as stored, the parsed evidence, the
     * outcome of using its nonce (which spends it, whatever follows), and the policy that applies to the node.
     */
    private record Submission(Store.Node node, NodeStatus status, Parsed parsed, Optional<String> nonceHex,
            Appraiser.NonceOutcome nonce, PolicyRegistry.Lookup policy, Store.ImaStateRow ima) {
        String nodeId() {
            return node.nodeId();
        }
    }

    /**
     * Appraises evidence and records the outcome (docs/verifier.md "Node state"). Authenticated evidence
     * becomes the node's verdict, whatever it says; evidence that is not proven to be the node's answer to one
     * of our challenges is recorded as a failed attempt and leaves the node's verdict alone. Only a storage
     * failure ends without either (and then the node's last verdict still expires on time).
     */
    Answers.Evidence evidence(String nodeId, byte[] body, String remote) throws SQLException {
        long started = System.nanoTime();
        Submission s = resolve(nodeId, body);
        Appraiser.Result result = appraise(s);
        Answers.Evidence answer = result.authenticated() ? recordVerdict(s, result) : recordFailedAttempt(s, result, remote);
        metrics.appraisal(System.nanoTime() - started);
        return answer;
    }

    private Submission resolve(String nodeId, byte[] body) throws SQLException {
        Store.Node node = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        Parsed parsed;
        try {
            // event logs are bounded by the body here; their own limit is an appraisal check (eventlog.*)
            parsed = new Parsed.Readable(EvidenceCodec.parse(body, EvidenceCodec.MAX_JSON_BYTES));
        } catch (EvidenceFormatException | RuntimeException e) {
            parsed = new Parsed.Unreadable(oneLine(e.getMessage()));
        }
        Optional<String> nonceHex = parsed instanceof Parsed.Readable r
                ? Appraiser.nonceHex(r.evidence()) : Optional.empty();
        Appraiser.NonceOutcome nonce = Appraiser.NonceOutcome.MALFORMED;
        if (nonceHex.isPresent()) {
            nonce = switch (nonces.use(nonceHex.get(), nodeId, clock.millis())) {
                case OK -> Appraiser.NonceOutcome.OK;
                case EXPIRED_OR_OTHER_NODE -> Appraiser.NonceOutcome.EXPIRED_OR_OTHER_NODE;
                case UNKNOWN_OR_USED -> Appraiser.NonceOutcome.UNKNOWN_OR_USED;
            };
        }
        PolicyRegistry.Lookup policy = policies.resolve(policyId(node));
        return new Submission(node, NodeStatus.of(node), parsed, nonceHex, nonce, policy, imaState(node, policy));
    }

    /** Pure appraisal of a resolved submission; anything unexpected is an {@code internal} failure. */
    private Appraiser.Result appraise(Submission s) {
        if (s.parsed() instanceof Parsed.Unreadable u) {
            return Appraiser.Result.refused(Check.EVIDENCE_FORMAT, "malformed evidence: " + u.detail());
        }
        Evidence ev = ((Parsed.Readable) s.parsed()).evidence();
        if (s.status() == NodeStatus.REVOKED) {
            return Appraiser.Result.refused(Check.NODE_REVOKED, "node is revoked");
        }
        if (s.status() != NodeStatus.ENROLLED || s.node().akPublic() == null) {
            return Appraiser.Result.refused(Check.NODE_NOT_ENROLLED, "node has no activated AK");
        }
        try {
            EnrolledKeys keys;
            try {
                keys = enrolledKeys.get(s.nodeId(), s.node().ekPublic(), s.node().akPublic());
            } catch (io.trustbit.attest.tpm2.Tpm2FormatException e) {
                keys = null;
            }
            return appraiser.appraise(s.nodeId(), ev, keys, s.nonce(), s.policy(), clock.instant(), s.ima());
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("appraisal of {} failed unexpectedly", s.nodeId(), e);
            return Appraiser.Result.refused(Check.INTERNAL, "appraisal error");
        }
    }

    /**
     * Records the node's verdict on authenticated evidence: in one transaction the counters move forward (or
     * the verdict fails {@code clock.counters}), the signed verdict is appended, and the launch chain its verified
     * DRTM log proved is stored if it differs from the node's last one.
     */
    private Answers.Evidence recordVerdict(Submission s, Appraiser.Result appraised) throws SQLException {
        String nodeId = s.nodeId();
        long lifetime = s.policy().verdictLifetimeSeconds();
        String policyDigest = s.policy().digest().orElse(null);
        String nonceHex = s.nonceHex().orElse(null);
        AtomicReference<Appraiser.Result> recorded = new AtomicReference<>();
        String chain = appraised.chain() == null ? null : Json.writeString(appraised.chain());
        Store.VerdictRow row = store.recordVerdict(nodeId, appraised.resetCount(), appraised.restartCount(), chain, forward -> {
            Appraiser.Result r = appraised.withCounters(forward);
            recorded.set(r);
            long now = clock.millis();
            long iat = now / 1000;
            String token = signer.sign(new VerdictSigner.Claims(nodeId, r.status(), r.reasons(), nonceHex,
                    s.policy().policyId(), policyDigest, iat, iat + lifetime));
            return new Store.VerdictRow(0, nodeId, r.status().wire(), Json.writeString(r.reasons()),
                    s.policy().policyId(), policyDigest, nonceHex, token, now, (iat + lifetime) * 1000, replicaId);
        });
        Appraiser.Result r = recorded.get();
        metrics.verdict(r.status());
        if (r.status() != EarStatus.AFFIRMING) {
            LOG.info("node {} {}: {}", nodeId, row.status(), row.reasons());
        }
        Store.ImaStateRow ima = s.ima();
        if (r.imaState() != null && !r.imaState().equals(s.ima())) {
            // after the verdict: a state lost here only makes the agent send entries again
            store.saveImaState(nodeId, r.imaState(), clock.millis());
            ima = r.imaState();
        }
        return new Answers.Evidence(r.status(), r.reasons(), r.checked(), true, row.token(), nextChallenge(s, imaPosition(appraisesIma(s.policy()), ima)));
    }

    /**
     * Records evidence that is not proven to come from the node (malformed, unknown or replayed nonce, foreign
     * AK, bad signature, revoked or unenrolled node): an audit row marked {@link Store#FAILED_ATTEMPT}, a
     * metric and a log line; the node's latest verdict stays what it was. The answer lists the reasons, as
     * for a verdict, but carries no signed token.
     */
    private Answers.Evidence recordFailedAttempt(Submission s, Appraiser.Result r, String remote) throws SQLException {
        String nodeId = s.nodeId();
        long now = clock.millis();
        String reasons = Json.writeString(r.reasons());
        store.recordVerdict(nodeId, null, null, forward -> new Store.VerdictRow(0, nodeId, Store.FAILED_ATTEMPT,
                reasons, s.policy().policyId(), null, s.nonceHex().orElse(null), "", now, now, replicaId));
        Check first = r.failures().stream().map(Reason::check).filter(c -> c.kind() == Check.Kind.AUTHENTICATION)
                .findFirst().orElse(Check.INTERNAL);
        metrics.failedAttempt(first);
        LOG.warn("failed attempt for node {} from {}: {}", nodeId, remote, reasons);
        return new Answers.Evidence(r.status(), r.reasons(), r.checked(), false, null, nextChallenge(s, imaPosition(appraisesIma(s.policy()), s.ima())));
    }

    /** The enrolled node's next challenge, issued after the outcome is stored (absent if it cannot be issued). */
    private Answers.Challenge nextChallenge(Submission s, ImaPosition ima) {
        if (s.status() != NodeStatus.ENROLLED) {
            return null;
        }
        try {
            return issueNonce(s.nodeId(), ima);
        } catch (SQLException e) {
            LOG.warn("next challenge for {} not issued: {}", s.nodeId(), e.toString());
            return null;
        }
    }

    private static String oneLine(String s) {
        String t = s == null ? "unreadable" : s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 200 ? t.substring(0, 200) : t;
    }

    // ---- admin ----

    private Answers.NodeList nodes() throws SQLException {
        List<Answers.Node> out = new ArrayList<>();
        long now = clock.millis();
        Map<String, String> chains = store.launchChains();
        for (Store.Node n : store.nodes(10_000)) {
            out.add(summary(n, store.verdicts(n.nodeId(), 1).stream().findFirst(), now)
                    .withNextAttestationFails(nextAttestationFails(n, chains.get(n.nodeId()))));
        }
        return new Answers.NodeList(out);
    }

    /**
     * The reasons the node's next attestation will be contraindicated for the guests its last proven launch chain
     * (JSON) shows launched, under
     * the policy in force now: a retired signer, or a security version below the minimums (docs/verifier.md
     * "Signer rotation and revocation"). Empty when nothing is known or nothing fails.
     */
    private List<Reason> nextAttestationFails(Store.Node n, String chain) {
        if (chain == null || NodeStatus.of(n) != NodeStatus.ENROLLED) {
            return List.of();
        }
        String policyId = n.effectivePolicyId() != null ? n.effectivePolicyId() : defaultPolicy;
        if (!(policies.resolve(policyId) instanceof PolicyRegistry.Lookup.Found found)) {
            return List.of();
        }
        List<Reason> out = new ArrayList<>();
        for (io.trustbit.measure.GuestRecord g : GuestSigners.launched(chain)) {
            out.addAll(GuestSigners.failures(found.policy(), g));
        }
        return out;
    }

    private Answers.NodeDetail node(String nodeId) throws SQLException {
        Store.Node n = store.node(nodeId).orElseThrow(() -> ApiException.notFound("node"));
        List<Store.VerdictRow> history = store.verdicts(nodeId, HISTORY);
        Answers.Node summary = summary(n, history.stream().findFirst(), clock.millis());
        return new Answers.NodeDetail(summary, history.stream().map(Answers.Verdict::of).toList(),
                store.failedAttempts(nodeId, HISTORY).stream().map(Answers.FailedAttempt::of).toList());
    }

    /**
     * A node is trusted only while its latest verdict is affirming or warning, unexpired, and the node is
     * enrolled: nothing else (no cached flag, no unauthenticated request) can make it trusted or untrusted.
     * An enrolled node without an unexpired verdict is stale.
     */
    private static Answers.Node summary(Store.Node n, Optional<Store.VerdictRow> latest, long now) {
        NodeStatus status = NodeStatus.of(n);
        boolean current = latest.isPresent() && latest.get().expiresAt() > now;
        boolean trusted = current && status == NodeStatus.ENROLLED && EarStatus.fromWire(latest.get().status()).trusts();
        return new Answers.Node(n.nodeId(), status, n.policyId(), n.groupName(), trusted,
                status == NodeStatus.ENROLLED && !current, latest.map(Answers.Verdict::of).orElse(null));
    }

    private Answers.Revoked revoke(String nodeId) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        if (!store.revoke(nodeId, clock.millis())) {
            throw ApiException.notFound("node");
        }
        recordAdminVerdict(nodeId, new Reason(Check.NODE_REVOKED, "revoked by an administrator"));
        return new Answers.Revoked(nodeId, NodeStatus.REVOKED);
    }

    /** Retires a node so that its TPM may enroll under another id (docs/verifier.md "One TPM, one node"). */
    private Answers.Retired retire(String nodeId) throws SQLException {
        enrolledKeys.invalidate(nodeId);
        switch (store.retire(nodeId, clock.millis())) {
            case NOT_FOUND -> throw ApiException.notFound("node");
            case REVOKED -> throw new ApiException(409, "NODE_REVOKED", "a revoked node stays revoked");
            case RETIRED -> recordAdminVerdict(nodeId, new Reason(Check.NODE_RETIRED, "retired by an administrator"));
            default -> throw new IllegalStateException();
        }
        return new Answers.Retired(nodeId, NodeStatus.RETIRED);
    }

    /** A contraindicated verdict for an administrator's action, valid one day, so the node's latest verdict says so. */
    private void recordAdminVerdict(String nodeId, Reason reason) throws SQLException {
        long now = clock.millis();
        long iat = now / 1000;
        List<Reason> reasons = List.of(reason);
        String token = signer.sign(new VerdictSigner.Claims(nodeId, EarStatus.CONTRAINDICATED, reasons, null, null,
                null, iat, iat + 86_400));
        store.recordVerdict(nodeId, null, null, f -> new Store.VerdictRow(0, nodeId, EarStatus.CONTRAINDICATED.wire(),
                Json.writeString(reasons), null, null, null, token, now, (iat + 86_400) * 1000, replicaId));
    }

    private Answers.NodePolicy assignPolicy(String nodeId, PolicyAssignment a) throws SQLException {
        String id = checkPolicyId(a.policyId());
        if (!store.assignPolicy(nodeId, id, clock.millis())) {
            throw ApiException.notFound("node");
        }
        return new Answers.NodePolicy(nodeId, id);
    }

    private Answers.NodeGroup assignGroup(String nodeId, GroupAssignment a) throws SQLException {
        if (a.group() == null || !Router.ID.matcher(a.group()).matches()) {
            throw ApiException.badRequest("BAD_GROUP", "group must match " + Router.ID.pattern());
        }
        if (!store.assignGroup(nodeId, a.group(), clock.millis())) {
            throw ApiException.notFound("node");
        }
        return new Answers.NodeGroup(nodeId, a.group());
    }

    private Answers.GroupPolicy groupPolicy(String group, PolicyAssignment a) throws SQLException {
        String id = checkPolicyId(a.policyId());
        store.setGroupPolicy(group, id);
        return new Answers.GroupPolicy(group, id);
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

    private Answers.PolicyList policyList() {
        return new Answers.PolicyList(policies.entries().values().stream().map(Answers.PolicySummary::of).toList(),
                defaultPolicy);
    }

    private Answers.PolicySummary policy(String id) {
        return Answers.PolicySummary.of(policies.get(id).orElseThrow(() -> ApiException.notFound("policy")));
    }

    private Answers.Health health() {
        return new Answers.Health("ok", replicaId);
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

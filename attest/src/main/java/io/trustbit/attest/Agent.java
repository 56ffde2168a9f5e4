package io.trustbit.attest;

import io.trustbit.attest.internal.http.VerifierClient;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.TpmsAttest;
import io.trustbit.attest.tpm2.TpmtPublic;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The attestation agent: enrolls once (EK + AK sent to the verifier, credential activated to prove
 * they share a TPM), then on every round asks for a nonce, quotes, and sends the Evidence. An evidence answer
 * may carry the node's next challenge ({@code next}); the next round uses it instead of asking while it has
 * at least 5 s left, and if the verifier refuses it (expired, restarted) asks for a fresh one and attests
 * again once, so only the second verdict counts.
 *
 * <p>Failures never end the loop: an unreachable verifier, a 5xx or a TPM error waits with
 * exponential backoff (1 s doubling up to 5 min, with 50–100 % jitter) and tries again; a verifier
 * that no longer knows the node (404, 409 NODE_NOT_ENROLLED) triggers a new enrollment with the
 * same AK. The AK lives in the state directory (written atomically) and is never replaced.
 *
 * <p>On demand: creating the file {@value #ON_DEMAND_FILE} in the state directory (for example with
 * {@code touch}, or from a service manager's reload action) makes a running agent attest within a
 * fraction of a second instead of at the end of its interval; the agent removes the file.
 */
public final class Agent {
    private static final Duration BACKOFF_START = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofMinutes(5);
    /** The file in the state directory that asks a running agent to attest now. */
    public static final String ON_DEMAND_FILE = "attest-now";
    /** A next challenge from the last answer is used only while it has at least this long to live. */
    private static final Duration NEXT_NONCE_MARGIN = Duration.ofSeconds(5);

    /**
     * Everything the agent needs; see {@code trustbit agent --help}. {@code imaLog}: the IMA measurement list
     * to send (default: the kernel's, with a {@code linux:} TPM; sent whenever the file exists and the
     * verifier's challenge asks for it, i.e. the node's policy appraises it).
     */
    public record Config(String tpm, URI verifier, VerifierTrust trust, NodeId nodeId, Path stateDir, Duration interval,
            PcrSelection pcrs, AkType akType, Optional<EkType> ekType, Optional<Path> drtmLog, Optional<Path> imaLog) {
        public Config {
            if (nodeId == null) {
                throw new IllegalArgumentException("node id is required");
            }
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive");
            }
        }
    }

    private final Config cfg;
    private final VerifierClient client;
    private final PrintWriter log;
    private final SecureRandom random = new SecureRandom();
    /** The node's next challenge from the last evidence answer ({@code next}), not yet used. */
    private VerifierClient.Nonce nextNonce;

    public Agent(Config cfg, PrintWriter log) throws IOException, GeneralSecurityException {
        this.cfg = cfg;
        this.client = new VerifierClient(cfg.verifier(), cfg.trust());
        this.log = log;
    }

    private AkLocation akLocation() {
        return AkLocation.stateDir(cfg.stateDir());
    }

    /** One attestation, enrolling first if this state directory is not enrolled with this verifier. */
    public AttestationResult attestOnce() throws AttestException, VerifierException, IOException {
        if (!enrolled()) {
            enroll();
        }
        try {
            return attest();
        } catch (VerifierException e) {
            if (e.status() == 404 || "NODE_NOT_ENROLLED".equals(e.code())) {
                say("verifier does not know node " + cfg.nodeId() + " (" + e.code() + "): enrolling again");
                Files.deleteIfExists(cfg.stateDir().resolve(StateFiles.ENROLLED));
                enroll();
                return attest();
            }
            throw e;
        }
    }

    /**
     * {@link #attestOnce()}, tried again after a failure that may pass by itself ({@link VerifierException#isTransient()}:
     * the verifier unreachable or answering 5xx, 408, 429), {@code attempts} times in all, 1 s, 2 s, 4 s … apart (with
     * jitter, as {@link #run}). A network that comes up late at boot or a verifier restarting then costs a few seconds
     * instead of the attestation; every other failure ends it at once.
     */
    public AttestationResult attestOnce(int attempts) throws AttestException, VerifierException, IOException {
        Duration backoff = BACKOFF_START;
        for (int attempt = 1; ; attempt++) {
            try {
                return attestOnce();
            } catch (VerifierException e) {
                if (!e.isTransient() || attempt >= attempts) {
                    throw e;
                }
                Duration wait = jitter(backoff);
                say("attestation failed: " + e.getMessage() + "; attempt " + (attempt + 1) + " of " + attempts + " in "
                        + wait.toMillis() + " ms");
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new VerifierException("interrupted", interrupted);
                }
                backoff = doubled(backoff);
            }
        }
    }

    /** Attests every interval until {@code stop} says so; never returns because of a failure. */
    public void run(BooleanSupplier stop) throws InterruptedException {
        Duration backoff = BACKOFF_START;
        while (!stop.getAsBoolean()) {
            Duration wait;
            try {
                AttestationResult r = attestOnce();
                say("attested: " + r.status() + (r.reasons().isEmpty() ? "" : " " + r.reasons()));
                backoff = BACKOFF_START;
                wait = cfg.interval();
            } catch (AttestException | VerifierException | IOException | RuntimeException e) {
                wait = jitter(backoff);
                say("attestation failed: " + e.getMessage() + "; retrying in " + wait.toMillis() + " ms");
                backoff = doubled(backoff);
            }
            sleep(wait, stop);
        }
    }

    private static Duration doubled(Duration backoff) {
        return backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff.multipliedBy(2);
    }

    private Duration jitter(Duration d) {
        return Duration.ofMillis((long) (d.toMillis() * (0.5 + 0.5 * random.nextDouble())));
    }

    /** Waits {@code d}, or less when stopped or asked to attest now (the on-demand file appears). */
    private void sleep(Duration d, BooleanSupplier stop) throws InterruptedException {
        Path onDemand = cfg.stateDir().resolve(ON_DEMAND_FILE);
        long end = System.nanoTime() + d.toNanos();
        while (!stop.getAsBoolean() && System.nanoTime() < end) {
            if (Files.exists(onDemand)) {
                try {
                    Files.deleteIfExists(onDemand);
                } catch (IOException e) {
                    say("cannot remove " + onDemand + ": " + e.getMessage());
                }
                say("attestation requested on demand");
                return;
            }
            Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private boolean enrolled() throws IOException {
        Path marker = cfg.stateDir().resolve(StateFiles.ENROLLED);
        if (!Files.exists(marker) || !Files.exists(cfg.stateDir().resolve(StateFiles.AK_PUBLIC))) {
            return false;
        }
        String expected = markerText(Files.readAllBytes(cfg.stateDir().resolve(StateFiles.AK_PUBLIC)));
        return expected != null && expected.equals(Files.readString(marker, StandardCharsets.UTF_8));
    }

    private String markerText(byte[] akPublic) {
        try {
            return "verifier " + cfg.verifier() + "\nnode " + cfg.nodeId() + "\nak "
                    + HexFormat.of().formatHex(TpmtPublic.parse(akPublic).name()) + "\n";
        } catch (io.trustbit.attest.tpm2.Tpm2FormatException e) {
            return null;
        }
    }

    private void enroll() throws AttestException, VerifierException, IOException {
        nextNonce = null;
        try (AttestationTpm tpm = AttestationTpm.open(cfg.tpm())) {
            EkType ek = AttestationTpm.ekTypeOf(akLocation(), cfg.ekType().isPresent() ? cfg.ekType().get() : tpm.defaultEkType());
            Endorsement e = tpm.endorsement(ek);
            TpmtPublic ak = tpm.ak(akLocation(), cfg.akType(), ek);
            VerifierClient.Challenge c = client.enroll(cfg.nodeId(), e.ekPublic().encoded(), e.certificate(), ak.encoded());
            byte[] secret = tpm.activateCredential(akLocation(), cfg.akType(), ek, c.credentialBlob(), c.encryptedSecret());
            String status = client.activate(cfg.nodeId(), c.challengeId(), secret);
            java.util.Arrays.fill(secret, (byte) 0);
            StateFiles.writeAtomically(cfg.stateDir().resolve(StateFiles.ENROLLED),
                    markerText(ak.encoded()).getBytes(StandardCharsets.UTF_8));
            say("enrolled node " + cfg.nodeId() + " (" + ek.label() + " EK" + (e.certificate().isPresent() ? " with certificate" : "")
                    + ", AK " + HexFormat.of().formatHex(ak.name()) + "): " + status);
        }
    }

    private AttestationResult attest() throws AttestException, VerifierException, IOException {
        VerifierClient.Nonce piggybacked = takeNextNonce();
        if (piggybacked == null) {
            return attestWith(client.challenge(cfg.nodeId()));
        }
        VerifierClient.Verdict v = send(piggybacked);
        if (v.reasons().stream().anyMatch(r -> "nonce".equals(r.check()))) {
            // the nonce the last answer carried is no longer accepted (expired, or the verifier restarted)
            say("next challenge from the last verdict was refused: attesting again with a fresh challenge");
            nextNonce = null;
            return attestWith(client.challenge(cfg.nodeId()));
        }
        return imaRetried(v);
    }

    /**
     * When the verifier's appraisal of the IMA list stood elsewhere than the challenge said (another verifier
     * replica moved it on, or its state was reset), the answer's next challenge carries where it stands: the
     * agent attests again once from there, so only the second verdict counts.
     */
    private AttestationResult imaRetried(VerifierClient.Verdict v) throws AttestException, VerifierException, IOException {
        VerifierClient.Nonce next = nextNonce;
        if (next != null && v.reasons().stream().anyMatch(r -> "ima.offset".equals(r.check()))) {
            say("the verifier holds another IMA position: attesting again from it");
            nextNonce = null;
            return result(send(next));
        }
        return result(v);
    }

    /**
     * The challenge the last evidence answer carried, if it has at least {@link #NEXT_NONCE_MARGIN} left to
     * live; each is used once.
     */
    private VerifierClient.Nonce takeNextNonce() {
        VerifierClient.Nonce n = nextNonce;
        nextNonce = null;
        if (n == null) {
            return null;
        }
        try {
            return Instant.parse(n.expiresAt()).isAfter(Instant.now().plus(NEXT_NONCE_MARGIN)) ? n : null;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private AttestationResult attestWith(VerifierClient.Nonce nonce) throws AttestException, VerifierException, IOException {
        return imaRetried(send(nonce));
    }

    private VerifierClient.Verdict send(VerifierClient.Nonce nonce) throws AttestException, VerifierException, IOException {
        Evidence evidence;
        try (AttestationTpm tpm = AttestationTpm.open(cfg.tpm())) {
            EkType ek = AttestationTpm.ekTypeOf(akLocation(), EkType.ECC);
            // the IMA list goes along when the verifier appraises it (the challenge says where it stands)
            Optional<Path> ima = nonce.ima().isPresent() ? ImaLogs.source(cfg.imaLog(), cfg.tpm()) : Optional.empty();
            PcrSelection selection = ima.isPresent() ? ImaLogs.withImaPcr(cfg.pcrs()) : cfg.pcrs();
            Quote q = tpm.quote(akLocation(), cfg.akType(), ek, nonce.nonce(), selection);
            ImaTail tail = null;
            if (ima.isPresent()) {
                try {
                    tail = ImaLogs.tail(ima.get(), nonce.ima(), TpmsAttest.parse(q.attest()).clockInfo());
                } catch (io.trustbit.attest.tpm2.Tpm2FormatException e) {
                    throw new AttestException("the TPM's quote is unreadable: " + e.getMessage(), e);
                }
            }
            evidence = Evidence.of(cfg.nodeId(), nonce.nonce(), q, EventLogs.collect(tpm, cfg.tpm(), cfg.drtmLog()), tail);
        }
        VerifierClient.Verdict v = client.evidence(cfg.nodeId(), EvidenceCodec.toJson(evidence));
        nextNonce = v.next().orElse(null);
        return v;
    }

    private static AttestationResult result(VerifierClient.Verdict v) {
        List<String> reasons = new ArrayList<>();
        for (VerifierClient.Reason r : v.reasons()) {
            reasons.add(r.check() + ": " + r.detail());
        }
        return new AttestationResult(v.status(), reasons, v.checked(), v.verdict());
    }

    private void say(String line) {
        log.println(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " agent: " + line);
        log.flush();
    }
}

package io.trustbit.verifier.internal;

import io.trustbit.attest.tpm2.AkAttributes;
import io.trustbit.attest.tpm2.MakeCredential;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmtPublic;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Enrollment: an AK is trusted for a node only after the TPM holding the node's EK proved, with
 * TPM2_ActivateCredential, that it holds the AK (TCG EK Credential Profile; TPM 2.0 Part 1 §24). A node id
 * is bound to the first EK it enrolled with, forever; and one TPM is one node: an EK activated under one id
 * is refused under any other ({@code EK_IN_USE}) until an administrator retires the first.
 */
public final class Enrollment {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_PUBLIC_B64 = 2048;
    private static final int MAX_CERT_B64 = 8192;

    public record EnrollRequest(String ekPublic, String ekCertificate, String akPublic) {}

    public record EnrollResponse(String challengeId, String credentialBlob, String encryptedSecret) {}

    public record ActivateRequest(String challengeId, String secret) {}

    public record ActivateResponse(String status) {}

    private final Store store;
    private final Path ekCaDir;
    private final long challengeLifetimeMillis;
    private final Clock clock;

    public Enrollment(Store store, Path ekCaDir, long challengeLifetimeMillis, Clock clock) {
        this.store = store;
        this.ekCaDir = ekCaDir;
        this.challengeLifetimeMillis = challengeLifetimeMillis;
        this.clock = clock;
    }

    public EnrollResponse enroll(String nodeId, EnrollRequest req) throws SQLException {
        byte[] ekBytes = PublicAreas.bare(decode(req.ekPublic(), "ekPublic", MAX_PUBLIC_B64));
        byte[] akBytes = PublicAreas.bare(decode(req.akPublic(), "akPublic", MAX_PUBLIC_B64));
        TpmtPublic ek;
        TpmtPublic ak;
        try {
            ek = TpmtPublic.parse(ekBytes);
        } catch (Tpm2FormatException e) {
            throw ApiException.badRequest("BAD_EK", "ekPublic is not a TPMT_PUBLIC or TPM2B_PUBLIC", e);
        }
        try {
            ak = TpmtPublic.parse(akBytes);
        } catch (Tpm2FormatException e) {
            throw ApiException.badRequest("BAD_AK", "akPublic is not a TPMT_PUBLIC or TPM2B_PUBLIC", e);
        }
        try {
            AkAttributes.check(ak);
        } catch (AkAttributes.AkAttributeException e) {
            throw new ApiException(400, "AK_ATTRIBUTES", "AK refused: " + e.getMessage(), e.getMessage(), e);
        }
        if (ekCaDir != null) {
            if (req.ekCertificate() == null) {
                throw ApiException.badRequest("EK_CERTIFICATE", "an EK certificate is required");
            }
            checkEkCertificate(decode(req.ekCertificate(), "ekCertificate", MAX_CERT_B64), ek);
        }
        String ekName = HexFormat.of().formatHex(ek.name());
        long now = clock.millis();
        // checked before the id is bound, so that a refused TPM leaves no pending row behind; activation
        // checks it again in the database, where a race between two ids is decided
        Optional<String> holder = store.ekHolder(ekName);
        if (holder.isPresent() && !holder.get().equals(nodeId)) {
            throw ekInUse(nodeId, holder.get());
        }
        Store.Node node = store.bindNode(nodeId, Base64.getEncoder().encodeToString(ekBytes), ekName, now);
        if (!MessageDigest.isEqual(node.ekName().getBytes(), ekName.getBytes())) {
            throw new ApiException(409, "EK_MISMATCH", "node id is bound to another TPM",
                    "node " + nodeId + " enrolled with EK " + node.ekName() + ", request has " + ekName, null);
        }
        refuseEnded(NodeStatus.of(node));
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        MakeCredential.Result cred;
        try {
            cred = MakeCredential.make(ek, ak.name(), secret);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw ApiException.badRequest("BAD_EK", "cannot make a credential for this EK", e);
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String challengeId = HexFormat.of().formatHex(id);
        store.addEnrollChallenge(new Store.EnrollChallenge(challengeId, nodeId, Base64.getEncoder().encodeToString(akBytes),
                HexFormat.of().formatHex(ak.name()), HexFormat.of().formatHex(secret), now + challengeLifetimeMillis));
        Base64.Encoder b64 = Base64.getEncoder();
        return new EnrollResponse(challengeId, b64.encodeToString(cred.credentialBlob()),
                b64.encodeToString(cred.encryptedSecret()));
    }

    /** One attempt per challenge; a wrong secret never reveals the expected one (constant-time compare). */
    public ActivateResponse activate(String nodeId, ActivateRequest req) throws SQLException {
        if (req.challengeId() == null || !req.challengeId().matches("[0-9a-f]{32}")) {
            throw ApiException.badRequest("BAD_CHALLENGE", "challengeId malformed");
        }
        byte[] given = decode(req.secret(), "secret", 128);
        Optional<Store.EnrollChallenge> ch = store.takeEnrollChallenge(req.challengeId(), nodeId);
        if (ch.isEmpty()) {
            throw ApiException.badRequest("UNKNOWN_CHALLENGE", "challenge unknown or already used");
        }
        if (ch.get().expiresAt() <= clock.millis()) {
            throw ApiException.badRequest("CHALLENGE_EXPIRED", "challenge expired");
        }
        byte[] expected = HexFormat.of().parseHex(ch.get().secret());
        if (!MessageDigest.isEqual(given, expected)) {
            throw new ApiException(403, "ACTIVATION_FAILED", "activation failed",
                    "wrong credential secret for node " + nodeId, null);
        }
        switch (store.activate(nodeId, ch.get().akPublic(), ch.get().akName(), clock.millis())) {
            case ACTIVATED -> {
                return new ActivateResponse("enrolled");
            }
            case EK_IN_USE -> throw ekInUse(nodeId, "another node");
            case REFUSED -> {
                Optional<Store.Node> node = store.node(nodeId);
                if (node.isPresent()) {
                    refuseEnded(NodeStatus.of(node.get()));
                }
                throw new ApiException(403, "NODE_REVOKED", "node is revoked");
            }
            default -> throw new IllegalStateException();
        }
    }

    /** A revoked or retired node id never enrolls again. */
    private static void refuseEnded(NodeStatus status) {
        if (status == NodeStatus.REVOKED) {
            throw new ApiException(403, "NODE_REVOKED", "node is revoked");
        }
        if (status == NodeStatus.RETIRED) {
            throw new ApiException(403, "NODE_RETIRED", "node is retired");
        }
    }

    /** The client learns that its TPM is taken, not by which node; the log says which. */
    private static ApiException ekInUse(String nodeId, String holder) {
        return new ApiException(409, "EK_IN_USE", "this TPM is enrolled as another node; an administrator must"
                + " retire that node first", "enrollment of " + nodeId + " refused: its EK is held by " + holder, null);
    }

    private void checkEkCertificate(byte[] der, TpmtPublic ek) {
        X509Certificate cert;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw ApiException.badRequest("EK_CERTIFICATE", "ekCertificate is not an X.509 certificate", e);
        }
        try {
            List<X509Certificate> dirCerts = caCertificates(ekCaDir);
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate c : dirCerts) {
                if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                    anchors.add(new TrustAnchor(c, null));
                }
            }
            if (anchors.isEmpty()) {
                throw new ApiException(500, "EK_CA", "EK CA directory has no root", "no self-signed certificate in " + ekCaDir, null);
            }
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(cert);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            List<X509Certificate> store = new ArrayList<>(dirCerts);
            store.add(cert);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
            params.setRevocationEnabled(false);
            CertPathBuilder.getInstance("PKIX").build(params);
        } catch (GeneralSecurityException | IOException e) {
            throw ApiException.badRequest("EK_CERTIFICATE", "EK certificate does not chain to a trusted CA", e);
        }
        try {
            if (!sameKey(cert.getPublicKey(), ek.toJcaPublicKey())) {
                throw ApiException.badRequest("EK_CERTIFICATE", "EK certificate is for another key");
            }
        } catch (GeneralSecurityException e) {
            throw ApiException.badRequest("BAD_EK", "ekPublic has no usable key", e);
        }
    }

    private static boolean sameKey(PublicKey a, PublicKey b) {
        if (a instanceof ECPublicKey x && b instanceof ECPublicKey y) {
            return x.getW().equals(y.getW()) && x.getParams().getCurve().equals(y.getParams().getCurve());
        }
        if (a instanceof RSAPublicKey x && b instanceof RSAPublicKey y) {
            return x.getModulus().equals(y.getModulus()) && x.getPublicExponent().equals(y.getPublicExponent());
        }
        return false;
    }

    private static List<X509Certificate> caCertificates(Path dir) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{pem,crt,cer,der}")) {
            for (Path f : ds) {
                try (var in = Files.newInputStream(f)) {
                    for (var c : cf.generateCertificates(in)) {
                        out.add((X509Certificate) c);
                    }
                }
            }
        }
        return out;
    }

    static byte[] decode(String b64, String field, int max) {
        if (b64 == null || b64.isEmpty()) {
            throw ApiException.badRequest("BAD_REQUEST", field + " missing");
        }
        if (b64.length() > max) {
            throw ApiException.badRequest("BAD_REQUEST", field + " too long");
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("BAD_REQUEST", field + " is not base64", e);
        }
    }
}

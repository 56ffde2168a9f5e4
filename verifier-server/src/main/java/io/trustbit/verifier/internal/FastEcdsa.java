package io.trustbit.verifier.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * ECDSA on the verifier's hot path through Bouncy Castle, which verifies P-256 several times faster than the
 * JDK 17 provider on this class of machine (docs/benchmarks.md "Verifier"). Only the ECDSA signature
 * algorithms are taken from Bouncy Castle, through a narrow provider placed first; everything else (TLS key
 * exchange, RSA, hashes) stays with the JDK. The provider is the same algorithm implementation the JDK
 * provider offers, so the quote check (attest's QuoteSignatures, which asks the JCA for
 * {@code SHA256withECDSA}) is unchanged in meaning.
 */
public final class FastEcdsa {
    /** A Bouncy Castle provider instance used directly (not registered). */
    public static final Provider BC = new BouncyCastleProvider();
    private static final String NAME = "TrustbitEcdsa";
    private static final String SPI = "org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi$";

    private FastEcdsa() {}

    /** Puts the narrow ECDSA provider first, once per process. */
    public static synchronized void preferForProcess() {
        if (Security.getProvider(NAME) != null) {
            return;
        }
        Provider p = new Provider(NAME, "1.0", "ECDSA signatures by Bouncy Castle") {
            {
                put("Signature.SHA256withECDSA", SPI + "ecDSA256");
                put("Signature.SHA384withECDSA", SPI + "ecDSA384");
                put("Signature.SHA512withECDSA", SPI + "ecDSA512");
            }
        };
        Security.insertProviderAt(p, 1);
    }

    /** The same private key as a Bouncy Castle key object, so signing does not convert it on every call. */
    public static PrivateKey bcPrivateKey(PrivateKey key) {
        try {
            return KeyFactory.getInstance("EC", BC).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot convert the EC private key", e);
        }
    }

    /** ECDSA with SHA-256 producing R ‖ S (JWS ES256 form), by Bouncy Castle. */
    public static Signature es256() {
        try {
            return Signature.getInstance("SHA256withPLAIN-ECDSA", BC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Bouncy Castle lacks SHA256withPLAIN-ECDSA", e);
        }
    }
}

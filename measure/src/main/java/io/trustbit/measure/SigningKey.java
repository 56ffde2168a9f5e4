package io.trustbit.measure;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 private key for signing image manifests. Its {@link #toString} never shows key material. */
public final class SigningKey implements ManifestSigner {
    private final Ed25519PrivateKeyParameters key;

    SigningKey(Ed25519PrivateKeyParameters key) {
        this.key = key;
    }

    public static SigningKey generate() {
        return new SigningKey(new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    @Override
    public Ed25519PublicKey publicKey() {
        return Ed25519PublicKey.fromRaw(key.generatePublicKey().getEncoded());
    }

    @Override
    public int signatureLength() {
        return 64;
    }

    /** An Ed25519 signature (RFC 8032, §5.1.6) of {@code message}. */
    @Override
    public byte[] sign(byte[] message) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(message, 0, message.length);
        return s.generateSignature();
    }

    Ed25519PrivateKeyParameters parameters() {
        return key;
    }

    @Override
    public String toString() {
        return "SigningKey[keyId=" + publicKey().keyIdHex() + "]";
    }
}

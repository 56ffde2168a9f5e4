package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The TPM key derivation functions, TPM 2.0 Library Part 1 §11.4.10. */
public final class Kdf {
    private Kdf() {
    }

    /**
     * KDFa (Part 1 §11.4.10.2, SP 800-108 counter mode with HMAC): the first {@code bits} bits of
     * HMAC_hash(key, [i]₃₂ ‖ label ‖ 0x00 ‖ contextU ‖ contextV ‖ [bits]₃₂) for i = 1, 2, …
     * The label is given without its terminating zero.
     */
    public static byte[] kdfa(HashAlg hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        requireWholeBytes(bits);
        try {
            String macName = "Hmac" + hash.jcaName().replace("-", "");
            Mac mac = Mac.getInstance(macName);
            // The JCA refuses an empty key; HMAC pads keys with zeros, so one zero byte is the same key.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, macName));
            byte[] out = new byte[bits / 8];
            byte[] labelBytes = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int done = 0;
            for (int counter = 1; done < out.length; counter++) {
                mac.update(u32(counter));
                mac.update(labelBytes);
                mac.update((byte) 0);
                mac.update(contextU);
                mac.update(contextV);
                mac.update(u32(bits));
                byte[] block = mac.doFinal();
                int n = Math.min(block.length, out.length - done);
                System.arraycopy(block, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC unavailable", e);
        }
    }

    /**
     * KDFe (Part 1 §11.4.10.3, SP 800-56A concatenation KDF): the first {@code bits} bits of
     * H([i]₃₂ ‖ Z ‖ label ‖ 0x00 ‖ partyUInfo ‖ partyVInfo) for i = 1, 2, … where Z is the shared
     * x-coordinate. The label is given without its terminating zero.
     */
    public static byte[] kdfe(HashAlg hash, byte[] z, String label, byte[] partyU, byte[] partyV, int bits) {
        requireWholeBytes(bits);
        byte[] out = new byte[bits / 8];
        byte[] labelBytes = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int done = 0;
        for (int counter = 1; done < out.length; counter++) {
            MessageDigest md = hash.newDigest();
            md.update(u32(counter));
            md.update(z);
            md.update(labelBytes);
            md.update((byte) 0);
            md.update(partyU);
            md.update(partyV);
            byte[] block = md.digest();
            int n = Math.min(block.length, out.length - done);
            System.arraycopy(block, 0, out, done, n);
            Arrays.fill(block, (byte) 0);
            done += n;
        }
        return out;
    }

    private static void requireWholeBytes(int bits) {
        if (bits <= 0 || bits % 8 != 0) {
            throw new IllegalArgumentException("KDF output of " + bits + " bits is not a whole number of bytes");
        }
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}

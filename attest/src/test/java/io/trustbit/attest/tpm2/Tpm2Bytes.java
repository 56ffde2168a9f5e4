package io.trustbit.attest.tpm2;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/** Builds TPM 2.0 structures byte by byte for the tests (big-endian, Part 1 §18). */
final class Tpm2Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tpm2Bytes u8(int v) {
        out.write(v);
        return this;
    }

    Tpm2Bytes u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    Tpm2Bytes u32(int v) {
        return u16(v >>> 16).u16(v);
    }

    Tpm2Bytes u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    Tpm2Bytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    Tpm2Bytes b(byte[] b) {
        return u16(b.length).raw(b);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] fixed(BigInteger v, int size) {
        byte[] raw = v.toByteArray();
        byte[] o = new byte[size];
        int n = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - n, o, size - n, n);
        return o;
    }

    /** An AK public area (ECC P-256, ECDSA with {@code hashId}) holding a JCA key. */
    static byte[] eccAk(ECPublicKey key, int attributes, int scheme, int hashId) {
        return new Tpm2Bytes()
                .u16(0x0023)                 // type TPM_ALG_ECC
                .u16(0x000B)                 // nameAlg SHA-256
                .u32(attributes)             // objectAttributes
                .b(new byte[0])              // authPolicy
                .u16(0x0010)                 // symmetric NULL
                .u16(scheme).u16(hashId)     // scheme + hash
                .u16(0x0003)                 // curveID NIST P-256
                .u16(0x0010)                 // kdf NULL
                .b(fixed(key.getW().getAffineX(), 32))
                .b(fixed(key.getW().getAffineY(), 32))
                .bytes();
    }

    /** An AK public area (RSA 2048, {@code scheme} with {@code hashId}) holding a JCA key. */
    static byte[] rsaAk(RSAPublicKey key, int attributes, int scheme, int hashId) {
        return new Tpm2Bytes()
                .u16(0x0001)                 // type TPM_ALG_RSA
                .u16(0x000B)                 // nameAlg SHA-256
                .u32(attributes)             // objectAttributes
                .b(new byte[0])              // authPolicy
                .u16(0x0010)                 // symmetric NULL
                .u16(scheme).u16(hashId)     // scheme + hash
                .u16(2048)                   // keyBits
                .u32(0)                      // exponent (default 65537)
                .b(fixed(key.getModulus(), 256))
                .bytes();
    }

    /** A TPMS_ATTEST of a quote over sha256:0-7,17-23 and sha1:0. */
    static byte[] attest(byte[] signer, byte[] nonce, byte[] digest) {
        return new Tpm2Bytes()
                .u32(0xFF544347)             // magic TPM_GENERATED_VALUE
                .u16(0x8018)                 // type TPM_ST_ATTEST_QUOTE
                .b(signer)                   // qualifiedSigner
                .b(nonce)                    // extraData
                .u64(123456789L)             // clockInfo.clock
                .u32(7)                      // clockInfo.resetCount
                .u32(2)                      // clockInfo.restartCount
                .u8(1)                       // clockInfo.safe
                .u64(0x2019_1023_0016_3636L) // firmwareVersion
                .u32(2)                      // pcrSelect.count
                .u16(0x000B).u8(3).raw(new byte[] {(byte) 0xFF, 0x00, (byte) 0xFE})  // sha256: 0-7, 17-23
                .u16(0x0004).u8(3).raw(new byte[] {0x01, 0x00, 0x00})                // sha1: 0
                .b(digest)                   // pcrDigest
                .bytes();
    }
}

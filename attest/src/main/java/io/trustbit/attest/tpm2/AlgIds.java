package io.trustbit.attest.tpm2;

/** TPM_ALG_ID values used by the parsers (TCG Algorithm Registry rev. 1.32, table 3; Part 2 §6.3). */
final class AlgIds {
    static final int RSA = 0x0001;
    static final int HMAC = 0x0005;
    static final int AES = 0x0006;
    static final int MGF1 = 0x0007;
    static final int KEYEDHASH = 0x0008;
    static final int NULL = 0x0010;
    static final int SM4 = 0x0013;
    static final int RSASSA = 0x0014;
    static final int RSAES = 0x0015;
    static final int RSAPSS = 0x0016;
    static final int OAEP = 0x0017;
    static final int ECDSA = 0x0018;
    static final int ECDH = 0x0019;
    static final int ECDAA = 0x001A;
    static final int SM2 = 0x001B;
    static final int ECSCHNORR = 0x001C;
    static final int ECMQV = 0x001D;
    static final int KDF1_SP800_56A = 0x0020;
    static final int KDF2 = 0x0021;
    static final int KDF1_SP800_108 = 0x0022;
    static final int ECC = 0x0023;
    static final int SYMCIPHER = 0x0025;
    static final int CAMELLIA = 0x0026;
    static final int CFB = 0x0043;

    private AlgIds() {
    }
}

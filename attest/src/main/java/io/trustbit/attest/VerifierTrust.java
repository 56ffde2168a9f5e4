package io.trustbit.attest;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * How the agent trusts the verifier's TLS server: by the SHA-256 fingerprint of its certificate
 * (DER), by a CA certificate file (PEM, standard chain and host-name checks), or — only for a
 * loopback address and only when asked for explicitly — plain HTTP.
 */
public sealed interface VerifierTrust {
    record Fingerprint(byte[] sha256) implements VerifierTrust {
        public Fingerprint {
            if (sha256.length != 32) {
                throw new IllegalArgumentException("a SHA-256 fingerprint has 32 bytes");
            }
            sha256 = sha256.clone();
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }

        /** Parses 64 hex digits, optionally separated by colons. */
        public static Fingerprint parse(String hex) {
            String h = hex.replace(":", "").strip();
            if (!h.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("fingerprint must be 64 hex digits (SHA-256 of the certificate)");
            }
            return new Fingerprint(HexFormat.of().parseHex(h));
        }
    }

    record CaFile(Path pem) implements VerifierTrust {
    }

    /** Plain HTTP to a loopback address. */
    record InsecureLoopback() implements VerifierTrust {
    }
}

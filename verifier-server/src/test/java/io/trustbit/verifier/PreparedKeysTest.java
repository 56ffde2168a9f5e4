package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.attest.tpm2.TpmtSignature;
import io.trustbit.measure.HashAlg;
import io.trustbit.verifier.internal.EnrolledKeys;
import io.trustbit.verifier.internal.FastEcdsa;
import io.trustbit.verifier.internal.Nonces;
import io.trustbit.verifier.internal.Store;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The verifier's per-node prepared AK keys and in-memory nonces: the cached path refuses exactly what the
 * plain quote check refuses, a new AK replaces the cached one, and a nonce is accepted once.
 */
class PreparedKeysTest {
    private static final Map<HashAlg, Map<Integer, byte[]>> PCRS = new DrtmChain().pcrs();

    @Test
    void preparedKeyRefusesWhatThePlainCheckRefuses() throws Exception {
        SoftTpm tpm = new SoftTpm();
        TpmtPublic ak = TpmtPublic.parse(tpm.akPublic());
        QuoteSignatures.PreparedAk prepared = QuoteSignatures.prepare(ak, FastEcdsa.BC);
        SoftTpm.Quote q = tpm.new Quote(new byte[32], SoftTpm.sha256(DrtmChain.drtmPcrs()), PCRS);
        byte[] attest = q.attest();
        byte[] sig = q.signature(attest);
        // the good quote verifies both ways, many times with the same prepared key
        QuoteSignatures.verify(ak, attest, TpmtSignature.parse(sig));
        for (int i = 0; i < 3; i++) {
            QuoteSignatures.verify(prepared, attest, TpmtSignature.parse(sig));
        }
        // one flipped bit in the signed data, in r, in s
        List<String> accepted = new ArrayList<>();
        for (int[] flip : new int[][] {{-1, 10}, {1, 7}, {1, sig.length - 1}}) {
            byte[] a = attest.clone();
            byte[] s = sig.clone();
            if (flip[0] < 0) {
                a[flip[1]] ^= 1;
            } else {
                s[flip[1]] ^= 1;
            }
            for (boolean usePrepared : new boolean[] {false, true}) {
                try {
                    if (usePrepared) {
                        QuoteSignatures.verify(prepared, a, TpmtSignature.parse(s));
                    } else {
                        QuoteSignatures.verify(ak, a, TpmtSignature.parse(s));
                    }
                    accepted.add((flip[0] < 0 ? "attest" : "signature") + "[" + flip[1] + "] prepared=" + usePrepared);
                } catch (SignatureException e) {
                    // refused, as it must be
                }
            }
        }
        assertEquals(List.of(), accepted);
        // a hash downgrade is refused before any cryptography, with the same message both ways
        q.signatureHash = HashAlg.SHA384;
        byte[] sha384 = q.signature(attest);
        String plain = assertThrows(SignatureException.class,
                () -> QuoteSignatures.verify(ak, attest, TpmtSignature.parse(sha384))).getMessage();
        String viaPrepared = assertThrows(SignatureException.class,
                () -> QuoteSignatures.verify(prepared, attest, TpmtSignature.parse(sha384))).getMessage();
        assertEquals(plain, viaPrepared);
    }

    @Test
    void cacheFollowsTheEnrolledAk() throws Exception {
        SoftTpm tpm = new SoftTpm();
        Base64.Encoder b64 = Base64.getEncoder();
        EnrolledKeys.Cache cache = new EnrolledKeys.Cache();
        String ek = b64.encodeToString(tpm.ekPublic());
        EnrolledKeys first = cache.get("n1", ek, b64.encodeToString(tpm.akPublic()));
        assertSame(first, cache.get("n1", ek, b64.encodeToString(tpm.akPublic())));
        // the same TPM enrolls a new AK: the cached key must not be used for it
        SoftTpm rekeyed = new SoftTpm();
        byte[] newAk = rekeyed.akPublic();
        EnrolledKeys second = cache.get("n1", ek, b64.encodeToString(newAk));
        assertNotSame(first, second);
        assertTrue(java.util.Arrays.equals(newAk, second.akPublic()));
        SoftTpm.Quote oldQuote = tpm.new Quote(new byte[32], SoftTpm.sha256(DrtmChain.drtmPcrs()), PCRS);
        byte[] attest = oldQuote.attest();
        byte[] byOldAk = oldQuote.signature(attest);
        assertThrows(SignatureException.class,
                () -> QuoteSignatures.verify(second.preparedAk(), attest, TpmtSignature.parse(byOldAk)));
        cache.invalidate("n1");
        assertNotSame(second, cache.get("n1", ek, b64.encodeToString(newAk)));
    }

    @Test
    void inMemoryNonceIsUsedOnceBoundToItsNodeAndExpires() throws Exception {
        Nonces.InMemory nonces = new Nonces.InMemory();
        nonces.add("aa", "n1", 1_000);
        nonces.add("bb", "n1", 1_000);
        nonces.add("cc", "n1", 1_000);
        assertEquals(Store.NonceUse.EXPIRED_OR_OTHER_NODE, nonces.use("aa", "n2", 10));
        assertEquals(Store.NonceUse.UNKNOWN_OR_USED, nonces.use("aa", "n1", 10));
        assertEquals(Store.NonceUse.EXPIRED_OR_OTHER_NODE, nonces.use("bb", "n1", 1_000));
        assertEquals(1, nonces.purgeExpired(1_000));
        assertEquals(Store.NonceUse.UNKNOWN_OR_USED, nonces.use("cc", "n1", 10));
        assertThrows(java.sql.SQLException.class, () -> {
            nonces.add("dd", "n1", 5_000);
            nonces.add("dd", "n1", 5_000);
        });
        // many threads racing for one nonce: exactly one wins
        nonces.add("ee", "n1", 5_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Store.NonceUse>> fs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                fs.add(pool.submit(() -> nonces.use("ee", "n1", 10)));
            }
            int ok = 0;
            for (Future<Store.NonceUse> f : fs) {
                ok += f.get() == Store.NonceUse.OK ? 1 : 0;
            }
            assertEquals(1, ok);
        } finally {
            pool.shutdown();
        }
    }
}

package io.trustbit.attest;

import io.trustbit.measure.HashAlg;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an agent sends a verifier: one TPM quote with everything needed to appraise it. Every field
 * is untrusted until the verifier has checked it; the binary fields are kept as received and are
 * parsed with {@code io.trustbit.attest.tpm2}. JSON form and limits: {@link EvidenceCodec} and
 * docs/formats.md "Evidence".
 *
 * @param node           the node the evidence claims to come from (the verifier compares it with the request path)
 * @param nonce          the verifier's nonce as sent back (the quote's extraData must equal it)
 * @param akPublic       marshalled TPMT_PUBLIC of the attestation key
 * @param quoteAttest    marshalled TPMS_ATTEST as signed by the TPM
 * @param quoteSignature marshalled TPMT_SIGNATURE
 * @param pcrs           claimed PCR values: bank → PCR index → value
 * @param eventLogs      raw event logs, each optional
 * @param ima            the IMA measurement list, or the part the verifier has not appraised yet; null if none
 */
public record Evidence(int version, NodeId node, byte[] nonce, byte[] akPublic, byte[] quoteAttest,
        byte[] quoteSignature, Map<HashAlg, SortedMap<Integer, byte[]>> pcrs, Map<EventLogKind, byte[]> eventLogs,
        Instant producedAt, ImaTail ima) {

    /** The only Evidence version. */
    public static final int VERSION = 1;

    public Evidence {
        if (version != VERSION) {
            throw new IllegalArgumentException("version " + version + " is not " + VERSION);
        }
        if (node == null) {
            throw new IllegalArgumentException("node id is required");
        }
        nonce = nonce.clone();
        akPublic = akPublic.clone();
        quoteAttest = quoteAttest.clone();
        quoteSignature = quoteSignature.clone();
        Map<HashAlg, SortedMap<Integer, byte[]>> p = new EnumMap<>(HashAlg.class);
        for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> e : pcrs.entrySet()) {
            SortedMap<Integer, byte[]> bank = new TreeMap<>();
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                if (v.getValue().length != e.getKey().size()) {
                    throw new IllegalArgumentException(e.getKey().bankName() + " PCR " + v.getKey() + " value is "
                            + v.getValue().length + " bytes, not " + e.getKey().size());
                }
                bank.put(v.getKey(), v.getValue().clone());
            }
            p.put(e.getKey(), Collections.unmodifiableSortedMap(bank));
        }
        pcrs = Collections.unmodifiableMap(p);
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        eventLogs.forEach((k, v) -> logs.put(k, v.clone()));
        eventLogs = Collections.unmodifiableMap(logs);
        if (producedAt == null) {
            throw new IllegalArgumentException("producedAt is required");
        }
    }

    /** Evidence without an IMA measurement list. */
    public Evidence(int version, NodeId node, byte[] nonce, byte[] akPublic, byte[] quoteAttest, byte[] quoteSignature,
            Map<HashAlg, SortedMap<Integer, byte[]>> pcrs, Map<EventLogKind, byte[]> eventLogs, Instant producedAt) {
        this(version, node, nonce, akPublic, quoteAttest, quoteSignature, pcrs, eventLogs, producedAt, null);
    }

    /** Evidence for a quote made by this agent, stamped now. */
    public static Evidence of(NodeId node, byte[] nonce, Quote quote, Map<EventLogKind, byte[]> eventLogs) {
        return of(node, nonce, quote, eventLogs, null);
    }

    /** Evidence for a quote made by this agent with (part of) the IMA measurement list, stamped now. */
    public static Evidence of(NodeId node, byte[] nonce, Quote quote, Map<EventLogKind, byte[]> eventLogs, ImaTail ima) {
        return new Evidence(VERSION, node, nonce, quote.akPublic(), quote.attest(), quote.signature(), quote.pcrs(),
                eventLogs, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), ima);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] akPublic() {
        return akPublic.clone();
    }

    @Override
    public byte[] quoteAttest() {
        return quoteAttest.clone();
    }

    @Override
    public byte[] quoteSignature() {
        return quoteSignature.clone();
    }

    /** Claimed PCR values, a copy. */
    @Override
    public Map<HashAlg, SortedMap<Integer, byte[]>> pcrs() {
        Map<HashAlg, SortedMap<Integer, byte[]>> copy = new EnumMap<>(HashAlg.class);
        pcrs.forEach((alg, bank) -> {
            SortedMap<Integer, byte[]> b = new TreeMap<>();
            bank.forEach((i, v) -> b.put(i, v.clone()));
            copy.put(alg, b);
        });
        return copy;
    }

    /** Raw event logs as received, a copy. */
    @Override
    public Map<EventLogKind, byte[]> eventLogs() {
        Map<EventLogKind, byte[]> copy = new EnumMap<>(EventLogKind.class);
        eventLogs.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }
}

package io.trustbit.attest.internal.tss;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.measure.HashAlg;
import java.io.Closeable;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import tss.Tpm;
import tss.TpmException;
import tss.tpm.CreatePrimaryResponse;
import tss.tpm.CreateResponse;
import tss.tpm.GetCapabilityResponse;
import tss.tpm.MakeCredentialResponse;
import tss.tpm.NV_ReadPublicResponse;
import tss.tpm.PCR_ReadResponse;
import tss.tpm.StartAuthSessionResponse;
import tss.tpm.TPM2B_DIGEST;
import tss.tpm.TPM2B_PRIVATE;
import tss.tpm.TPMS_ID_OBJECT;
import tss.tpm.TPMS_NULL_SIG_SCHEME;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMS_TAGGED_PROPERTY;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF;
import tss.tpm.TPML_PCR_SELECTION;
import tss.tpm.TPML_TAGGED_TPM_PROPERTY;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SE;
import tss.tpm.TPM_SU;

/**
 * The only class that uses TSS.Java. It sends the commands trustbit needs and returns plain bytes:
 * structures the TPM produced (public areas, TPMS_ATTEST, TPMT_SIGNATURE) are cut from the raw
 * response rather than re-marshalled by TSS.Java. Every TPM error becomes a {@link TpmCommandException}
 * with the command name and response code.
 */
public final class TssTpm implements Closeable {
    /** TPM_RC_INITIALIZE: TPM2_Startup was already done. */
    private static final int RC_INITIALIZE = 0x100;
    /** Largest NV read per command (PC Client MAX_NV_BUFFER_SIZE is at least 512). */
    private static final int NV_CHUNK = 512;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TssDevice device;
    private final Tpm tpm;

    public TssTpm(TpmTransport transport) {
        this.device = new TssDevice(transport);
        this.tpm = new Tpm();
        this.tpm._setDevice(device);
    }

    /** A created or loaded object: its transient handle and its marshalled TPMT_PUBLIC as the TPM returned it. */
    public record LoadedKey(int handle, byte[] publicArea) {
    }

    /** A key created under a parent: TPMT_PUBLIC and the contents of TPM2B_PRIVATE. */
    public record CreatedKey(byte[] publicArea, byte[] privateBlob) {
    }

    /** A quote as the TPM produced it: TPMS_ATTEST and TPMT_SIGNATURE bytes. */
    public record RawQuote(byte[] attest, byte[] signature) {
    }

    private interface Command<T> {
        T run();
    }

    /**
     * Runs one command with TSS.Java's error handling off (it would print "TPM ERROR" to stdout and
     * throw); the response code is taken from the raw response instead.
     */
    private <T> T call(String name, Command<T> c) throws TpmCommandException {
        try {
            tpm._allowErrors();
            T result = c.run();
            byte[] raw = device.lastResponse();
            int rc = u32(raw, 6);
            if (rc != 0) {
                throw new TpmCommandException(name, rc, null);
            }
            return result;
        } catch (TpmException e) {
            int rc = e.ResponseCode == null ? -1 : e.ResponseCode.toInt();
            throw new TpmCommandException(name, rc, e);
        } catch (java.io.UncheckedIOException e) {
            throw new TpmCommandException(name, e.getCause());
        }
    }

    /** TPM2_Startup(CLEAR), tolerating a TPM that is already started. */
    public void startup() throws TpmCommandException {
        try {
            call("Startup", () -> {
                tpm.Startup(TPM_SU.CLEAR);
                return null;
            });
        } catch (TpmCommandException e) {
            if (e.responseCode() != RC_INITIALIZE) {
                throw e;
            }
        }
    }

    /** TPM_PT properties from TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) starting at {@code first}. */
    public Map<Integer, Integer> properties(int first, int count) throws TpmCommandException {
        GetCapabilityResponse r = call("GetCapability", () -> tpm.GetCapability(TPM_CAP.TPM_PROPERTIES, first, count));
        Map<Integer, Integer> out = new TreeMap<>();
        for (TPMS_TAGGED_PROPERTY p : ((TPML_TAGGED_TPM_PROPERTY) r.capabilityData).tpmProperty) {
            out.put(p.property.toInt(), p.value);
        }
        return out;
    }

    /** Allocated PCR banks (TPM_CAP_PCRS) with at least one PCR, as a selection. */
    public PcrSelection pcrBanks() throws TpmCommandException {
        GetCapabilityResponse r = call("GetCapability", () -> tpm.GetCapability(TPM_CAP.PCRS, 0, 1));
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (TPMS_PCR_SELECTION s : ((TPML_PCR_SELECTION) r.capabilityData).pcrSelections) {
            Optional<HashAlg> alg = HashAlg.fromTcgId(s.hash.toInt());
            SortedSet<Integer> pcrs = bits(s.pcrSelect);
            if (alg.isPresent() && !pcrs.isEmpty()) {
                banks.add(new PcrSelection.Bank(alg.get(), pcrs));
            }
        }
        return PcrSelection.of(banks);
    }

    /** Reads a whole NV index with its own (empty) authorization, or empty if the index is not defined. */
    public Optional<byte[]> readNv(int index) throws TpmCommandException {
        TPM_HANDLE h = TPM_HANDLE.NV(index & 0xFFFFFF);
        NV_ReadPublicResponse pub;
        try {
            pub = call("NV_ReadPublic", () -> tpm.NV_ReadPublic(h));
        } catch (TpmCommandException e) {
            if (isHandleError(e.responseCode())) {
                return Optional.empty();
            }
            throw e;
        }
        int size = pub.nvPublic.dataSize;
        byte[] out = new byte[size];
        for (int off = 0; off < size; off += NV_CHUNK) {
            int n = Math.min(NV_CHUNK, size - off);
            int at = off;
            byte[] chunk = call("NV_Read", () -> tpm.NV_Read(h, h, n, at));
            System.arraycopy(chunk, 0, out, off, Math.min(chunk.length, n));
        }
        return Optional.of(out);
    }

    /** TPM2_CreatePrimary in the endorsement hierarchy. */
    public LoadedKey createPrimaryEndorsement(byte[] template) throws TpmCommandException {
        CreatePrimaryResponse r = call("CreatePrimary", () -> tpm.CreatePrimary(TPM_HANDLE.from(TPM_RH.ENDORSEMENT),
                new TPMS_SENSITIVE_CREATE(), TPMT_PUBLIC.fromBytes(template), new byte[0], new TPMS_PCR_SELECTION[0]));
        // response: header ‖ objectHandle ‖ parameterSize ‖ TPM2B_PUBLIC outPublic ‖ …
        byte[] pub = tpm2bAt(device.lastResponse(), 10 + 4 + 4);
        return new LoadedKey(r.handle.handle, pub);
    }

    /**
     * A policy session satisfying the EK's policy: TPM2_StartAuthSession(POLICY, SHA-256) then
     * TPM2_PolicySecret(TPM_RH_ENDORSEMENT) (TCG EK Credential Profile §B.6). Flush it after use.
     */
    public int ekPolicySession() throws TpmCommandException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        StartAuthSessionResponse s = call("StartAuthSession", () -> tpm.StartAuthSession(TPM_HANDLE.NULL, TPM_HANDLE.NULL,
                nonce, new byte[0], TPM_SE.POLICY, new TPMT_SYM_DEF(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL), TPM_ALG_ID.SHA256));
        TPM_HANDLE session = s.handle;
        try {
            call("PolicySecret", () -> tpm.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT), session, new byte[0],
                    new byte[0], new byte[0], 0));
        } catch (TpmCommandException e) {
            flush(session.handle);
            throw e;
        }
        return session.handle;
    }

    /** TPM2_Create under a parent that needs the EK policy. */
    public CreatedKey createUnderEk(int ekHandle, byte[] template) throws TpmCommandException {
        int session = ekPolicySession();
        try {
            CreateResponse r = call("Create", () -> tpm._withSession(new TPM_HANDLE(session)).Create(new TPM_HANDLE(ekHandle),
                    new TPMS_SENSITIVE_CREATE(), TPMT_PUBLIC.fromBytes(template), new byte[0], new TPMS_PCR_SELECTION[0]));
            // response: header ‖ parameterSize ‖ TPM2B_PRIVATE ‖ TPM2B_PUBLIC ‖ …
            byte[] raw = device.lastResponse();
            int privSize = u16(raw, 14);
            byte[] pub = tpm2bAt(raw, 14 + 2 + privSize);
            return new CreatedKey(pub, r.outPrivate.buffer);
        } finally {
            flush(session);
        }
    }

    /** TPM2_Load under the EK (with the EK policy). */
    public LoadedKey loadUnderEk(int ekHandle, byte[] publicArea, byte[] privateBlob) throws TpmCommandException {
        int session = ekPolicySession();
        try {
            TPM2B_PRIVATE priv = new TPM2B_PRIVATE();
            priv.buffer = privateBlob;
            TPM_HANDLE h = call("Load", () -> tpm._withSession(new TPM_HANDLE(session)).Load(new TPM_HANDLE(ekHandle), priv,
                    TPMT_PUBLIC.fromBytes(publicArea)));
            return new LoadedKey(h.handle, readPublic(h.handle));
        } finally {
            flush(session);
        }
    }

    /** TPM2_ReadPublic: the marshalled TPMT_PUBLIC of a loaded or persistent object, or empty if there is none. */
    public Optional<byte[]> readPublicIfPresent(int handle) throws TpmCommandException {
        try {
            return Optional.of(readPublic(handle));
        } catch (TpmCommandException e) {
            if (isHandleError(e.responseCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public byte[] readPublic(int handle) throws TpmCommandException {
        call("ReadPublic", () -> tpm.ReadPublic(new TPM_HANDLE(handle)));
        // response (no sessions): header ‖ TPM2B_PUBLIC ‖ TPM2B_NAME name ‖ TPM2B_NAME qualifiedName
        return tpm2bAt(device.lastResponse(), 10);
    }

    /** The TPM's own Name for an object (TPM2_ReadPublic.name). */
    public byte[] name(int handle) throws TpmCommandException {
        call("ReadPublic", () -> tpm.ReadPublic(new TPM_HANDLE(handle)));
        byte[] raw = device.lastResponse();
        return tpm2bAt(raw, 10 + 2 + u16(raw, 10));
    }

    /** The TPM's own Qualified Name for a loaded object (TPM2_ReadPublic.qualifiedName). */
    public byte[] qualifiedName(int handle) throws TpmCommandException {
        call("ReadPublic", () -> tpm.ReadPublic(new TPM_HANDLE(handle)));
        byte[] raw = device.lastResponse();
        int nameAt = 10 + 2 + u16(raw, 10);
        return tpm2bAt(raw, nameAt + 2 + u16(raw, nameAt));
    }

    /** TPM2_EvictControl(TPM_RH_OWNER): makes a loaded object persistent at {@code persistent}. */
    public void persist(int handle, int persistent) throws TpmCommandException {
        call("EvictControl", () -> {
            tpm.EvictControl(TPM_HANDLE.from(TPM_RH.OWNER), new TPM_HANDLE(handle), new TPM_HANDLE(persistent));
            return null;
        });
    }

    /** TPM2_EvictControl(TPM_RH_OWNER) on a persistent handle: removes it. */
    public void evict(int persistent) throws TpmCommandException {
        persist(persistent, persistent);
    }

    /** TPM2_ActivateCredential: AK authorised by its (empty) password, EK by the EK policy. */
    public byte[] activateCredential(int akHandle, int ekHandle, byte[] credentialBlob, byte[] encryptedSecret)
            throws TpmCommandException {
        if (credentialBlob.length < 2) {
            throw new IllegalArgumentException("credential blob too short");
        }
        int hmacLen = u16(credentialBlob, 0);
        if (2 + hmacLen > credentialBlob.length) {
            throw new IllegalArgumentException("credential blob's integrity HMAC overruns it");
        }
        TPMS_ID_OBJECT id = new TPMS_ID_OBJECT(Arrays.copyOfRange(credentialBlob, 2, 2 + hmacLen),
                Arrays.copyOfRange(credentialBlob, 2 + hmacLen, credentialBlob.length));
        int session = ekPolicySession();
        try {
            return call("ActivateCredential", () -> tpm._withSessions(TPM_HANDLE.pwSession(new byte[0]), new TPM_HANDLE(session))
                    .ActivateCredential(new TPM_HANDLE(akHandle), new TPM_HANDLE(ekHandle), id, encryptedSecret));
        } finally {
            flush(session);
        }
    }

    /** TPM2_MakeCredential on the TPM (a public-key operation; used to cross-check the software one). */
    public byte[][] makeCredential(int ekHandle, byte[] credential, byte[] objectName) throws TpmCommandException {
        MakeCredentialResponse r = call("MakeCredential", () -> tpm.MakeCredential(new TPM_HANDLE(ekHandle), credential, objectName));
        byte[] blob = concat(u16bytes(r.credentialBlob.integrityHMAC.length), r.credentialBlob.integrityHMAC,
                r.credentialBlob.encIdentity);
        return new byte[][] {blob, r.secret};
    }

    /**
     * Reads the selected PCRs. TPM2_PCR_Read returns at most 8 values per call (Part 3 §22.4); the
     * rest is asked for again until every selected PCR has been returned.
     */
    public Map<HashAlg, SortedMap<Integer, byte[]>> pcrRead(PcrSelection selection) throws TpmCommandException {
        Map<HashAlg, SortedMap<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        Map<HashAlg, SortedSet<Integer>> missing = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : selection.banks()) {
            out.put(b.alg(), new TreeMap<>());
            if (!b.pcrs().isEmpty()) {
                missing.put(b.alg(), new TreeSet<>(b.pcrs()));
            }
        }
        while (!missing.isEmpty()) {
            List<PcrSelection.Bank> ask = new ArrayList<>();
            missing.forEach((alg, pcrs) -> ask.add(new PcrSelection.Bank(alg, pcrs)));
            TPMS_PCR_SELECTION[] req = toTss(PcrSelection.of(ask));
            PCR_ReadResponse r = call("PCR_Read", () -> tpm.PCR_Read(req));
            int v = 0;
            int got = 0;
            for (TPMS_PCR_SELECTION s : r.pcrSelectionOut) {
                HashAlg alg = HashAlg.fromTcgId(s.hash.toInt()).orElseThrow();
                for (int pcr : bits(s.pcrSelect)) {
                    TPM2B_DIGEST d = r.pcrValues[v++];
                    out.get(alg).put(pcr, d.buffer);
                    missing.get(alg).remove(pcr);
                    got++;
                }
                if (missing.get(alg).isEmpty()) {
                    missing.remove(alg);
                }
            }
            if (got == 0) {
                throw new TpmCommandException("PCR_Read", "the TPM returned no value for " + missing);
            }
        }
        return out;
    }

    /** TPM2_Quote with the key's own scheme; the result's bytes are exactly the TPM's. */
    public RawQuote quote(int akHandle, byte[] nonce, PcrSelection selection) throws TpmCommandException {
        call("Quote", () -> tpm.Quote(new TPM_HANDLE(akHandle), nonce, new TPMS_NULL_SIG_SCHEME(), toTss(selection)));
        // response: header ‖ parameterSize ‖ TPM2B_ATTEST quoted ‖ TPMT_SIGNATURE signature ‖ sessions
        byte[] raw = device.lastResponse();
        int paramEnd = 14 + u32(raw, 10);
        byte[] attest = tpm2bAt(raw, 14);
        int sigStart = 14 + 2 + attest.length;
        if (paramEnd > raw.length || sigStart > paramEnd) {
            throw new TpmCommandException("Quote", "malformed response");
        }
        return new RawQuote(attest, Arrays.copyOfRange(raw, sigStart, paramEnd));
    }

    /** TPM2_FlushContext; errors are ignored (the object may already be gone). */
    public void flush(int handle) {
        try {
            tpm._allowErrors().FlushContext(new TPM_HANDLE(handle));
        } catch (RuntimeException ignored) {
            // flushing is cleanup: a handle that is already gone is not an error worth reporting
        }
    }

    private static TPMS_PCR_SELECTION[] toTss(PcrSelection selection) {
        List<TPMS_PCR_SELECTION> out = new ArrayList<>();
        for (PcrSelection.Bank b : selection.banks()) {
            byte[] bits = new byte[3];
            for (int pcr : b.pcrs()) {
                if (pcr / 8 >= bits.length) {
                    bits = Arrays.copyOf(bits, pcr / 8 + 1);
                }
                bits[pcr / 8] |= (byte) (1 << (pcr % 8));
            }
            out.add(new TPMS_PCR_SELECTION(TPM_ALG_ID.fromInt(b.alg().tcgId()), bits));
        }
        return out.toArray(new TPMS_PCR_SELECTION[0]);
    }

    private static SortedSet<Integer> bits(byte[] select) {
        SortedSet<Integer> s = new TreeSet<>();
        for (int i = 0; i < select.length * 8; i++) {
            if ((select[i / 8] & (1 << (i % 8))) != 0) {
                s.add(i);
            }
        }
        return s;
    }

    /** TPM_RC_HANDLE (format one, RC_FMT1 + 0x00B) for any handle position (Part 2 §6.6.3). */
    private static boolean isHandleError(int rc) {
        return (rc & 0xBF) == 0x8B;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u32(byte[] b, int at) {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    private static byte[] tpm2bAt(byte[] raw, int at) throws TpmCommandException {
        if (at + 2 > raw.length || at + 2 + u16(raw, at) > raw.length) {
            throw new TpmCommandException("response", "TPM2B at offset " + at + " overruns the response");
        }
        return Arrays.copyOfRange(raw, at + 2, at + 2 + u16(raw, at));
    }

    private static byte[] u16bytes(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        device.close();
    }
}

package io.trustbit.attest.internal.tss;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.tpm2.MakeCredential;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmResponse;
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
import tss.tpm.TPM2B_PRIVATE;
import tss.tpm.TPMS_ID_OBJECT;
import tss.tpm.TPMS_NULL_SIG_SCHEME;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SE;
import tss.tpm.TPM_SU;

/**
 * The only class that uses TSS.Java, and only to marshal commands: every response is read by attest's
 * bounds-checked {@link TpmResponse} parser (in {@link TssDevice}, before TSS.Java sees it), and only what
 * that parser returns is used. Structures the TPM produced (public areas, TPMS_ATTEST, TPMT_SIGNATURE) come
 * back exactly as the TPM marshalled them. Every TPM error, malformed or short response becomes a
 * {@link TpmCommandException} with the command name.
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

    /**
     * Runs one command with TSS.Java's error handling off (it would print "TPM ERROR" to stdout and
     * throw) and returns what {@code parser} read from the successful response.
     */
    private <T> T call(String name, TssDevice.ResponseParser<T> parser, Runnable command) throws TpmCommandException {
        device.expect(parser);
        try {
            tpm._allowErrors();
            command.run();
        } catch (TssDevice.MalformedResponse e) {
            throw new TpmCommandException(name, "malformed response: " + e.getMessage(), e.getCause());
        } catch (TpmException e) {
            int rc = device.responseCode() > 0 ? device.responseCode() : e.ResponseCode == null ? -1 : e.ResponseCode.toInt();
            throw new TpmCommandException(name, rc, e);
        } catch (java.io.UncheckedIOException e) {
            throw new TpmCommandException(name, e.getCause());
        } catch (RuntimeException e) {
            // TSS.Java could not unmarshal a response our parser accepted: fail closed
            throw new TpmCommandException(name, "response not readable: " + e, e);
        }
        int rc = device.responseCode();
        if (rc != 0) {
            throw new TpmCommandException(name, rc, null);
        }
        @SuppressWarnings("unchecked")
        T result = (T) device.parsed();
        return result;
    }

    private static TssDevice.ResponseParser<Void> noParameters(String name) {
        return raw -> {
            TpmResponse.empty(raw, "TPM2_" + name);
            return null;
        };
    }

    /** TPM2_Startup(CLEAR), tolerating a TPM that is already started. */
    public void startup() throws TpmCommandException {
        try {
            call("Startup", noParameters("Startup"), () -> tpm.Startup(TPM_SU.CLEAR));
        } catch (TpmCommandException e) {
            if (e.responseCode() != RC_INITIALIZE) {
                throw e;
            }
        }
    }

    /** TPM_PT properties from TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) starting at {@code first}. */
    public Map<Integer, Integer> properties(int first, int count) throws TpmCommandException {
        return call("GetCapability", TpmResponse::properties, () -> tpm.GetCapability(TPM_CAP.TPM_PROPERTIES, first, count));
    }

    /** Allocated PCR banks (TPM_CAP_PCRS) with at least one PCR, as a selection. */
    public PcrSelection pcrBanks() throws TpmCommandException {
        return call("GetCapability", TpmResponse::pcrBanks, () -> tpm.GetCapability(TPM_CAP.PCRS, 0, 1));
    }

    /**
     * Reads a whole NV index with its own (empty) authorization, or empty if the index is not defined. Every
     * chunk must come back whole: a short read fails rather than leave zeros in the result.
     */
    public Optional<byte[]> readNv(int index) throws TpmCommandException {
        TPM_HANDLE h = TPM_HANDLE.NV(index & 0xFFFFFF);
        int size;
        try {
            size = call("NV_ReadPublic", raw -> TpmResponse.nvDataSize(raw, h.handle), () -> tpm.NV_ReadPublic(h));
        } catch (TpmCommandException e) {
            if (isHandleError(e.responseCode())) {
                return Optional.empty();
            }
            throw e;
        }
        byte[] out = new byte[size];
        for (int off = 0; off < size; off += NV_CHUNK) {
            int n = Math.min(NV_CHUNK, size - off);
            int at = off;
            byte[] chunk = call("NV_Read", raw -> TpmResponse.nvRead(raw, n), () -> tpm.NV_Read(h, h, n, at));
            System.arraycopy(chunk, 0, out, off, n);
        }
        return Optional.of(out);
    }

    /** TPM2_CreatePrimary in the endorsement hierarchy. */
    public LoadedKey createPrimaryEndorsement(byte[] template) throws TpmCommandException {
        TpmResponse.Created r = call("CreatePrimary", TpmResponse::createPrimary, () -> tpm.CreatePrimary(
                TPM_HANDLE.from(TPM_RH.ENDORSEMENT), new TPMS_SENSITIVE_CREATE(), TPMT_PUBLIC.fromBytes(template), new byte[0],
                new TPMS_PCR_SELECTION[0]));
        return new LoadedKey(r.handle(), r.publicArea());
    }

    /**
     * A policy session satisfying the EK's policy: TPM2_StartAuthSession(POLICY, SHA-256) then
     * TPM2_PolicySecret(TPM_RH_ENDORSEMENT) (TCG EK Credential Profile §B.6). Flush it after use.
     */
    public int ekPolicySession() throws TpmCommandException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        int session = call("StartAuthSession", TpmResponse::startAuthSession, () -> tpm.StartAuthSession(TPM_HANDLE.NULL,
                TPM_HANDLE.NULL, nonce, new byte[0], TPM_SE.POLICY, new TPMT_SYM_DEF(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL),
                TPM_ALG_ID.SHA256));
        try {
            call("PolicySecret", raw -> {
                TpmResponse.policySecret(raw);
                return null;
            }, () -> tpm.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT), new TPM_HANDLE(session), new byte[0],
                    new byte[0], new byte[0], 0));
        } catch (TpmCommandException e) {
            flush(session);
            throw e;
        }
        return session;
    }

    /** TPM2_Create under a parent that needs the EK policy. */
    public CreatedKey createUnderEk(int ekHandle, byte[] template) throws TpmCommandException {
        int session = ekPolicySession();
        try {
            TpmResponse.Created r = call("Create", TpmResponse::create, () -> tpm._withSession(new TPM_HANDLE(session))
                    .Create(new TPM_HANDLE(ekHandle), new TPMS_SENSITIVE_CREATE(), TPMT_PUBLIC.fromBytes(template), new byte[0],
                            new TPMS_PCR_SELECTION[0]));
            return new CreatedKey(r.publicArea(), r.privateBlob());
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
            int h = call("Load", TpmResponse::load, () -> tpm._withSession(new TPM_HANDLE(session)).Load(
                    new TPM_HANDLE(ekHandle), priv, TPMT_PUBLIC.fromBytes(publicArea)));
            return new LoadedKey(h, readPublic(h));
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
        return readPublicArea(handle).publicArea();
    }

    /** The TPM's own Name for an object (TPM2_ReadPublic.name). */
    public byte[] name(int handle) throws TpmCommandException {
        return readPublicArea(handle).name();
    }

    /** The TPM's own Qualified Name for a loaded object (TPM2_ReadPublic.qualifiedName). */
    public byte[] qualifiedName(int handle) throws TpmCommandException {
        return readPublicArea(handle).qualifiedName();
    }

    private TpmResponse.PublicArea readPublicArea(int handle) throws TpmCommandException {
        return call("ReadPublic", TpmResponse::readPublic, () -> tpm.ReadPublic(new TPM_HANDLE(handle)));
    }

    /** TPM2_EvictControl(TPM_RH_OWNER): makes a loaded object persistent at {@code persistent}. */
    public void persist(int handle, int persistent) throws TpmCommandException {
        call("EvictControl", noParameters("EvictControl"),
                () -> tpm.EvictControl(TPM_HANDLE.from(TPM_RH.OWNER), new TPM_HANDLE(handle), new TPM_HANDLE(persistent)));
    }

    /** TPM2_EvictControl(TPM_RH_OWNER) on a persistent handle: removes it. */
    public void evict(int persistent) throws TpmCommandException {
        persist(persistent, persistent);
    }

    /** TPM2_ActivateCredential: AK authorised by its (empty) password, EK by the EK policy. */
    public byte[] activateCredential(int akHandle, int ekHandle, byte[] credentialBlob, byte[] encryptedSecret)
            throws TpmCommandException {
        MakeCredential.IdObject parts;
        try {
            parts = MakeCredential.parseCredentialBlob(credentialBlob);
        } catch (Tpm2FormatException e) {
            throw new IllegalArgumentException("credential blob: " + e.getMessage(), e);
        }
        TPMS_ID_OBJECT id = new TPMS_ID_OBJECT(parts.integrityHmac(), parts.encIdentity());
        int session = ekPolicySession();
        try {
            return call("ActivateCredential", TpmResponse::activateCredential, () -> tpm._withSessions(
                    TPM_HANDLE.pwSession(new byte[0]), new TPM_HANDLE(session))
                    .ActivateCredential(new TPM_HANDLE(akHandle), new TPM_HANDLE(ekHandle), id, encryptedSecret));
        } finally {
            flush(session);
        }
    }

    /** TPM2_MakeCredential on the TPM (a public-key operation; used to cross-check the software one). */
    public byte[][] makeCredential(int ekHandle, byte[] credential, byte[] objectName) throws TpmCommandException {
        TpmResponse.Credential r = call("MakeCredential", TpmResponse::makeCredential,
                () -> tpm.MakeCredential(new TPM_HANDLE(ekHandle), credential, objectName));
        return new byte[][] {r.credentialBlob(), r.encryptedSecret()};
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
            PcrSelection asked = PcrSelection.of(ask);
            TPMS_PCR_SELECTION[] req = toTss(asked);
            TpmResponse.PcrRead r = call("PCR_Read", raw -> TpmResponse.pcrRead(raw, asked), () -> tpm.PCR_Read(req));
            int got = 0;
            for (Map.Entry<HashAlg, Map<Integer, byte[]>> bank : r.values().entrySet()) {
                HashAlg alg = bank.getKey();
                for (Map.Entry<Integer, byte[]> v : bank.getValue().entrySet()) {
                    out.get(alg).put(v.getKey(), v.getValue());
                    missing.get(alg).remove(v.getKey());
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
        TpmResponse.Quoted q = call("Quote", TpmResponse::quote,
                () -> tpm.Quote(new TPM_HANDLE(akHandle), nonce, new TPMS_NULL_SIG_SCHEME(), toTss(selection)));
        return new RawQuote(q.attest(), q.signature());
    }

    /** TPM2_FlushContext; errors are ignored (the object may already be gone). */
    public void flush(int handle) {
        try {
            call("FlushContext", noParameters("FlushContext"), () -> tpm.FlushContext(new TPM_HANDLE(handle)));
        } catch (TpmCommandException ignored) {
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

    /** TPM_RC_HANDLE (format one, RC_FMT1 + 0x00B) for any handle position (Part 2 §6.6.3). */
    private static boolean isHandleError(int rc) {
        return (rc & 0xBF) == 0x8B;
    }

    @Override
    public void close() throws IOException {
        device.close();
    }
}

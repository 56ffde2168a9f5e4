package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * TPM 2.0 responses, read through {@link TpmReader} exactly as the TPM (or whatever answers in its place)
 * marshalled them. TPM 2.0 Library Part 1 §18.8–18.10: {@code tag UINT16 ‖ responseSize UINT32 ‖ responseCode
 * UINT32 ‖ handles ‖ [parameterSize UINT32 when tag = TPM_ST_SESSIONS] ‖ parameters ‖ [sessions]}; the
 * parameters of each command are those of Part 3 (section given per method). responseSize must equal the bytes
 * received, every size is checked against what remains and against the structure's maximum, and the
 * parameter area must be consumed exactly: a short, long or inconsistent response is a
 * {@link Tpm2FormatException} naming the field and offset, never a partial result.
 */
public final class TpmResponse {
    /** Bytes of the header: tag, responseSize, responseCode. */
    public static final int HEADER = 10;
    /** TPM_ST_NO_SESSIONS and TPM_ST_SESSIONS (Part 2 §6.9). */
    static final int ST_NO_SESSIONS = 0x8001;
    static final int ST_SESSIONS = 0x8002;
    /** Upper bound for any buffer in a response: MAX_RESPONSE_SIZE of PC Client TPMs. */
    private static final int MAX_BUFFER = 4096;
    private static final int MAX_NAME = TpmsAttest.MAX_NAME;
    /** MAX_CAP_DATA / sizeof(TPMS_TAGGED_PROPERTY) for a 4096-byte response: far above what is ever asked. */
    private static final int MAX_PROPERTIES = 256;
    /** TPML_DIGEST holds at most 8 digests (Part 2 §10.9.2). */
    private static final int MAX_DIGESTS = 8;

    /** The response header (Part 1 §18.8). */
    public record Header(int tag, long size, int responseCode) {
        public boolean success() {
            return responseCode == 0;
        }
    }

    private TpmResponse() {
    }

    /**
     * The header of a response, from its first {@link #HEADER} bytes (a transport reads these first to learn the
     * size); the one place a response code is decoded.
     */
    public static Header header(byte[] raw) throws Tpm2FormatException {
        TpmReader r = new TpmReader(raw, "response");
        int tag = r.u16("tag");
        long size = Integer.toUnsignedLong(r.u32("responseSize"));
        int rc = r.u32("responseCode");
        return new Header(tag, size, rc);
    }

    /** The response code of a complete response. */
    public static int responseCode(byte[] raw) throws Tpm2FormatException {
        return checked(raw, "response").responseCode();
    }

    /** A header whose responseSize equals the bytes received, with a TPM 2.0 tag if the command succeeded. */
    private static Header checked(byte[] raw, String command) throws Tpm2FormatException {
        Header h = header(raw);
        if (h.size() != raw.length) {
            throw new Tpm2FormatException(command + ".responseSize", 2, "says " + h.size() + " bytes, "
                    + raw.length + " received");
        }
        if (h.success() && h.tag() != ST_NO_SESSIONS && h.tag() != ST_SESSIONS) {
            throw new Tpm2FormatException(command + ".tag", 0, String.format("0x%04x is not a TPM 2.0 response tag", h.tag()));
        }
        return h;
    }

    /**
     * The reader positioned at the parameters of a successful response with {@code handles} response handles
     * (read into {@code handleOut}), limited to the parameter area; the sessions area after it is checked.
     */
    private static TpmReader parameters(byte[] raw, String command, int handles, int[] handleOut) throws Tpm2FormatException {
        Header h = checked(raw, command);
        if (!h.success()) {
            throw new Tpm2FormatException(command + ".responseCode", 6,
                    String.format("0x%03x: the command failed, there are no parameters", h.responseCode()));
        }
        TpmReader r = new TpmReader(raw, command);
        r.bytes("header", HEADER);
        for (int i = 0; i < handles; i++) {
            handleOut[i] = r.u32("handle[" + i + "]");
        }
        if (h.tag() == ST_NO_SESSIONS) {
            return new TpmReader(r.bytes("parameters", r.remaining()), command + ".parameters");
        }
        int sizeAt = r.offset();
        int size = r.u32("parameterSize");
        if (size < 0 || size > r.remaining()) {
            throw r.errorAt("parameterSize", sizeAt, Integer.toUnsignedLong(size) + " exceeds the " + r.remaining()
                    + " bytes that remain");
        }
        byte[] params = r.bytes("parameters", size);
        if (r.remaining() == 0) {
            // TPM_ST_SESSIONS answers a command with sessions: one TPMS_AUTH_RESPONSE per session (Part 1 §18.10)
            throw r.error("sessions", "missing: the tag says there are sessions");
        }
        for (int n = 0; r.remaining() > 0; n++) {
            String f = "sessions[" + n + "]";
            r.tpm2b(f + ".nonce", TpmtPublic.MAX_DIGEST);
            r.u8(f + ".sessionAttributes");
            r.tpm2b(f + ".hmac", TpmtPublic.MAX_DIGEST);
        }
        return new TpmReader(params, command + ".parameters");
    }

    private static TpmReader parameters(byte[] raw, String command) throws Tpm2FormatException {
        return parameters(raw, command, 0, new int[0]);
    }

    /** A successful response without parameters (TPM2_Startup, EvictControl, FlushContext, PolicySecret's are ignored). */
    public static void empty(byte[] raw, String command) throws Tpm2FormatException {
        parameters(raw, command);
    }

    /** A created or loaded object: its handle and marshalled TPMT_PUBLIC (the contents of TPM2B_PUBLIC). */
    public record Created(int handle, byte[] publicArea, byte[] privateBlob) {
    }

    /**
     * TPM2_CreatePrimary (Part 3 §24.1): objectHandle; outPublic TPM2B_PUBLIC, creationData TPM2B_CREATION_DATA,
     * creationHash TPM2B_DIGEST, creationTicket TPMT_TK_CREATION, name TPM2B_NAME.
     */
    public static Created createPrimary(byte[] raw) throws Tpm2FormatException {
        int[] handle = new int[1];
        TpmReader r = parameters(raw, "TPM2_CreatePrimary", 1, handle);
        byte[] pub = r.tpm2b("outPublic", MAX_BUFFER);
        creation(r);
        r.tpm2b("name", MAX_NAME);
        r.end();
        return new Created(handle[0], pub, new byte[0]);
    }

    /**
     * TPM2_Create (Part 3 §12.1): outPrivate TPM2B_PRIVATE, outPublic TPM2B_PUBLIC, creationData, creationHash,
     * creationTicket. The handle is 0: the object is not loaded.
     */
    public static Created create(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_Create");
        byte[] priv = r.tpm2b("outPrivate", MAX_BUFFER);
        byte[] pub = r.tpm2b("outPublic", MAX_BUFFER);
        creation(r);
        r.end();
        return new Created(0, pub, priv);
    }

    /** creationData TPM2B_CREATION_DATA ‖ creationHash TPM2B_DIGEST ‖ creationTicket TPMT_TK_CREATION (§10.7.3). */
    private static void creation(TpmReader r) throws Tpm2FormatException {
        r.tpm2b("creationData", MAX_BUFFER);
        r.tpm2b("creationHash", TpmtPublic.MAX_DIGEST);
        ticket(r, "creationTicket");
    }

    /** TPMT_TK_CREATION / TPMT_TK_AUTH: tag UINT16, hierarchy UINT32, digest TPM2B_DIGEST (Part 2 §10.7). */
    private static void ticket(TpmReader r, String field) throws Tpm2FormatException {
        r.u16(field + ".tag");
        r.u32(field + ".hierarchy");
        r.tpm2b(field + ".digest", TpmtPublic.MAX_DIGEST);
    }

    /** TPM2_Load (Part 3 §12.2): objectHandle; name TPM2B_NAME. Returns the handle. */
    public static int load(byte[] raw) throws Tpm2FormatException {
        int[] handle = new int[1];
        TpmReader r = parameters(raw, "TPM2_Load", 1, handle);
        r.tpm2b("name", MAX_NAME);
        r.end();
        return handle[0];
    }

    /** TPM2_ReadPublic's answer: the marshalled TPMT_PUBLIC, its Name and its Qualified Name. */
    public record PublicArea(byte[] publicArea, byte[] name, byte[] qualifiedName) {
    }

    /** TPM2_ReadPublic (Part 3 §12.4): outPublic TPM2B_PUBLIC, name TPM2B_NAME, qualifiedName TPM2B_NAME. */
    public static PublicArea readPublic(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_ReadPublic");
        byte[] pub = r.tpm2b("outPublic", MAX_BUFFER);
        byte[] name = r.tpm2b("name", MAX_NAME);
        byte[] qn = r.tpm2b("qualifiedName", MAX_NAME);
        r.end();
        if (pub.length == 0) {
            throw r.error("outPublic", "is empty");
        }
        return new PublicArea(pub, name, qn);
    }

    /** TPM2_StartAuthSession (Part 3 §11.1): sessionHandle; nonceTPM TPM2B_NONCE. Returns the handle. */
    public static int startAuthSession(byte[] raw) throws Tpm2FormatException {
        int[] handle = new int[1];
        TpmReader r = parameters(raw, "TPM2_StartAuthSession", 1, handle);
        r.tpm2b("nonceTPM", TpmtPublic.MAX_DIGEST);
        r.end();
        return handle[0];
    }

    /** TPM2_PolicySecret (Part 3 §23.4): timeout TPM2B_TIMEOUT, policyTicket TPMT_TK_AUTH. */
    public static void policySecret(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_PolicySecret");
        r.tpm2b("timeout", 8);
        ticket(r, "policyTicket");
        r.end();
    }

    /** TPM2_ActivateCredential (Part 3 §12.5): certInfo TPM2B_DIGEST, the recovered secret. */
    public static byte[] activateCredential(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_ActivateCredential");
        byte[] secret = r.tpm2b("certInfo", TpmtPublic.MAX_DIGEST);
        r.end();
        return secret;
    }

    /** A credential as TPM2_MakeCredential returns it. */
    public record Credential(byte[] credentialBlob, byte[] encryptedSecret) {
    }

    /**
     * TPM2_MakeCredential (Part 3 §12.6): credentialBlob TPM2B_ID_OBJECT (whose contents are integrityHMAC
     * TPM2B_DIGEST ‖ encIdentity, returned as they are), secret TPM2B_ENCRYPTED_SECRET.
     */
    public static Credential makeCredential(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_MakeCredential");
        byte[] blob = r.tpm2b("credentialBlob", MAX_BUFFER);
        byte[] secret = r.tpm2b("secret", MAX_BUFFER);
        r.end();
        MakeCredential.parseCredentialBlob(blob);
        return new Credential(blob, secret);
    }

    /** TPM2_NV_ReadPublic (Part 3 §31.6): nvPublic TPM2B_NV_PUBLIC (§13.5), nvName. Returns dataSize. */
    public static int nvDataSize(byte[] raw, int nvIndex) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_NV_ReadPublic");
        byte[] nvPublic = r.tpm2b("nvPublic", MAX_BUFFER);
        r.tpm2b("nvName", MAX_NAME);
        r.end();
        TpmReader p = new TpmReader(nvPublic, "TPMS_NV_PUBLIC");
        int index = p.u32("nvIndex");
        p.u16("nameAlg");
        p.u32("attributes");
        p.tpm2b("authPolicy", TpmtPublic.MAX_DIGEST);
        int size = p.u16("dataSize");
        p.end();
        if (index != nvIndex) {
            throw new Tpm2FormatException("TPMS_NV_PUBLIC.nvIndex", 0,
                    String.format("0x%08x answers a question about 0x%08x", index, nvIndex));
        }
        return size;
    }

    /**
     * TPM2_NV_Read (Part 3 §31.13): data TPM2B_MAX_NV_BUFFER, which must hold exactly the {@code size} bytes
     * asked for: a short read would leave the rest of the caller's buffer as zeros.
     */
    public static byte[] nvRead(byte[] raw, int size) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_NV_Read");
        int at = r.offset();
        byte[] data = r.tpm2b("data", MAX_BUFFER);
        r.end();
        if (data.length != size) {
            throw r.errorAt("data.size", at, "short read: " + data.length + " bytes of the " + size + " asked for");
        }
        return data;
    }

    /** TPM2_PCR_Read's answer: the values by bank and PCR. */
    public record PcrRead(long updateCounter, Map<HashAlg, Map<Integer, byte[]>> values) {
    }

    /**
     * TPM2_PCR_Read (Part 3 §22.4): pcrUpdateCounter UINT32, pcrSelectionOut TPML_PCR_SELECTION, pcrValues
     * TPML_DIGEST. The digests must match the selection one for one, each of its bank's size, and only PCRs
     * that were asked for may be returned.
     */
    public static PcrRead pcrRead(byte[] raw, PcrSelection asked) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_PCR_Read");
        long counter = Integer.toUnsignedLong(r.u32("pcrUpdateCounter"));
        PcrSelection out = PcrSelection.read(r, "pcrSelectionOut.");
        int countAt = r.offset();
        int count = r.u32("pcrValues.count");
        if (count < 0 || count > MAX_DIGESTS) {
            throw r.errorAt("pcrValues.count", countAt, Integer.toUnsignedLong(count) + " exceeds " + MAX_DIGESTS);
        }
        int selected = 0;
        for (PcrSelection.Bank b : out.banks()) {
            selected += b.pcrs().size();
        }
        if (selected != count) {
            throw r.errorAt("pcrValues.count", countAt, count + " digests for " + selected + " selected PCRs");
        }
        Map<HashAlg, Map<Integer, byte[]>> values = new EnumMap<>(HashAlg.class);
        int v = 0;
        for (PcrSelection.Bank b : out.banks()) {
            Optional<PcrSelection.Bank> wanted = asked.banks().stream().filter(a -> a.alg() == b.alg()).findFirst();
            Map<Integer, byte[]> bank = new TreeMap<>();
            for (int pcr : b.pcrs()) {
                String f = "pcrValues.digests[" + v++ + "]";
                int at = r.offset();
                byte[] d = r.tpm2b(f, TpmtPublic.MAX_DIGEST);
                if (d.length != b.alg().size()) {
                    throw r.errorAt(f + ".size", at, d.length + " bytes for a " + b.alg().bankName() + " PCR");
                }
                if (wanted.isEmpty() || !wanted.get().pcrs().contains(pcr)) {
                    throw r.errorAt(f, at, b.alg().bankName() + " PCR " + pcr + " was not asked for");
                }
                bank.put(pcr, d);
            }
            if (!bank.isEmpty()) {
                values.put(b.alg(), Collections.unmodifiableMap(bank));
            }
        }
        r.end();
        return new PcrRead(counter, Collections.unmodifiableMap(values));
    }

    /**
     * TPM2_Quote (Part 3 §18.4): quoted TPM2B_ATTEST, signature TPMT_SIGNATURE. Both are returned as the TPM
     * marshalled them; the signature must parse as one TPMT_SIGNATURE filling the rest of the parameters.
     */
    public static Quoted quote(byte[] raw) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_Quote");
        byte[] attest = r.tpm2b("quoted", MAX_BUFFER);
        byte[] signature = r.bytes("signature", r.remaining());
        TpmtSignature.parse(signature);
        return new Quoted(attest, signature);
    }

    /** A quote as the TPM produced it: TPMS_ATTEST and TPMT_SIGNATURE bytes. */
    public record Quoted(byte[] attest, byte[] signature) {
    }

    /** TPM_CAP_PCRS and TPM_CAP_TPM_PROPERTIES (Part 2 §6.12). */
    private static final int CAP_PCRS = 5;
    private static final int CAP_TPM_PROPERTIES = 6;

    /**
     * TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) (Part 3 §30.2): moreData TPMI_YES_NO, capabilityData
     * TPMS_CAPABILITY_DATA with a TPML_TAGGED_TPM_PROPERTY (§10.9.8). Property → value.
     */
    public static Map<Integer, Integer> properties(byte[] raw) throws Tpm2FormatException {
        TpmReader r = capability(raw, CAP_TPM_PROPERTIES);
        int countAt = r.offset();
        int count = r.u32("tpmProperty.count");
        if (count < 0 || count > MAX_PROPERTIES) {
            throw r.errorAt("tpmProperty.count", countAt, Integer.toUnsignedLong(count) + " exceeds " + MAX_PROPERTIES);
        }
        Map<Integer, Integer> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int property = r.u32("tpmProperty[" + i + "].property");
            out.put(property, r.u32("tpmProperty[" + i + "].value"));
        }
        r.end();
        return Collections.unmodifiableMap(out);
    }

    /**
     * TPM2_GetCapability(TPM_CAP_PCRS): the allocated banks (a TPML_PCR_SELECTION). Banks of algorithms trustbit
     * does not know, and banks without a PCR, are left out; a malformed list is an error.
     */
    public static PcrSelection pcrBanks(byte[] raw) throws Tpm2FormatException {
        TpmReader r = capability(raw, CAP_PCRS);
        int countAt = r.offset();
        int count = r.u32("assignedPCR.count");
        if (count < 0 || count > PcrSelection.MAX_BANKS) {
            throw r.errorAt("assignedPCR.count", countAt, Integer.toUnsignedLong(count) + " exceeds " + PcrSelection.MAX_BANKS);
        }
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String f = "assignedPCR.pcrSelections[" + n + "]";
            int id = r.u16(f + ".hash");
            int sizeAt = r.offset();
            int size = r.u8(f + ".sizeofSelect");
            if (size > PcrSelection.MAX_SELECT_BYTES) {
                throw r.errorAt(f + ".sizeofSelect", sizeAt, size + " exceeds " + PcrSelection.MAX_SELECT_BYTES);
            }
            byte[] bits = r.bytes(f + ".pcrSelect", size);
            SortedSet<Integer> pcrs = new TreeSet<>();
            for (int i = 0; i < size * 8; i++) {
                if ((bits[i / 8] & (1 << (i % 8))) != 0) {
                    pcrs.add(i);
                }
            }
            Optional<HashAlg> alg = HashAlg.fromTcgId(id);
            if (alg.isPresent() && !pcrs.isEmpty() && banks.stream().noneMatch(b -> b.alg() == alg.get())) {
                banks.add(new PcrSelection.Bank(alg.get(), pcrs));
            }
        }
        r.end();
        return PcrSelection.of(banks);
    }

    private static TpmReader capability(byte[] raw, int expected) throws Tpm2FormatException {
        TpmReader r = parameters(raw, "TPM2_GetCapability");
        int more = r.u8("moreData");
        if (more > 1) {
            throw r.error("moreData", more + " is not TPMI_YES_NO");
        }
        int at = r.offset();
        int capability = r.u32("capabilityData.capability");
        if (capability != expected) {
            throw r.errorAt("capabilityData.capability", at, "0x" + Integer.toHexString(capability) + " is not the 0x"
                    + Integer.toHexString(expected) + " asked for");
        }
        return r;
    }
}

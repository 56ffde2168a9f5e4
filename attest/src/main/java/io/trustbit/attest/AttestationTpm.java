package io.trustbit.attest;

import io.trustbit.attest.internal.transport.ProxyTpmTransport;
import io.trustbit.attest.internal.transport.RetryingTransport;
import io.trustbit.attest.internal.tss.TpmCommandException;
import io.trustbit.attest.internal.tss.TssTpm;
import io.trustbit.attest.tpm2.AkAttributes;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmsAttest;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.measure.HashAlg;
import java.io.Closeable;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * The agent's side of a TPM: endorsement key, attestation key, credential activation and quotes.
 * One instance holds one connection; transient objects it loads are flushed on {@link #close()}.
 * Not thread-safe.
 */
public final class AttestationTpm implements Closeable {
    /** Attempts when a PCR changes between reading it and quoting it. */
    private static final int QUOTE_ATTEMPTS = 3;

    private final TpmTransport transport;
    private final TssTpm tss;
    private final Map<EkType, Integer> ekHandles = new EnumMap<>(EkType.class);
    private final Map<EkType, byte[]> ekPublics = new EnumMap<>(EkType.class);
    private AkLocation loadedLocation;
    private int loadedAk;
    private TpmtPublic loadedAkPublic;

    public AttestationTpm(TpmTransport transport) {
        this.transport = transport;
        this.tss = new TssTpm(transport);
    }

    /** Opens {@code --tpm} syntax ({@link TpmTransports}). */
    public static AttestationTpm open(String spec) throws IOException {
        return new AttestationTpm(TpmTransports.open(spec));
    }

    /** Sends TPM2_Startup(CLEAR) unless the TPM is already started. */
    public void startup() throws AttestException {
        run(tss::startup);
    }

    public TpmInfo info() throws AttestException {
        try {
            Map<Integer, Integer> p = tss.properties(0x105, 16); // TPM_PT_MANUFACTURER .. TPM_PT_FIRMWARE_VERSION_2
            String manufacturer = ascii(p.getOrDefault(0x105, 0));
            String vendor = (ascii(p.getOrDefault(0x106, 0)) + ascii(p.getOrDefault(0x107, 0)) + ascii(p.getOrDefault(0x108, 0))
                    + ascii(p.getOrDefault(0x109, 0))).strip();
            int fw1 = p.getOrDefault(0x10B, 0);
            int fw2 = p.getOrDefault(0x10C, 0);
            String firmware = (fw1 >>> 16) + "." + (fw1 & 0xFFFF) + "." + (fw2 >>> 16) + "." + (fw2 & 0xFFFF);
            Set<EkType> certs = EnumSet.noneOf(EkType.class);
            for (EkType t : EkType.values()) {
                if (tss.readNv(t.certificateIndex()).isPresent()) {
                    certs.add(t);
                }
            }
            return new TpmInfo(manufacturer, vendor, firmware, tss.pcrBanks(), certs);
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        }
    }

    private static String ascii(int v) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (v >>> shift) & 0xFF;
            if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** The EK type to use when none is asked for: the one with a certificate (ECC first), else ECC. */
    public EkType defaultEkType() throws AttestException {
        try {
            if (tss.readNv(EkType.ECC.certificateIndex()).isPresent()) {
                return EkType.ECC;
            }
            if (tss.readNv(EkType.RSA.certificateIndex()).isPresent()) {
                return EkType.RSA;
            }
            return EkType.ECC;
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        }
    }

    /**
     * The EK public area (recreated from its TCG template, which yields the key a vendor certifies)
     * and its certificate from NV if present.
     */
    public Endorsement endorsement(EkType type) throws AttestException {
        try {
            ekHandle(type);
            Optional<byte[]> cert = tss.readNv(type.certificateIndex());
            return new Endorsement(type, TpmtPublic.parse(ekPublics.get(type)), cert);
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        } catch (Tpm2FormatException e) {
            throw new AttestException("the TPM returned an unparsable EK: " + e.getMessage(), e);
        }
    }

    private int ekHandle(EkType type) throws TpmCommandException {
        Integer h = ekHandles.get(type);
        if (h == null) {
            TssTpm.LoadedKey ek = tss.createPrimaryEndorsement(type.template().encoded());
            h = ek.handle();
            ekHandles.put(type, h);
            ekPublics.put(type, ek.publicArea());
        }
        return h;
    }

    /**
     * The attestation key at {@code location}, created under the EK of type {@code ek} if there is
     * none yet. A key already there is checked with {@link AkAttributes} and never replaced.
     */
    public TpmtPublic ak(AkLocation location, AkType type, EkType ek) throws AttestException {
        try {
            load(location, type, ek);
            return loadedAkPublic;
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        }
    }

    private void load(AkLocation location, AkType type, EkType ek) throws TpmCommandException, AttestException {
        // null first: a record's equals links its call site on first use, about 6 ms of a one-quote CLI process
        if (loadedLocation != null && location.equals(loadedLocation)) {
            return;
        }
        unloadAk();
        if (location instanceof AkLocation.Persistent p) {
            Optional<byte[]> existing = tss.readPublicIfPresent(p.handle());
            if (existing.isEmpty()) {
                TssTpm.CreatedKey created = tss.createUnderEk(ekHandle(ek), type.template().encoded());
                TssTpm.LoadedKey loaded = tss.loadUnderEk(ekHandle(ek), created.publicArea(), created.privateBlob());
                try {
                    tss.persist(loaded.handle(), p.handle());
                } finally {
                    tss.flush(loaded.handle());
                }
                existing = Optional.of(tss.readPublic(p.handle()));
            }
            loadedAkPublic = checkedAk(existing.get(), String.format("persistent handle 0x%08x", p.handle()));
            loadedAk = p.handle();
        } else {
            AkLocation.StateDir s = (AkLocation.StateDir) location;
            StateFiles files = new StateFiles(s.dir());
            Optional<StateFiles.SavedAk> saved = files.readAk();
            if (saved.isEmpty()) {
                TssTpm.CreatedKey created = tss.createUnderEk(ekHandle(ek), type.template().encoded());
                files.writeAk(new StateFiles.SavedAk(ek, created.publicArea(), created.privateBlob()));
                saved = files.readAk();
            }
            StateFiles.SavedAk a = saved.orElseThrow();
            TpmtPublic pub = checkedAk(a.publicArea(), s.dir().resolve(StateFiles.AK_PUBLIC).toString());
            TssTpm.LoadedKey loaded = tss.loadUnderEk(ekHandle(a.ekType()), a.publicArea(), a.privateBlob());
            loadedAk = loaded.handle();
            loadedAkPublic = pub;
        }
        loadedLocation = location;
    }

    private static TpmtPublic checkedAk(byte[] publicArea, String where) throws AttestException {
        try {
            TpmtPublic pub = TpmtPublic.parse(publicArea);
            AkAttributes.check(pub);
            return pub;
        } catch (Tpm2FormatException | AkAttributes.AkAttributeException e) {
            throw new AttestException("the key at " + where + " is not a usable attestation key: " + e.getMessage(), e);
        }
    }

    /** The EK type the AK at {@code location} was created under (state dir), or {@code fallback}. */
    public static EkType ekTypeOf(AkLocation location, EkType fallback) throws AttestException {
        if (location instanceof AkLocation.StateDir s) {
            Optional<StateFiles.SavedAk> saved = new StateFiles(s.dir()).readAk();
            if (saved.isPresent()) {
                return saved.get().ekType();
            }
        }
        return fallback;
    }

    /** TPM2_ActivateCredential with the AK at {@code location} and the EK of type {@code ek}. */
    public byte[] activateCredential(AkLocation location, AkType type, EkType ek, byte[] credentialBlob, byte[] encryptedSecret)
            throws AttestException {
        try {
            load(location, type, ek);
            return tss.activateCredential(loadedAk, ekHandle(ek), credentialBlob, encryptedSecret);
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        }
    }

    /**
     * Reads the selected PCRs and quotes them with the AK, over {@code nonce}. The values returned are
     * the ones the quote signs: if a PCR changed in between, the pair is taken again.
     */
    public Quote quote(AkLocation location, AkType type, EkType ek, byte[] nonce, PcrSelection selection)
            throws AttestException {
        try {
            load(location, type, ek);
            HashAlg signHash = loadedAkPublic.schemeHash().orElseThrow();
            for (int attempt = 1; ; attempt++) {
                Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = tss.pcrRead(selection);
                TssTpm.RawQuote q = tss.quote(loadedAk, nonce, selection);
                TpmsAttest attest = TpmsAttest.parse(q.attest());
                QuoteSignatures.verify(loadedAkPublic, q.attest(), io.trustbit.attest.tpm2.TpmtSignature.parse(q.signature()));
                byte[] expected = attest.pcrSelect().digest(signHash, pcrs);
                if (MessageDigest.isEqual(expected, attest.pcrDigest())) {
                    return new Quote(q.attest(), q.signature(), loadedAkPublic.encoded(), pcrs);
                }
                if (attempt == QUOTE_ATTEMPTS) {
                    throw new AttestException("PCRs kept changing between PCR_Read and Quote");
                }
            }
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        } catch (Tpm2FormatException | GeneralSecurityException e) {
            throw new AttestException("the TPM's quote does not check out: " + e.getMessage(), e);
        }
    }

    /** The DRTM event log held by the tpm-proxy guest, if this TPM is reached through it. */
    public Optional<byte[]> proxyEventLog() throws IOException {
        TpmTransport t = transport instanceof RetryingTransport r ? r.inner() : transport;
        if (t instanceof ProxyTpmTransport p) {
            return Optional.of(p.eventLog());
        }
        return Optional.empty();
    }

    /** Removes a persistent AK (for tests and for {@code --reset}-style maintenance). */
    public void evict(int persistentHandle) throws AttestException {
        unloadAk();
        run(() -> tss.evict(persistentHandle));
    }

    /** The low-level TPM access, for tests in this module's package tree. */
    public TssTpm tss() {
        return tss;
    }

    private void unloadAk() {
        if (loadedLocation instanceof AkLocation.StateDir) {
            tss.flush(loadedAk);
        }
        loadedLocation = null;
        loadedAkPublic = null;
    }

    private interface TpmAction {
        void run() throws TpmCommandException;
    }

    private static void run(TpmAction a) throws AttestException {
        try {
            a.run();
        } catch (TpmCommandException e) {
            throw new AttestException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            unloadAk();
            for (int h : ekHandles.values()) {
                tss.flush(h);
            }
            ekHandles.clear();
        } finally {
            tss.close();
        }
    }
}

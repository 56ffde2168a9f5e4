package io.trustbit.cli.attest;

import io.trustbit.attest.AkLocation;
import io.trustbit.attest.AttestException;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EkType;
import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.EventLogs;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.Quote;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.cli.CliException;
import io.trustbit.cli.PcrJson;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.measure.HashAlg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit quote --tpm T --nonce HEX [--pcrs sha256:0-7,17-23] [--ak-handle H | --state-dir D]
 * [--drtm-log F] --out DIR}: writes quote.msg (TPMS_ATTEST), quote.sig (TPMT_SIGNATURE), ak.pub
 * (TPMT_PUBLIC), ak.pub.pem, pcrs.json, pcrs.bin (tpm2-tools' "serialized" PCR file, as
 * {@code tpm2_quote -o} writes it, for {@code tpm2_checkquote -f pcrs.bin}) and evidence.json.
 */
@Command(mixinStandardHelpOptions = true, name = "quote", description = "Quote PCRs with the attestation key (creating it on first use).",
        subcommands = QuoteVerifyCommand.class)
public final class QuoteCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin TpmOptions tpmOptions;

    @Option(names = "--nonce", paramLabel = "HEX", description = "Qualifying data from the verifier, 1-64 bytes.")
    String nonce;
    @Option(names = "--pcrs", paramLabel = "SEL", defaultValue = "sha256:0-7,17-23", description = "PCR selection (default ${DEFAULT-VALUE}).")
    String pcrs;
    @Option(names = "--drtm-log", paramLabel = "F", description = "DRTM event log to include in evidence.json.")
    Path drtmLog;
    @Option(names = "--node-id", paramLabel = "ID", defaultValue = "local", description = "Node id written into evidence.json.")
    NodeId nodeId;
    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (required).") Path out;

    @Override
    public Integer call() {
        TpmOptions o = tpmOptions;
        // not picocli-required: picocli would then demand them for the "quote verify" subcommand too
        if (nonce == null || out == null) {
            throw CliException.badInput("--nonce and --out are required", null);
        }
        byte[] nonceBytes = Hex.parse(nonce, "--nonce", 1, 64);
        PcrSelection selection = Selections.parse(pcrs);
        AkLocation location = o.akLocation();
        Quote q;
        Map<EventLogKind, byte[]> logs;
        try (AttestationTpm tpm = o.open()) {
            EkType ek = AttestationTpm.ekTypeOf(location, o.ekType == null ? tpm.defaultEkType() : EkType.fromLabel(o.ekType));
            q = tpm.quote(location, o.akType(), ek, nonceBytes, selection);
            logs = EventLogs.collect(tpm, o.tpm, Optional.ofNullable(drtmLog));
        } catch (AttestException | IOException e) {
            throw CliException.environment("quote failed: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
        Evidence evidence = Evidence.of(nodeId, nonceBytes, q, logs);
        try {
            Files.createDirectories(out);
            TpmtPublic ak = TpmtPublic.parse(q.akPublic());
            Files.write(out.resolve("quote.msg"), q.attest());
            Files.write(out.resolve("quote.sig"), q.signature());
            Files.write(out.resolve("ak.pub"), q.akPublic());
            Files.writeString(out.resolve("ak.pub.pem"), pem(ak.toJcaPublicKey().getEncoded()));
            Files.writeString(out.resolve("pcrs.json"), PcrJson.of(q.pcrs()) + "\n");
            Files.write(out.resolve("pcrs.bin"), pcrBin(selection, q.pcrs()));
            Files.write(out.resolve("evidence.json"), EvidenceCodec.toJson(evidence));
            spec.commandLine().getOut().println("quote of " + selection + " written to " + out + " (AK name "
                    + HexFormat.of().formatHex(ak.name()) + ")");
        } catch (IOException e) {
            throw CliException.badInput("cannot write " + out + ": " + e.getMessage(), e);
        } catch (io.trustbit.attest.tpm2.Tpm2FormatException | java.security.InvalidKeyException e) {
            throw CliException.environment("the TPM returned an unexpected AK public area: " + e.getMessage(), e);
        }
        return ExitCode.OK.code();
    }

    static String pem(byte[] spki) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(spki);
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /**
     * tpm2-tools' serialized PCR file (tpm2_quote {@code -o}, default format; read by tpm2_checkquote
     * {@code -f} without {@code -l}): the TSS2 C structures dumped little-endian — TPML_PCR_SELECTION
     * (UINT32 count, 16 × {UINT16 hash, UINT8 sizeofSelect, BYTE pcrSelect[4], 1 pad}), then a UINT32
     * number of TPML_DIGEST lists, each UINT32 count and 8 × {UINT16 size, BYTE buffer[64]}, holding
     * the values in selection order, at most 8 per list (as PCR_Read returns them).
     */
    static byte[] pcrBin(PcrSelection selection, Map<HashAlg, SortedMap<Integer, byte[]>> pcrs) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(selection.banks().size());
        for (int i = 0; i < 16; i++) {
            if (i < selection.banks().size()) {
                PcrSelection.Bank bank = selection.banks().get(i);
                byte[] bits = new byte[4];
                for (int pcr : bank.pcrs()) {
                    bits[pcr / 8] |= (byte) (1 << (pcr % 8));
                }
                b.putShort((short) bank.alg().tcgId()).put((byte) 3).put(bits).put((byte) 0);
            } else {
                b.put(new byte[8]);
            }
        }
        java.util.List<byte[]> values = new java.util.ArrayList<>();
        for (PcrSelection.Bank bank : selection.banks()) {
            for (int pcr : bank.pcrs()) {
                values.add(pcrs.get(bank.alg()).get(pcr));
            }
        }
        int lists = (values.size() + 7) / 8;
        b.putInt(lists);
        for (int l = 0; l < lists; l++) {
            int n = Math.min(8, values.size() - l * 8);
            b.putInt(n);
            for (int i = 0; i < 8; i++) {
                byte[] v = i < n ? values.get(l * 8 + i) : new byte[0];
                b.putShort((short) v.length).put(java.util.Arrays.copyOf(v, 64));
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}

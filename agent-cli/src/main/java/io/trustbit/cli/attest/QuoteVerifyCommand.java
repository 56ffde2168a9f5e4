package io.trustbit.cli.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmsAttest;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.attest.tpm2.TpmtSignature;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.measure.HashAlg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit quote verify --ak AK --msg quote.msg --sig quote.sig --nonce HEX [--pcrs pcrs.json]}:
 * checks a quote offline — signature under the AK with the AK's scheme, magic TPM_GENERATED and type
 * QUOTE, nonce, and (with --pcrs) that the signed selection equals the supplied PCRs and the digest
 * matches. Exit 0 verified, 1 a check failed, 2 unreadable input. The AK may be a TPMT_PUBLIC, a
 * TPM2B_PUBLIC (tpm2-tools {@code -u}) or a PEM public key (then ECDSA-SHA256 / RSASSA-SHA256 is
 * assumed, the defaults of tpm2_createak).
 */
@Command(mixinStandardHelpOptions = true, name = "verify", description = "Verify a quote offline (exit 0 verified, 1 failed, 2 bad input).")
public final class QuoteVerifyCommand implements Callable<Integer> {
    private static final int MAX_FILE = 1 << 20;

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--ak", required = true, paramLabel = "FILE", description = "AK public key: PEM, TPMT_PUBLIC or TPM2B_PUBLIC.") Path akFile;
    @Option(names = "--msg", required = true, paramLabel = "FILE", description = "TPMS_ATTEST (quote.msg).") Path msgFile;
    @Option(names = "--sig", required = true, paramLabel = "FILE", description = "TPMT_SIGNATURE (quote.sig).") Path sigFile;
    @Option(names = "--nonce", required = true, paramLabel = "HEX") String nonce;
    @Option(names = "--pcrs", paramLabel = "FILE", description = "pcrs.json: {\"pcrs\":{\"sha256\":{\"0\":\"<hex>\",...}}}") Path pcrsFile;

    @Override
    public Integer call() {
        byte[] expectedNonce = Hex.parse(nonce, "--nonce", 1, 64);
        TpmtPublic ak = readAk(read(akFile, "AK"));
        byte[] msg = read(msgFile, "quote message");
        byte[] sigBytes = read(sigFile, "signature");
        Map<HashAlg, Map<Integer, byte[]>> pcrs = pcrsFile == null ? null : readPcrs(read(pcrsFile, "PCR file"));

        TpmtSignature sig;
        try {
            sig = TpmtSignature.parse(sigBytes);
            QuoteSignatures.verify(ak, msg, sig);
        } catch (Tpm2FormatException | GeneralSecurityException e) {
            throw CliException.failed("signature: " + e.getMessage());
        }
        TpmsAttest attest;
        try {
            attest = TpmsAttest.parse(msg);
        } catch (Tpm2FormatException e) {
            throw CliException.failed("quote message: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(expectedNonce, attest.extraData())) {
            throw CliException.failed("nonce: the quote's extraData is not the expected nonce");
        }
        List<String> checked = new ArrayList<>(List.of("signature", "magic", "type", "nonce"));
        if (pcrs != null) {
            byte[] digest;
            try {
                digest = attest.pcrSelect().digest(sig.hash(), pcrs);
            } catch (IllegalArgumentException e) {
                throw CliException.failed("PCR selection: " + e.getMessage());
            }
            if (!MessageDigest.isEqual(digest, attest.pcrDigest())) {
                throw CliException.failed("PCR digest: the supplied PCR values do not hash to the quote's pcrDigest");
            }
            checked.add("selection");
            checked.add("digest");
        }
        spec.commandLine().getOut().println("quote verified (" + String.join(", ", checked) + "): " + attest.pcrSelect()
                + ", resetCount " + attest.clockInfo().resetCount() + ", restartCount " + attest.clockInfo().restartCount()
                + (pcrs == null ? "; PCR values not checked (no --pcrs)" : ""));
        return ExitCode.OK.code();
    }

    private static byte[] read(Path p, String what) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(MAX_FILE + 1);
            if (b.length > MAX_FILE) {
                throw CliException.badInput(what + " " + p + " is larger than " + MAX_FILE + " bytes", null);
            }
            return b;
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + what + " " + p + ": " + e.getMessage(), e);
        }
    }

    static TpmtPublic readAk(byte[] b) {
        String text = new String(b, StandardCharsets.US_ASCII);
        try {
            if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
                String body = text.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                        .replaceAll("\\s", "");
                byte[] der = Base64.getDecoder().decode(body);
                PublicKey key;
                try {
                    key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException notEc) {
                    key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
                }
                return KeyTemplates.akFromJcaKey(key);
            }
            try {
                return TpmtPublic.parseTpm2b(b);
            } catch (Tpm2FormatException notTpm2b) {
                return TpmtPublic.parse(b);
            }
        } catch (Tpm2FormatException | GeneralSecurityException | IllegalArgumentException e) {
            throw CliException.badInput("AK: not a PEM public key, TPM2B_PUBLIC or TPMT_PUBLIC: " + e.getMessage(), e);
        }
    }

    static Map<HashAlg, Map<Integer, byte[]>> readPcrs(byte[] json) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            JsonNode banks = root == null ? null : root.get("pcrs");
            if (banks == null || !banks.isObject() || root.size() != 1) {
                throw CliException.badInput("PCR file must be {\"pcrs\":{BANK:{INDEX:HEX}}}", null);
            }
            Map<HashAlg, Map<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
            for (Map.Entry<String, JsonNode> bank : banks.properties()) {
                HashAlg alg = HashAlg.fromBankName(bank.getKey())
                        .orElseThrow(() -> CliException.badInput("PCR file: unknown bank " + bank.getKey(), null));
                Map<Integer, byte[]> values = new TreeMap<>();
                for (Map.Entry<String, JsonNode> pcr : bank.getValue().properties()) {
                    if (!pcr.getKey().matches("0|[1-9][0-9]?") || !pcr.getValue().isTextual()) {
                        throw CliException.badInput("PCR file: bad entry " + bank.getKey() + "." + pcr.getKey(), null);
                    }
                    values.put(Integer.parseInt(pcr.getKey()), HexFormat.of().parseHex(pcr.getValue().textValue()));
                }
                out.put(alg, values);
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.badInput("PCR file is not valid: " + e.getMessage(), e);
        }
    }
}

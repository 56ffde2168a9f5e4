package io.trustbit.cli.attest;

import io.trustbit.attest.AttestException;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EkType;
import io.trustbit.attest.TpmInfo;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit tpm info --tpm T [--json]}. */
@Command(mixinStandardHelpOptions = true, name = "tpm", description = "Inspect a TPM.", subcommands = TpmCommand.Info.class)
public final class TpmCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.BAD_INPUT.code();
    }

    /** Manufacturer, firmware, PCR banks, EK certificates. */
    @Command(mixinStandardHelpOptions = true, name = "info", description = "Manufacturer, firmware, PCR banks and whether EK certificates are present.")
    public static final class Info implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--tpm", required = true, paramLabel = "T",
                description = "linux:/dev/tpmrm0, swtpm:HOST:PORT or proxy:SOCKET") String tpm;
        @Option(names = "--json", description = "Machine-readable output.") boolean json;

        @Override
        public Integer call() {
            TpmOptions o = new TpmOptions();
            o.tpm = tpm;
            TpmInfo info;
            try (AttestationTpm t = o.open()) {
                info = t.info();
            } catch (AttestException | IOException e) {
                throw CliException.environment("TPM " + tpm + ": " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println("{\"manufacturer\":" + Json.str(info.manufacturer()) + ",\"vendor\":" + Json.str(info.vendor())
                        + ",\"firmware\":" + Json.str(info.firmware()) + ",\"banks\":" + Json.str(info.banks().toString())
                        + ",\"ekCertificate\":{\"rsa\":" + info.ekCertificates().contains(EkType.RSA)
                        + ",\"ecc\":" + info.ekCertificates().contains(EkType.ECC) + "}}");
            } else {
                out.println("manufacturer:   " + info.manufacturer());
                out.println("vendor:         " + info.vendor());
                out.println("firmware:       " + info.firmware());
                out.println("PCR banks:      " + info.banks());
                out.println("EK certificate: rsa " + (info.ekCertificates().contains(EkType.RSA) ? "present" : "absent")
                        + ", ecc " + (info.ekCertificates().contains(EkType.ECC) ? "present" : "absent"));
            }
            out.flush();
            return ExitCode.OK.code();
        }
    }
}

package io.trustbit.cli;

import io.trustbit.verifier.KeylimeRuntimePolicy;
import io.trustbit.verifier.PolicyException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trustbit policy import-keylime FILE}: a Keylime runtime policy (JSON) as a runtime section. */
@Command(name = "import-keylime", mixinStandardHelpOptions = true,
        description = "Convert a Keylime runtime policy (JSON, version 1) to a runtime section; what has no counterpart is listed on stderr.")
public final class PolicyImportKeylimeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin RuntimePolicyFiles output;

    @Parameters(paramLabel = "FILE", description = "Keylime runtime policy (JSON).") Path file;

    @Override
    public Integer call() {
        KeylimeRuntimePolicy.Result r;
        try {
            r = KeylimeRuntimePolicy.convert(Inputs.read(file, KeylimeRuntimePolicy.MAX_BYTES, "Keylime runtime policy"));
        } catch (PolicyException e) {
            throw CliException.badInput(file + ": " + e.getMessage(), e);
        }
        output.write(r.policy());
        r.notImported().forEach(n -> spec.commandLine().getErr().println("not imported: " + n));
        spec.commandLine().getOut().println(output.out + ": " + r.policy().digests().size() + " paths, " + r.policy().digestCount()
                + " digests, " + r.policy().excludes().size() + " excludes, " + r.policy().keys().size() + " keys");
        return ExitCode.OK.code();
    }
}

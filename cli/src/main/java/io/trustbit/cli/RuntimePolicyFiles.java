package io.trustbit.cli;

import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.PolicyException;
import io.trustbit.verifier.RuntimeSection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Output of the commands that make a runtime policy: the {@code runtime} section alone, or a whole policy
 * (a base policy with the section appended), checked with the verifier's parser before it is written.
 */
final class RuntimePolicyFiles {
    @Option(names = "--base", paramLabel = "POLICY",
            description = "Append the runtime section to this policy (which must have none) and write the whole policy.")
    Path base;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the YAML.")
    Path out;

    void write(RuntimePolicy policy) {
        String section = RuntimeSection.toYaml(policy);
        String text = section;
        if (base != null) {
            String baseText = new String(Inputs.read(base, Policy.MAX_BYTES, "policy"), StandardCharsets.UTF_8);
            String name = base.getFileName().toString();
            String id = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
            try {
                if (Policy.parse(baseText.getBytes(StandardCharsets.UTF_8), id).runtime() != null) {
                    throw CliException.badInput(base + ": already has a runtime section", null);
                }
                text = baseText + (baseText.endsWith("\n") ? "" : "\n") + section;
                Policy.parse(text.getBytes(StandardCharsets.UTF_8), id);
            } catch (PolicyException e) {
                throw CliException.badInput(base + ": " + e.getMessage(), e);
            }
        }
        try {
            AtomicFiles.write(out, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CliException.badInput("cannot write " + out + ": " + e.getMessage(), e);
        }
    }
}

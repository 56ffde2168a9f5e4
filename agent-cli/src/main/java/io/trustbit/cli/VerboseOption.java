package io.trustbit.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} option every subcommand mixes in; {@link ErrorMapper} reads it. */
public final class VerboseOption {
    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;
}

package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.verifier.DatabaseUnreadableException;
import io.trustbit.verifier.internal.EmbeddedRecovery;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit verifier db}: the embedded database, offline (docs/verifier.md "Recovery of the embedded database"). */
@Command(mixinStandardHelpOptions = true, name = "db", description = "The embedded database, with the verifier stopped.",
        subcommands = DbCommand.Recover.class)
public final class DbCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_INPUT.code();
    }

    /**
     * {@code trustbit verifier db recover --db FILE [--accept]}: rebuilds an unreadable embedded database from what
     * H2 can still read and the verdict journal; the damaged file is kept aside unchanged. The verifier stays
     * stopped on the rebuilt database until {@code --accept}, because what was lost cannot be known.
     */
    @Command(mixinStandardHelpOptions = true, name = "recover",
            description = "Rebuild an unreadable embedded database (the damaged file is kept aside unchanged).")
    public static final class Recover implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--db", required = true, paramLabel = "FILE",
                description = "The database file, e.g. verifier-data/verifier-db.mv.db.")
        Path db;

        @Option(names = "--accept", description = "Let the verifier start on the rebuilt database once its report was reviewed.")
        boolean accept;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                if (accept) {
                    List<String> report = EmbeddedRecovery.accept(db);
                    out.println("accepted the rebuilt database " + db + "; its recovery report was:");
                    report.forEach(l -> out.println("  " + l));
                    out.flush();
                    return ExitCode.OK.code();
                }
                EmbeddedRecovery.Report r = EmbeddedRecovery.recover(db);
                r.lines().forEach(out::println);
                out.flush();
                if (!r.rebuilt()) {
                    throw CliException.failed("recovery of " + db + " built no database");
                }
                return ExitCode.OK.code();
            } catch (DatabaseUnreadableException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (IOException | SQLException e) {
                throw CliException.environment("recovery of " + db + " failed: " + e.getMessage(), e);
            }
        }
    }
}

package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code trustbit --version}: Picocli's text, answered without building any command model. */
class VersionTest {

    @Test
    void sameTextAsPicocliVersionHelp() {
        StringWriter picocli = new StringWriter();
        int code = Main.commandLine(new PrintWriter(picocli), new PrintWriter(new StringWriter())).execute("--version");
        assertEquals(0, code);
        for (String flag : List.of("--version", "-V")) {
            Cli c = Cli.run(flag);
            assertEquals(0, c.code(), c.toString());
            assertEquals(picocli.toString(), c.out());
            assertEquals("", c.err());
        }
    }

    @Test
    void loadsNoCommandModel() throws Exception {
        // A fresh JVM, as a user's: the classes it loads for --version must include no Picocli model and no command.
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xshare:off", "-verbose:class", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("trustbit "), out);
        List<String> unwanted = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains("picocli.CommandLine$Model") || line.contains("io.trustbit.cli.ImageCommand")
                    || line.contains("io.trustbit.cli.verifier.") || line.contains("io.trustbit.cli.attest.")) {
                unwanted.add(line);
            }
        }
        assertEquals(List.of(), unwanted, "classes loaded for --version");
    }
}

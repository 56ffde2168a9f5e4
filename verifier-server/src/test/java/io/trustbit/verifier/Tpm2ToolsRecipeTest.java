package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.testkit.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tpm2-tools recipe of docs/api/tpm2-tools.md, run as written: an EK and AK made by tpm2-tools on swtpm are
 * enrolled in their TPM2B_PUBLIC form, the enroll answer is repacked for tpm2_activatecredential as documented,
 * and the released secret completes the activation on a real verifier.
 */
class Tpm2ToolsRecipeTest {
    static final String MARKER = "<!-- recipe: enroll-with-tpm2-tools -->";

    @TempDir
    Path dir;

    /** The shell block that follows the marker in the document. */
    static String recipe(Path doc) throws Exception {
        String text = Files.readString(doc);
        int at = text.indexOf(MARKER);
        assertTrue(at >= 0, "no recipe marker in " + doc);
        int start = text.indexOf("```sh\n", at) + 6;
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void recipeEnrollsATpm2ToolsAkAndActivatesIt() throws Exception {
        String script = recipe(Path.of("..", "docs", "api", "tpm2-tools.md"));
        Path work = Files.createDirectories(dir.resolve("client"));
        try (TestVerifier v = TestVerifier.start(dir, b -> { });
                Swtpm swtpm = Swtpm.start(dir.resolve("swtpm"))) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(work.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("recipe.log").toFile());
            pb.environment().put("VERIFIER", v.server.url().toString());
            pb.environment().put("CACERT", dir.resolve("data/tls-cert.pem").toString());
            pb.environment().put("NODE", "tools-node");
            pb.environment().put("TPM2TOOLS_TCTI", swtpm.tcti());
            Process p = pb.start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "recipe timed out");
            String log = Files.readString(dir.resolve("recipe.log"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("{\"status\":\"enrolled\"}"), log);

            TestVerifier.Reply node = v.admin("GET", "/v1/nodes/tools-node", null);
            assertEquals("enrolled", node.json().get("status").asText(), node.text());
            // the verifier took the TPM2B_PUBLIC AK and can now issue challenges for it
            v.challenge("tools-node");
        }
    }
}

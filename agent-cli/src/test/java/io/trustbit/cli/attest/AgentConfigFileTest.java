package io.trustbit.cli.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.cli.AgentMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad agent configuration files are refused with one line naming the file, the line and what is wrong. */
class AgentConfigFileTest {
    @TempDir
    Path dir;

    private String[] agent(String conf) throws Exception {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, conf);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AgentMain.run(new PrintWriter(out), new PrintWriter(err), "agent", "--config", f.toString(), "--once");
        return new String[] {Integer.toString(code), err.toString().strip(), f.toString()};
    }

    @Test
    void refusesAnUnknownKeyWithItsLine() throws Exception {
        String[] r = agent("# comment\nverifier = https://v.example:8443\nverifer-fingerprint = 00\n");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].startsWith("trustbit: " + r[2] + " line 3: unknown key 'verifer-fingerprint' (known: tpm, verifier,"), r[1]);
    }

    @Test
    void refusesALineWithoutEqualsARepeatedKeyAndAnEmptyValue() throws Exception {
        String[] noEq = agent("verifier https://v.example\n");
        assertEquals("trustbit: " + noEq[2] + " line 1: expected 'key = value', got 'verifier https://v.example'", noEq[1]);
        String[] twice = agent("tpm = swtpm:127.0.0.1:1\ntpm = swtpm:127.0.0.1:2\n");
        assertEquals("trustbit: " + twice[2] + " line 2: 'tpm' is given twice", twice[1]);
        String[] empty = agent("tpm =\n");
        assertEquals("trustbit: " + empty[2] + " line 1: 'tpm' has no value", empty[1]);
    }

    @Test
    void namesTheMissingSettingAndWhereToGiveIt() throws Exception {
        String[] noTrust = agent("verifier = https://v.example:8443\ntpm = swtpm:127.0.0.1:1\n");
        assertEquals("2", noTrust[0], noTrust[1]);
        assertTrue(noTrust[1].contains("the verifier's certificate is not pinned: give --verifier-fingerprint or "
                + "'verifier-fingerprint = ...' in " + noTrust[2]), noTrust[1]);
        String[] noTpm = agent("verifier = https://v.example:8443\nverifier-fingerprint = " + "ab".repeat(32) + "\n");
        assertEquals("trustbit: --tpm or 'tpm = ...' in " + noTpm[2] + " is required", noTpm[1]);
        String[] both = agent("verifier-fingerprint = " + "ab".repeat(32) + "\nca-cert = ca.pem\n");
        assertEquals("trustbit: give verifier-fingerprint or ca-cert, not both", both[1]);
        String[] badInterval = agent("verifier = https://v.example:8443\nverifier-fingerprint = " + "ab".repeat(32)
                + "\ntpm = swtpm:127.0.0.1:1\nnode-id = n1\ninterval = soon\n");
        assertEquals("trustbit: --interval 'soon' must look like 500ms, 30s, 5m or 1h", badInterval[1]);
    }

    @Test
    void aMissingFileIsBadInput() {
        StringWriter err = new StringWriter();
        int code = AgentMain.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "agent", "--config",
                dir.resolve("absent.conf").toString(), "--once");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("absent.conf"), err.toString());
    }
}

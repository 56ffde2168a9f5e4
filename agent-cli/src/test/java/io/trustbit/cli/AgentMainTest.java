package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent's command: exactly the node-side commands. */
class AgentMainTest {
    @Test
    void hasTheNodeSideCommandsOnly() {
        Set<String> names = AgentMain.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet();
        assertEquals(Set.of("help", "agent", "tpm", "quote", "eventlog", "measure"), names);
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = AgentMain.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "verifier", "serve");
        assertEquals(2, code);
        assertEquals(List.of("trustbit: unknown command 'verifier'", "Try 'trustbit-agent --help'."), err.toString().lines().toList());
    }
}

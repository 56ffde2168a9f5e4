package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The one node-id rule at its boundaries, and Evidence's nodeId following it. */
class NodeIdTest {
    @Test
    void boundaries() {
        for (String ok : new String[] {"a", "_", "_gateway", "9", "node-1.example_x", "n".repeat(128)}) {
            assertTrue(NodeId.isValid(ok), ok);
            assertEquals(ok, NodeId.of(ok).value());
        }
        for (String bad : new String[] {"", ".", "..", "-a", ".a", "n".repeat(129), "a/b", "a b", "n\u00e9", "a%2e"}) {
            assertFalse(NodeId.isValid(bad), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeId.of(bad));
            assertTrue(e.getMessage().endsWith("is not valid (" + NodeId.RULE + ")"), e.getMessage());
        }
        assertFalse(NodeId.isValid(null));
        assertEquals("node id (none) is not valid (" + NodeId.RULE + ")",
                assertThrows(IllegalArgumentException.class, () -> NodeId.of(null)).getMessage());
    }

    /** The documents state the rule the code applies: formats.md and the OpenAPI schema of paths and Evidence. */
    @Test
    void theDocumentsStateThisRule() throws Exception {
        String pattern = NodeId.PATTERN.pattern();
        assertEquals("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}", pattern);
        String formats = Files.readString(Path.of("../docs/formats.md"));
        assertTrue(formats.contains("## Node ids") && formats.contains("`" + pattern + "`"), "docs/formats.md");
        String openapi = Files.readString(Path.of("../docs/api/openapi.yaml"));
        assertTrue(openapi.contains("pattern: \"^" + pattern + "$\"") && openapi.contains("maxLength: " + NodeId.MAX_LENGTH),
                "docs/api/openapi.yaml");
    }

    @Test
    void evidenceCarriesIdsOfTheWholeRule() throws Exception {
        for (String id : new String[] {"_gateway", "n".repeat(128)}) {
            String json = new String(EvidenceCodec.toJson(EvidenceCodecTest.sample()), StandardCharsets.UTF_8)
                    .replace("\"nodeId\":\"node-1\"", "\"nodeId\":\"" + id + "\"");
            assertEquals(NodeId.of(id), EvidenceCodec.parse(json.getBytes(StandardCharsets.UTF_8)).node());
        }
        String tooLong = new String(EvidenceCodec.toJson(EvidenceCodecTest.sample()), StandardCharsets.UTF_8)
                .replace("\"nodeId\":\"node-1\"", "\"nodeId\":\"" + "n".repeat(129) + "\"");
        EvidenceFormatException e = assertThrows(EvidenceFormatException.class,
                () -> EvidenceCodec.parse(tooLong.getBytes(StandardCharsets.UTF_8)));
        assertEquals("nodeId must be " + NodeId.RULE, e.getMessage());
    }
}

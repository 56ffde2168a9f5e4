package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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

package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.measure.internal.Hex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our Ed25519 verification agrees with every Wycheproof case; failures are collected and reported together. */
class Ed25519WycheproofTest {

    @Test
    void everyWycheproofCase() throws Exception {
        JsonNode root = new ObjectMapper().readTree(TestData.root().resolve("wycheproof/ed25519_test.json").toFile());
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode group : root.get("testGroups")) {
            byte[] pk = Hex.parse(group.get("publicKey").get("pk").asText());
            for (JsonNode t : group.get("tests")) {
                cases++;
                String result = t.get("result").asText();
                byte[] msg = Hex.parse(t.get("msg").asText());
                byte[] sig = Hex.parse(t.get("sig").asText());
                boolean ok;
                try {
                    ok = Ed25519PublicKey.fromRaw(pk).verify(msg, sig);
                } catch (RuntimeException e) {
                    failures.add("tcId " + t.get("tcId").asInt() + ": threw " + e);
                    continue;
                }
                // "acceptable" cases may go either way; Ed25519 has none in this file
                if (result.equals("valid") && !ok || result.equals("invalid") && ok) {
                    failures.add("tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + "): expected "
                            + result + ", got " + (ok ? "valid" : "invalid"));
                }
            }
        }
        assertEquals(root.get("numberOfTests").asInt(), cases, "number of cases");
        assertTrue(failures.isEmpty(), failures.size() + " failing cases:\n" + String.join("\n", failures));
    }
}

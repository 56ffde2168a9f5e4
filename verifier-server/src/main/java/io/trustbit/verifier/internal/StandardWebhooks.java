package io.trustbit.verifier.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature scheme (standardwebhooks.com, specification 1.0.0, "Signature scheme"): the
 * secret is {@code whsec_} followed by base64 of 24 to 64 random bytes; a message is signed as
 * {@code v1,} + base64(HMAC-SHA256(secret bytes, webhook-id "." webhook-timestamp "." body)).
 */
public final class StandardWebhooks {
    public static final String PREFIX = "whsec_";

    private StandardWebhooks() {}

    /** The key bytes of a {@code whsec_} secret; the error names the rule broken, never the secret. */
    public static byte[] key(String secret) {
        String s = secret.strip();
        if (!s.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a webhook secret must start with " + PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(s.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret must be " + PREFIX + " and base64");
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("a webhook secret must hold 24 to 64 bytes, not " + key.length);
        }
        return key;
    }

    /** The {@code webhook-signature} header value for one message. */
    public static String signature(byte[] key, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

package io.trustbit.verifier;

import io.trustbit.verifier.internal.Outbox;
import io.trustbit.verifier.internal.Router;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * One webhook (docs/verifier.md "Webhooks"): a name (the key of its delivery state), the URL events are POSTed
 * to, the file holding its Standard Webhooks secret ({@code whsec_...}; read at start, never logged or shown)
 * and the CloudEvents types it wants (empty: all).
 */
public record WebhookConfig(String name, URI url, Path secretFile, Set<String> events) {
    public WebhookConfig {
        if (name == null || !Router.ID.matcher(name).matches()) {
            throw new IllegalArgumentException("webhooks: name must match " + Router.ID.pattern());
        }
        if (url == null || url.getHost() == null || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
            throw new IllegalArgumentException("webhook " + name + ": url must be an https URL");
        }
        if ("http".equals(url.getScheme()) && !loopback(url.getHost())) {
            throw new IllegalArgumentException("webhook " + name + ": plain http only to a loopback address");
        }
        if (secretFile == null) {
            throw new IllegalArgumentException("webhook " + name + ": secretFile is required");
        }
        events = Set.copyOf(events);
        for (String e : events) {
            try {
                Outbox.EventType.of(e);
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("webhook " + name + ": " + x.getMessage(), x);
            }
        }
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}

package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox's events (docs/verifier.md "Webhooks"): one thread per webhook takes the due deliveries (the
 * oldest undelivered event of each node), leases each in the database, POSTs it as a CloudEvents 1.0 structured
 * JSON event signed with the Standard Webhooks scheme, and records the outcome: a 2xx answer marks it delivered,
 * anything else schedules a retry with exponential backoff. Nothing is ever dropped: an event is retried until
 * a receiver takes it.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** The CloudEvents {@code source} of every event. */
    public static final String SOURCE = "urn:trustbit:verifier";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** A lease outlives any request (timeout above), so a live sender keeps its delivery while it sends. */
    static final long LEASE_MILLIS = 30_000;
    static final long POLL_MILLIS = 1_000;
    static final int BATCH = 64;

    /** A webhook to send to; its key is never printed (toString names the webhook only). */
    public static final class Endpoint {
        private final String name;
        private final URI url;
        private final byte[] key;

        public Endpoint(String name, URI url, byte[] key) {
            this.name = name;
            this.url = url;
            this.key = key.clone();
        }

        @Override
        public String toString() {
            return "webhook " + name;
        }
    }

    private final Store store;
    private final List<Endpoint> endpoints;
    private final String owner;
    private final Clock clock;
    private final HttpClient http;
    private final List<Thread> threads = new ArrayList<>();
    private final Object signal = new Object();
    private long signals;
    private volatile boolean closed;

    /** Starts one sender thread per endpoint; {@code owner} (the replica id) names the leases it takes. */
    public WebhookDispatcher(Store store, List<Endpoint> endpoints, String owner, Clock clock) throws SQLException {
        this.store = store;
        this.endpoints = List.copyOf(endpoints);
        this.owner = owner;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // an earlier process with this replica id is gone (two live replicas never share an id): its leases end now
        store.releaseLeases(owner);
        for (Endpoint e : this.endpoints) {
            Thread t = new Thread(() -> run(e), "webhook-" + e.name);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Wakes the senders: an event was just committed. */
    public void wake() {
        synchronized (signal) {
            signals++;
            signal.notifyAll();
        }
    }

    /** Delay before attempt {@code attempts + 1} after {@code attempts} failed ones: 1 s doubling to 60 s. */
    static long backoffMillis(int attempts) {
        return Math.min(1_000L << Math.min(Math.max(attempts - 1, 0), 6), 60_000L);
    }

    private void run(Endpoint e) {
        while (!closed) {
            long seen;
            synchronized (signal) {
                seen = signals;
            }
            int due = 0;
            try {
                due = sendDue(e);
            } catch (SQLException | RuntimeException x) {
                if (!closed) {
                    LOG.warn("{}: delivery bookkeeping failed: {}", e, x.toString());
                }
            }
            if (due == 0) {
                synchronized (signal) {
                    if (signals == seen && !closed) {
                        try {
                            signal.wait(POLL_MILLIS);
                        } catch (InterruptedException x) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Sends the due deliveries of one webhook once each; returns how many were due. */
    private int sendDue(Endpoint e) throws SQLException {
        List<Outbox.Due> due = store.dueDeliveries(e.name, clock.millis(), BATCH);
        if (due.isEmpty()) {
            return 0;
        }
        // an event is sent only once it is durable: a receiver never hears of a change a crash undoes
        store.awaitDurable();
        for (Outbox.Due d : due) {
            if (closed) {
                break;
            }
            long now = clock.millis();
            if (!store.leaseDelivery(e.name, d.seq(), owner, now, now + LEASE_MILLIS)) {
                continue;
            }
            String error = send(e, d);
            if (error == null) {
                store.deliveryMade(e.name, d.seq(), clock.millis());
            } else {
                long next = clock.millis() + backoffMillis(d.attempts() + 1);
                store.deliveryFailed(e.name, d.seq(), next, error);
                LOG.info("{}: event {} not delivered (attempt {}): {}", e, d.eventId(), d.attempts() + 1, error);
            }
        }
        return due.size();
    }

    /** POSTs one event; null if the receiver took it, else why not. */
    private String send(Endpoint e, Outbox.Due d) {
        byte[] body = cloudEvent(d);
        long timestamp = clock.millis() / 1000;
        HttpRequest request = HttpRequest.newBuilder(e.url).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/cloudevents+json")
                .header("webhook-id", d.eventId())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", StandardWebhooks.signature(e.key, d.eventId(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2 ? null : "HTTP " + r.statusCode();
        } catch (IOException x) {
            return x.getClass().getSimpleName() + (x.getMessage() != null ? ": " + x.getMessage() : "");
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The event in CloudEvents 1.0 structured JSON mode (CloudEvents JSON Event Format 1.0, section 3), the same
     * bytes on every attempt. {@code sequence} (CloudEvents sequence extension) is the outbox position, padded so
     * that it also orders as a string; it increases along each node's events.
     */
    static byte[] cloudEvent(Outbox.Due d) {
        ObjectNode ev = Json.MAPPER.createObjectNode();
        ev.put("specversion", "1.0");
        ev.put("id", d.eventId());
        ev.put("source", SOURCE);
        ev.put("type", d.type().wire());
        ev.put("subject", d.nodeId());
        ev.put("time", Instant.ofEpochMilli(d.createdAt()).toString());
        ev.put("sequence", String.format("%019d", d.seq()));
        ev.put("datacontenttype", "application/json");
        ev.set("data", Json.tree(d.data().getBytes(StandardCharsets.UTF_8)));
        return Json.write(ev);
    }

    @Override
    public void close() {
        closed = true;
        wake();
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}

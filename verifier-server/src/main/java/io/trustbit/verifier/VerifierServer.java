package io.trustbit.verifier;

import io.trustbit.verifier.internal.Appraiser;
import io.trustbit.verifier.internal.Enrollment;
import io.trustbit.verifier.internal.Es256;
import io.trustbit.verifier.internal.FastEcdsa;
import io.trustbit.verifier.internal.JettyAdapter;
import io.trustbit.verifier.internal.Json;
import io.trustbit.verifier.internal.KeyFiles;
import io.trustbit.verifier.internal.Metrics;
import io.trustbit.verifier.internal.Nonces;
import io.trustbit.verifier.internal.Outbox;
import io.trustbit.verifier.internal.PolicyRegistry;
import io.trustbit.verifier.internal.StandardWebhooks;
import io.trustbit.verifier.internal.Store;
import io.trustbit.verifier.internal.VerdictSigner;
import io.trustbit.verifier.internal.VerifierApi;
import io.trustbit.verifier.internal.WebhookDispatcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier service: Jetty (TLS by default) in front of {@link VerifierApi}, an H2 or PostgreSQL store,
 * hot-reloaded policies and an ES256 verdict key. {@link #start} returns once the server listens.
 */
public final class VerifierServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VerifierServer.class);
    /** Delivered webhook events stay listed (and deduplicated by id) this long. */
    private static final long DELIVERED_KEPT_MILLIS = 7L * 24 * 3600 * 1000;

    private final Server jetty;
    private final Store store;
    private final ScheduledExecutorService background;
    /** Null without configured webhooks. */
    private final WebhookDispatcher webhooks;
    private final URI url;
    private final String tlsFingerprint;
    private final X509Certificate certificate;
    private final Path adminTokenFile;
    private final String adminToken;
    private final String kid;

    private VerifierServer(Server jetty, Store store, ScheduledExecutorService background, WebhookDispatcher webhooks,
            URI url, String tlsFingerprint, X509Certificate certificate, Path adminTokenFile, String adminToken,
            String kid) {
        this.jetty = jetty;
        this.store = store;
        this.background = background;
        this.webhooks = webhooks;
        this.url = url;
        this.tlsFingerprint = tlsFingerprint;
        this.certificate = certificate;
        this.adminTokenFile = adminTokenFile;
        this.adminToken = adminToken;
        this.kid = kid;
    }

    public static VerifierServer start(VerifierConfig cfg) throws Exception {
        InetAddress bind = InetAddress.getByName(cfg.host());
        if (cfg.insecureHttp() && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("plain HTTP is only allowed on a loopback address, not " + cfg.host());
        }
        FastEcdsa.preferForProcess();
        Files.createDirectories(cfg.dataDir());
        Path tokenFile = null;
        String token = cfg.adminToken();
        if (token == null) {
            tokenFile = cfg.dataDir().resolve("admin-token");
            token = KeyFiles.adminToken(tokenFile);
        }
        KeyPair verdictKey = KeyFiles.p256KeyPair(cfg.dataDir().resolve("verdict-signing-key.pem"));
        List<WebhookDispatcher.Endpoint> endpoints = new ArrayList<>();
        List<Outbox.Target> targets = new ArrayList<>();
        for (WebhookConfig w : cfg.webhooks()) {
            byte[] key;
            try {
                key = StandardWebhooks.key(Files.readString(w.secretFile(), StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException | IOException e) {
                throw new IllegalArgumentException("webhook " + w.name() + ": secret file " + w.secretFile() + ": "
                        + (e instanceof IOException ? "cannot be read" : e.getMessage()), e);
            }
            endpoints.add(new WebhookDispatcher.Endpoint(w.name(), w.url(), key));
            targets.add(new Outbox.Target(w.name(), w.events().stream().map(Outbox.EventType::of)
                    .collect(Collectors.toUnmodifiableSet())));
        }
        Store store = Store.open(cfg.effectiveDatabaseUrl(), cfg.databaseUser(), cfg.databasePassword(),
                cfg.databasePoolSize(), targets);
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verifier-background");
            t.setDaemon(true);
            return t;
        });
        WebhookDispatcher webhooks = null;
        try {
            VerdictSigner signer = new VerdictSigner(verdictKey, VerdictVerifier.ISSUER);
            store.addSigningKey(signer.kid(), Json.writeString(Es256.jwk(signer.publicKey())), System.currentTimeMillis());
            PolicyRegistry policies = new PolicyRegistry(cfg.policiesDir());
            Clock clock = Clock.systemUTC();
            Metrics metrics = new Metrics();
            Enrollment enrollment = new Enrollment(store, cfg.ekCaDir(), cfg.enrollmentLifetime().toMillis(), clock);
            // the default embedded database belongs to this process alone: its nonces can live in memory, and a
            // restart invalidates every nonce issued before it (docs/verifier.md "Durability")
            Nonces nonces = cfg.databaseUrl() == null ? new Nonces.InMemory() : store;
            VerifierApi api = new VerifierApi(store, nonces, policies, cfg.defaultPolicy(), signer,
                    new Appraiser(cfg.maxEventLogBytes()), enrollment, metrics, cfg.nonceLifetime().toMillis(),
                    cfg.replicaId(), clock);
            background.scheduleWithFixedDelay(() -> guarded("policy reload", policies::reload), 2, 2, TimeUnit.SECONDS);
            if (!endpoints.isEmpty()) {
                webhooks = new WebhookDispatcher(store, endpoints, cfg.replicaId(), clock);
                store.onEvent(webhooks::wake);
            }
            background.scheduleWithFixedDelay(() -> guarded("stale detection", () -> store.markStale(clock.millis())),
                    1, 1, TimeUnit.SECONDS);
            background.scheduleWithFixedDelay(() -> guarded("expiry purge", () -> {
                store.purgeExpired(clock.millis());
                store.purgeDelivered(clock.millis() - DELIVERED_KEPT_MILLIS);
                if (nonces != store) {
                    nonces.purgeExpired(clock.millis());
                }
            }), 30, 30, TimeUnit.SECONDS);

            QueuedThreadPool threads = new QueuedThreadPool(cfg.effectiveRequestThreads(), 8);
            threads.setName("verifier-http");
            Server server = new Server(threads);
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendDateHeader(false);
            http.setRequestHeaderSize(8192);
            http.setHttpCompliance(HttpCompliance.RFC9110);
            ServerConnector connector;
            X509Certificate cert = null;
            String fingerprint = null;
            if (cfg.insecureHttp()) {
                connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            } else {
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false);
                http.addCustomizer(src);
                KeyPair tlsKey;
                List<X509Certificate> chain;
                if (cfg.tlsCertificate() != null) {
                    chain = KeyFiles.readCertificates(cfg.tlsCertificate());
                    tlsKey = new KeyPair(chain.get(0).getPublicKey(), KeyFiles.readPrivateKey(cfg.tlsKey()));
                } else {
                    Path keyFile = cfg.dataDir().resolve("tls-key.pem");
                    Path certFile = cfg.dataDir().resolve("tls-cert.pem");
                    tlsKey = KeyFiles.p256KeyPair(keyFile);
                    if (!Files.exists(certFile)) {
                        X509Certificate self = KeyFiles.selfSigned(tlsKey, cfg.host());
                        Files.writeString(certFile, KeyFiles.pem(self), StandardCharsets.US_ASCII);
                    }
                    chain = KeyFiles.readCertificates(certFile);
                }
                cert = chain.get(0);
                fingerprint = KeyFiles.fingerprint(cert);
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setKeyStore(keyStore(tlsKey.getPrivate(), chain));
                ssl.setKeyStorePassword("");
                ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
                if (cfg.clientCa() != null) {
                    KeyStore trust = KeyStore.getInstance("PKCS12");
                    trust.load(null, null);
                    int i = 0;
                    for (X509Certificate ca : KeyFiles.readCertificates(cfg.clientCa())) {
                        trust.setCertificateEntry("ca" + i++, ca);
                    }
                    ssl.setTrustStore(trust);
                    ssl.setWantClientAuth(true);
                }
                connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"),
                        new HttpConnectionFactory(http));
            }
            connector.setHost(cfg.host());
            connector.setPort(cfg.port());
            connector.setIdleTimeout(cfg.requestTimeout().toMillis() * 3);
            server.addConnector(connector);
            server.setHandler(new JettyAdapter(api.router(), token, cfg.readToken(), cfg.requireAgentCertificate(),
                    cfg.maxBodyBytes(), cfg.requestTimeout().toMillis(), metrics));
            server.setStopTimeout(5_000);
            server.start();
            String scheme = cfg.insecureHttp() ? "http" : "https";
            String host = bind.getHostAddress().contains(":") ? "[" + bind.getHostAddress() + "]" : bind.getHostAddress();
            URI url = URI.create(scheme + "://" + host + ":" + connector.getLocalPort());
            LOG.info("verifier {} listening on {}", cfg.replicaId(), url);
            return new VerifierServer(server, store, background, webhooks, url, fingerprint, cert, tokenFile, token,
                    signer.kid());
        } catch (Exception | Error e) {
            background.shutdownNow();
            if (webhooks != null) {
                webhooks.close();
            }
            store.close();
            throw e;
        }
    }

    private static KeyStore keyStore(PrivateKey key, List<X509Certificate> chain) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("tls", key, new char[0], chain.toArray(Certificate[]::new));
        return ks;
    }

    @FunctionalInterface
    private interface Task {
        void run() throws Exception;
    }

    /** Background work logs its failures; none of it can make a node trusted, so nothing goes stale. */
    private static void guarded(String what, Task t) {
        try {
            t.run();
        } catch (Exception e) {
            LOG.warn("{} failed: {}", what, e.toString());
        }
    }

    public URI url() {
        return url;
    }

    public int port() {
        return url.getPort();
    }

    /** SHA-256 fingerprint of the TLS certificate (null for plain HTTP). */
    public String tlsFingerprint() {
        return tlsFingerprint;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The file holding the generated admin token (null when the token came from the configuration). */
    public Path adminTokenFile() {
        return adminTokenFile;
    }

    public String adminToken() {
        return adminToken;
    }

    public String signingKeyId() {
        return kid;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping Jetty: {}", e.toString());
        }
        background.shutdownNow();
        if (webhooks != null) {
            webhooks.close();
        }
        store.close();
    }

    /** Reads a file's bytes, for callers that hand policy files to {@link Policy#parse}. */
    static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}

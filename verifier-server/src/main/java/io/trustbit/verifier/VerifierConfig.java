package io.trustbit.verifier;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Everything the verifier is configured with; passed in, never read from globals. Build one with
 * {@link #builder(Path)} or from a YAML file with {@link #load(Path, Path)} (keys documented in
 * docs/verifier.md "Configuration").
 */
public record VerifierConfig(String host, int port, Path dataDir, boolean insecureHttp, Path tlsCertificate,
        Path tlsKey, Path clientCa, boolean requireAgentCertificate, String databaseUrl, String databaseUser,
        String databasePassword, int databasePoolSize, Path policiesDir, String defaultPolicy, Path ekCaDir,
        Duration nonceLifetime, Duration enrollmentLifetime, String adminToken, int maxBodyBytes,
        int maxEventLogBytes, Duration requestTimeout, String replicaId, int requestThreads, String readToken,
        List<WebhookConfig> webhooks) {

    public static final int DEFAULT_PORT = 8443;

    public VerifierConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0…65535");
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("a data directory is required");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls.certificate and tls.key go together");
        }
        if (requireAgentCertificate && clientCa == null) {
            throw new IllegalArgumentException("tls.requireAgentCertificate needs tls.clientCa");
        }
        if (maxBodyBytes < 1024 || maxEventLogBytes < 1024 || maxEventLogBytes > maxBodyBytes) {
            throw new IllegalArgumentException("limits: need 1024 ≤ maxEventLogBytes ≤ maxBodyBytes");
        }
        if (requestThreads != 0 && (requestThreads < 8 || requestThreads > 1024)) {
            throw new IllegalArgumentException("limits.requestThreads must be 8…1024 (or absent: automatic)");
        }
        if (nonceLifetime.isNegative() || nonceLifetime.isZero()) {
            throw new IllegalArgumentException("nonceLifetime must be positive");
        }
        if (readToken != null && (readToken.length() < 16 || !readToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("readToken must be at least 16 printable ASCII characters, no spaces");
        }
        if (readToken != null && readToken.equals(adminToken)) {
            throw new IllegalArgumentException("readToken must differ from adminToken");
        }
        webhooks = List.copyOf(webhooks);
        if (webhooks.stream().map(WebhookConfig::name).distinct().count() != webhooks.size()) {
            throw new IllegalArgumentException("webhooks: names must be unique");
        }
    }

    /**
     * Jetty's thread pool size: the configured one, else 64 with a configured database (request threads wait
     * for it), else 4 per core but at least 8 for the embedded database, where a request waits only for the
     * journal's shared fsync and more threads than that only add context switches (docs/benchmarks.md
     * "Verifier").
     */
    public int effectiveRequestThreads() {
        if (requestThreads != 0) {
            return requestThreads;
        }
        return databaseUrl != null ? 64 : Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    }

    /** The JDBC URL actually used: the configured one or an H2 file in the data directory. */
    public String effectiveDatabaseUrl() {
        return databaseUrl != null ? databaseUrl
                : "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("verifier-db") + ";DB_CLOSE_DELAY=0";
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** A builder with the documented defaults: loopback, port 8443, TLS, embedded database. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Path dataDir;
        private boolean insecureHttp;
        private Path tlsCertificate;
        private Path tlsKey;
        private Path clientCa;
        private boolean requireAgentCertificate;
        private String databaseUrl;
        private String databaseUser;
        private String databasePassword;
        private int databasePoolSize = 8;
        private Path policiesDir;
        private String defaultPolicy = "default";
        private Path ekCaDir;
        private Duration nonceLifetime = Duration.ofSeconds(60);
        private Duration enrollmentLifetime = Duration.ofMinutes(5);
        private String adminToken;
        private String readToken;
        private int maxBodyBytes = 4 * 1024 * 1024;
        private int maxEventLogBytes = 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int requestThreads;
        private String replicaId;
        private List<WebhookConfig> webhooks = List.of();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder insecureHttp(boolean v) { insecureHttp = v; return this; }
        public Builder tls(Path cert, Path key) { tlsCertificate = cert; tlsKey = key; return this; }
        public Builder clientCa(Path v, boolean requireForAgents) { clientCa = v; requireAgentCertificate = requireForAgents; return this; }
        public Builder database(String url, String user, String password) { databaseUrl = url; databaseUser = user; databasePassword = password; return this; }
        public Builder databasePoolSize(int v) { databasePoolSize = v; return this; }
        public Builder policiesDir(Path v) { policiesDir = v; return this; }
        public Builder defaultPolicy(String v) { defaultPolicy = v; return this; }
        public Builder ekCaDir(Path v) { ekCaDir = v; return this; }
        public Builder nonceLifetime(Duration v) { nonceLifetime = v; return this; }
        public Builder enrollmentLifetime(Duration v) { enrollmentLifetime = v; return this; }
        public Builder adminToken(String v) { adminToken = v; return this; }
        public Builder readToken(String v) { readToken = v; return this; }
        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
        public Builder maxEventLogBytes(int v) { maxEventLogBytes = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder replicaId(String v) { replicaId = v; return this; }
        public Builder requestThreads(int v) { requestThreads = v; return this; }
        public Builder webhooks(List<WebhookConfig> v) { webhooks = v; return this; }

        public VerifierConfig build() {
            Path policies = policiesDir != null ? policiesDir : dataDir.resolve("policies");
            String replica = replicaId != null ? replicaId : "verifier-" + ProcessHandle.current().pid();
            return new VerifierConfig(host, port, dataDir, insecureHttp, tlsCertificate, tlsKey, clientCa,
                    requireAgentCertificate, databaseUrl, databaseUser, databasePassword, databasePoolSize, policies,
                    defaultPolicy, ekCaDir, nonceLifetime, enrollmentLifetime, adminToken, maxBodyBytes,
                    maxEventLogBytes, requestTimeout, replica, requestThreads, readToken, webhooks);
        }
    }

    private static final Set<String> KEYS = Set.of("host", "port", "dataDir", "tls", "database", "policies",
            "ekCaDir", "nonceLifetimeSeconds", "enrollmentLifetimeSeconds", "adminToken", "readToken", "limits",
            "replicaId", "webhooks");

    /**
     * Reads a YAML configuration file; relative paths in it are relative to the file. {@code dataDir}
     * (if not null) overrides the file's data directory.
     */
    public static Builder load(Path file, Path dataDir) throws IOException {
        Map<String, Object> m;
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(false);
            opts.setMaxAliasesForCollections(0);
            Object o = new Yaml(new SafeConstructor(opts)).load(Files.readString(file, StandardCharsets.UTF_8));
            m = section(o, "configuration");
        } catch (YAMLException e) {
            throw new IOException(file + ": not valid YAML: " + e.getMessage().replace('\n', ' '), e);
        }
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IOException(file + ": unknown key '" + k + "'");
            }
        }
        Path base = file.toAbsolutePath().getParent();
        Path dd = dataDir != null ? dataDir : m.containsKey("dataDir") ? base.resolve(str(m, "dataDir")) : null;
        if (dd == null) {
            throw new IOException(file + ": dataDir is required (or --data-dir)");
        }
        Builder b = builder(dd);
        if (m.containsKey("host")) b.host(str(m, "host"));
        if (m.containsKey("port")) b.port(num(m, "port"));
        if (m.containsKey("tls")) {
            Map<String, Object> t = section(m.get("tls"), "tls");
            if (t.containsKey("certificate") || t.containsKey("key")) {
                b.tls(base.resolve(str(t, "certificate")), base.resolve(str(t, "key")));
            }
            if (t.containsKey("clientCa")) {
                b.clientCa(base.resolve(str(t, "clientCa")), Boolean.TRUE.equals(t.get("requireAgentCertificate")));
            }
        }
        if (m.containsKey("database")) {
            Map<String, Object> d = section(m.get("database"), "database");
            b.database(str(d, "url"), d.containsKey("user") ? str(d, "user") : null,
                    d.containsKey("password") ? str(d, "password") : null);
            if (d.containsKey("poolSize")) b.databasePoolSize(num(d, "poolSize"));
        }
        if (m.containsKey("policies")) {
            Map<String, Object> p = section(m.get("policies"), "policies");
            if (p.containsKey("dir")) b.policiesDir(base.resolve(str(p, "dir")));
            if (p.containsKey("default")) b.defaultPolicy(str(p, "default"));
        }
        if (m.containsKey("ekCaDir")) b.ekCaDir(base.resolve(str(m, "ekCaDir")));
        if (m.containsKey("nonceLifetimeSeconds")) b.nonceLifetime(Duration.ofSeconds(num(m, "nonceLifetimeSeconds")));
        if (m.containsKey("enrollmentLifetimeSeconds")) b.enrollmentLifetime(Duration.ofSeconds(num(m, "enrollmentLifetimeSeconds")));
        if (m.containsKey("adminToken")) b.adminToken(str(m, "adminToken"));
        if (m.containsKey("readToken")) b.readToken(str(m, "readToken"));
        if (m.containsKey("replicaId")) b.replicaId(str(m, "replicaId"));
        if (m.containsKey("webhooks")) {
            b.webhooks(webhooks(m.get("webhooks"), base));
        }
        if (m.containsKey("limits")) {
            Map<String, Object> l = section(m.get("limits"), "limits");
            if (l.containsKey("maxBodyBytes")) b.maxBodyBytes(num(l, "maxBodyBytes"));
            if (l.containsKey("maxEventLogBytes")) b.maxEventLogBytes(num(l, "maxEventLogBytes"));
            if (l.containsKey("requestTimeoutSeconds")) b.requestTimeout(Duration.ofSeconds(num(l, "requestTimeoutSeconds")));
            if (l.containsKey("requestThreads")) b.requestThreads(num(l, "requestThreads"));
        }
        return b;
    }

    private static final Set<String> WEBHOOK_KEYS = Set.of("name", "url", "secretFile", "events");

    private static List<WebhookConfig> webhooks(Object o, Path base) throws IOException {
        if (!(o instanceof List<?> list)) {
            throw new IOException("webhooks: must be a list");
        }
        List<WebhookConfig> out = new ArrayList<>();
        for (Object item : list) {
            Map<String, Object> w = section(item, "webhooks entry");
            for (String k : w.keySet()) {
                if (!WEBHOOK_KEYS.contains(k)) {
                    throw new IOException("webhooks: unknown key '" + k + "'");
                }
            }
            Set<String> events = new LinkedHashSet<>();
            if (w.containsKey("events")) {
                if (!(w.get("events") instanceof List<?> types)) {
                    throw new IOException("webhooks: events must be a list");
                }
                for (Object t : types) {
                    if (!(t instanceof String s)) {
                        throw new IOException("webhooks: events must be strings");
                    }
                    events.add(s);
                }
            }
            URI url;
            try {
                url = new URI(str(w, "url"));
            } catch (URISyntaxException e) {
                throw new IOException("webhooks: url is not a URI", e);
            }
            try {
                out.add(new WebhookConfig(str(w, "name"), url, base.resolve(str(w, "secretFile")), events));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Object o, String name) throws IOException {
        if (!(o instanceof Map<?, ?>)) {
            throw new IOException(name + ": must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static String str(Map<String, Object> m, String k) throws IOException {
        if (!(m.get(k) instanceof String s)) {
            throw new IOException(k + ": must be a string");
        }
        return s;
    }

    private static int num(Map<String, Object> m, String k) throws IOException {
        if (!(m.get(k) instanceof Integer i)) {
            throw new IOException(k + ": must be an integer");
        }
        return i;
    }
}

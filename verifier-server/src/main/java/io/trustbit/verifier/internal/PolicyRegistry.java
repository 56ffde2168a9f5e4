package io.trustbit.verifier.internal;

import io.trustbit.verifier.Policy;
import io.trustbit.verifier.PolicyException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of a directory ({@code *.yaml}, {@code *.yml}), reloaded when a file changes. A file that
 * stops parsing does not keep its old content: its id maps to the error, and every node under it is
 * contraindicated until the file is fixed (fail closed).
 */
public final class PolicyRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRegistry.class);

    /** A policy id's current state: a policy, or the reason it cannot be used. */
    public record Entry(String id, Path file, Policy policy, String error) {}

    private final Path dir;
    private volatile Map<String, Entry> entries = Map.of();
    private volatile String fingerprint = "";

    public PolicyRegistry(Path dir) {
        this.dir = dir;
        reload();
    }

    public Path dir() {
        return dir;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Optional<Entry> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    /** What a policy id resolves to for an appraisal: a usable policy, or the reason there is none. */
    public sealed interface Lookup {
        String policyId();

        /** The digest a verdict records (none without a policy). */
        Optional<String> digest();

        /** How long a verdict lives: the policy's lifetime; 60 s for the contraindicated verdict of no policy. */
        long verdictLifetimeSeconds();

        record Found(Policy policy) implements Lookup {
            @Override
            public String policyId() {
                return policy.id();
            }

            @Override
            public Optional<String> digest() {
                return Optional.of(policy.digest());
            }

            @Override
            public long verdictLifetimeSeconds() {
                return policy.verdictLifetimeSeconds();
            }
        }

        record Unavailable(String policyId, String reason) implements Lookup {
            @Override
            public Optional<String> digest() {
                return Optional.empty();
            }

            @Override
            public long verdictLifetimeSeconds() {
                return 60;
            }
        }
    }

    /** The policy {@code id} names now; a missing or unloadable file is {@link Lookup.Unavailable} (fail closed). */
    public Lookup resolve(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return new Lookup.Unavailable(id, "policy " + id + " does not exist");
        }
        if (e.policy() == null) {
            return new Lookup.Unavailable(id, "policy " + id + " does not load");
        }
        return new Lookup.Found(e.policy());
    }

    /** Re-reads the directory if any file changed (name, size or modification time). */
    public synchronized void reload() {
        String fp = fingerprint();
        if (fp.equals(fingerprint)) {
            return;
        }
        Map<String, Entry> next = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
                for (Path f : ds) {
                    Entry e = load(f);
                    Entry clash = next.get(e.id());
                    if (clash != null) {
                        String err = "policy id " + e.id() + " is defined by both " + clash.file().getFileName()
                                + " and " + f.getFileName();
                        next.put(e.id(), new Entry(e.id(), f, null, err));
                    } else {
                        next.put(e.id(), e);
                    }
                }
            } catch (IOException e) {
                LOG.error("policy directory {} unreadable: {}", dir, e.toString());
            }
        }
        next.values().forEach(e -> {
            if (e.error() != null) {
                LOG.warn("policy {} ({}) unusable: {}", e.id(), e.file(), e.error());
            }
        });
        LOG.info("policies loaded from {}: {}", dir, next.keySet());
        entries = Map.copyOf(next);
        fingerprint = fp;
    }

    private static Entry load(Path f) {
        String name = f.getFileName().toString();
        String defaultId = name.substring(0, name.lastIndexOf('.'));
        try {
            if (Files.size(f) > Policy.MAX_BYTES) {
                return new Entry(defaultId, f, null, "file exceeds " + Policy.MAX_BYTES + " bytes");
            }
            Policy p = Policy.parse(Files.readAllBytes(f), defaultId);
            return new Entry(p.id(), f, p, null);
        } catch (PolicyException e) {
            return new Entry(defaultId, f, null, e.getMessage());
        } catch (IOException e) {
            return new Entry(defaultId, f, null, "unreadable: " + e.getMessage());
        }
    }

    private String fingerprint() {
        StringBuilder sb = new StringBuilder();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
                TreeMap<String, String> parts = new TreeMap<>();
                for (Path f : ds) {
                    parts.put(f.getFileName().toString(), Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
                }
                parts.forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
            } catch (IOException e) {
                sb.append("unreadable:").append(e);
            }
        }
        return sb.toString();
    }
}

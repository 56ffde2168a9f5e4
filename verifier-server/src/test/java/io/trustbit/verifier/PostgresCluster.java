package io.trustbit.verifier;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL cluster (15 on Debian 12; the newest installed major version, or {@code TB_PG_BIN}) for tests: {@code initdb} into a temporary directory, {@code pg_ctl start} on a
 * free loopback port, always stopped (also by a shutdown hook). PostgreSQL refuses to run as root, so as root
 * the cluster runs as the {@code postgres} user (or {@code nobody}) through {@code runuser}.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final Path BIN = binaries();

    private final Path dir;
    private final int port;
    private final List<String> asUser;
    private final Thread hook;

    private PostgresCluster(Path dir, int port, List<String> asUser) {
        this.dir = dir;
        this.port = port;
        this.asUser = asUser;
        this.hook = new Thread(this::stopQuietly, "postgres-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** {@code TB_PG_BIN}, else the bin directory of the newest major version under /usr/lib/postgresql. */
    private static Path binaries() {
        String env = System.getenv("TB_PG_BIN");
        if (env != null) {
            return Path.of(env);
        }
        Path newest = Path.of("/usr/lib/postgresql/15/bin");
        int best = -1;
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            for (Path v : (Iterable<Path>) versions::iterator) {
                String name = v.getFileName().toString();
                if (name.matches("[0-9]{1,3}") && Integer.parseInt(name) > best
                        && Files.isExecutable(v.resolve("bin").resolve("initdb"))) {
                    best = Integer.parseInt(name);
                    newest = v.resolve("bin");
                }
            }
        } catch (IOException e) {
            // no PostgreSQL installed: start() reports the missing binaries
        }
        return newest;
    }

    /** Starts a new cluster; {@code durable} false turns fsync off (tests), true keeps the defaults (benchmarks). */
    public static PostgresCluster start(boolean durable) throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IOException("PostgreSQL binaries not found in " + BIN + " (install postgresql)");
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "trustbit-pg-");
        List<String> asUser = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = run(List.of("id", "-u", "postgres"), 10).exit == 0 ? "postgres" : "nobody";
            check(run(List.of("chown", "-R", user, dir.toString()), 10), "chown");
            asUser.addAll(List.of("runuser", "-u", user, "--"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PostgresCluster pg = new PostgresCluster(dir, port, asUser);
        try {
            List<String> initdb = new ArrayList<>(asUser);
            initdb.addAll(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"));
            check(run(initdb, 120), "initdb");
            String opts = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                    + " -c max_connections=100" + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            List<String> start = new ArrayList<>(asUser);
            start.addAll(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("log").toString(), "-o", opts, "-w", "-t", "60", "start"));
            check(run(start, 90), "pg_ctl start");
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private synchronized void stopQuietly() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                List<String> stop = new ArrayList<>(asUser);
                stop.addAll(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
                        "immediate", "-w", "stop"));
                run(stop, 60);
            }
            run(List.of("rm", "-rf", dir.toString()), 60);
        } catch (IOException | InterruptedException e) {
            System.err.println("stopping PostgreSQL in " + dir + ": " + e);
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void check(Result r, String what) throws IOException {
        if (r.exit != 0) {
            throw new IOException(what + " failed (exit " + r.exit + "): " + r.output);
        }
    }
}

package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients cannot starve the verifier: three times as many TLS clients as request threads dribble evidence
 * bodies one byte at a time, as many more never finish their headers, and health and challenge requests are
 * still answered at once; the body dribblers get 408 when the body deadline passes.
 */
class SlowClientsTest {
    static final int THREADS = 8;
    static final int SLOW_CLIENTS = 3 * THREADS;
    static final long BOUND_MILLIS = 2_000;

    @TempDir
    Path dir;

    @Test
    void healthAndChallengesAnswerWhileSlowClientsDribbleEvidenceBodies() throws Exception {
        try (TestVerifier v = TestVerifier.start(dir, b -> b.requestThreads(THREADS).requestTimeout(Duration.ofSeconds(6)))) {
            v.enroll("n1", new SoftTpm());
            URI u = v.server.url();
            List<SSLSocket> slow = new ArrayList<>();
            List<SSLSocket> heads = List.of();
            Thread dribbler = null;
            try {
                for (int i = 0; i < SLOW_CLIENTS; i++) {
                    SSLSocket s = (SSLSocket) TestVerifier.pinnedContext(v.server.certificate()).getSocketFactory()
                            .createSocket(u.getHost(), u.getPort());
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(("POST /v1/nodes/n1/evidence HTTP/1.1\r\nHost: verifier\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                // and clients that never finish their headers (a thread only parses what has arrived)
                List<SSLSocket> slowHeads = new ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    SSLSocket s = (SSLSocket) TestVerifier.pinnedContext(v.server.certificate()).getSocketFactory()
                            .createSocket(u.getHost(), u.getPort());
                    s.getOutputStream().write("GET /v1/health HTTP/1.1\r\nHost: verifier\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slowHeads.add(s);
                }
                heads = slowHeads;
                dribbler = new Thread(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            for (SSLSocket s : slow) {
                                OutputStream o = s.getOutputStream();
                                o.write(' ');
                                o.flush();
                            }
                            for (SSLSocket s : slowHeads) {
                                s.getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                                s.getOutputStream().flush();
                            }
                            Thread.sleep(250);
                        }
                    } catch (Exception e) {
                        // a socket the server closed (408) or the end of the test
                    }
                }, "dribbler");
                dribbler.start();
                Thread.sleep(1_000); // every slow request has reached the handler

                for (int round = 0; round < 3; round++) {
                    long t0 = System.nanoTime();
                    assertEquals(200, v.call("GET", "/v1/health", null, null).status());
                    long health = (System.nanoTime() - t0) / 1_000_000;
                    t0 = System.nanoTime();
                    v.challenge("n1");
                    long challenge = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(health < BOUND_MILLIS && challenge < BOUND_MILLIS, "round " + round + ": health took "
                            + health + " ms, challenge " + challenge + " ms with " + SLOW_CLIENTS + " slow clients");
                    Thread.sleep(300);
                }
                // the body deadline still holds for the slow clients
                for (SSLSocket s : slow) {
                    String status = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII)).readLine();
                    assertTrue(status != null && status.startsWith("HTTP/1.1 408"), "slow client got " + status);
                }

            } finally {
                if (dribbler != null) {
                    dribbler.interrupt();
                    dribbler.join(5_000);
                }
                for (SSLSocket s : slow) {
                    s.close();
                }
                for (SSLSocket s : heads) {
                    s.close();
                }
            }
        }
    }
}

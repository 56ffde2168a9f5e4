package io.trustbit.measure.ima;

import io.trustbit.measure.HashAlg;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes IMA measurement lists in the binary layout {@link UntrustedImaLog} reads (little-endian), for
 * reference logs, tests and benchmarks. Not thread-safe.
 */
public final class ImaLogWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final java.security.MessageDigest sha1 = HashAlg.SHA1.newDigest();
    private int entries;

    /** An ima-ng entry. */
    public ImaLogWriter imaNg(String path, ImaHashAlgo algo, byte[] fileDigest) {
        return entry(ImaTemplate.IMA_NG, path, algo, fileDigest, null, false);
    }

    /** An ima-sig entry; {@code securityIma} is the logged signature (empty for none). */
    public ImaLogWriter imaSig(String path, ImaHashAlgo algo, byte[] fileDigest, byte[] securityIma) {
        return entry(ImaTemplate.IMA_SIG, path, algo, fileDigest, securityIma, false);
    }

    /** A violation as the kernel records it: zero file digest, zero template hash. */
    public ImaLogWriter violation(ImaTemplate template, String path, ImaHashAlgo algo) {
        return entry(template, path, algo, new byte[algo.size()], template == ImaTemplate.IMA_SIG ? new byte[0] : null, true);
    }

    /** The template data of an entry: its fields, each a u32 length and its bytes. */
    public static byte[] templateData(String path, ImaHashAlgo algo, byte[] fileDigest, byte[] signature) {
        byte[] name = (algo.imaName() + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        int size = 4 + name.length + 1 + fileDigest.length + 4 + p.length + 1 + (signature == null ? 0 : 4 + signature.length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(name.length + 1 + fileDigest.length).put(name).put((byte) 0).put(fileDigest);
        b.putInt(p.length + 1).put(p).put((byte) 0);
        if (signature != null) {
            b.putInt(signature.length).put(signature);
        }
        return b.array();
    }

    private ImaLogWriter entry(ImaTemplate t, String path, ImaHashAlgo algo, byte[] fileDigest, byte[] sig, boolean violation) {
        byte[] data = templateData(path, algo, fileDigest, t == ImaTemplate.IMA_SIG ? (sig == null ? new byte[0] : sig) : null);
        byte[] name = t.templateName().getBytes(StandardCharsets.US_ASCII);
        byte[] digest = violation ? new byte[20] : sha1.digest(data);
        ByteBuffer b = ByteBuffer.allocate(4 + 20 + 4 + name.length + 4 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(UntrustedImaLog.IMA_PCR).put(digest).putInt(name.length).put(name).putInt(data.length).put(data);
        out.writeBytes(b.array());
        entries++;
        return this;
    }

    public int entries() {
        return entries;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}

import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.EventLogWriter;
import io.trustbit.measure.EventType;
import io.trustbit.measure.ExpectedMeasurements;
import io.trustbit.measure.GuestRecord;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ImageManifest;
import io.trustbit.measure.LaunchType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The DRTM event log an SKINIT launch of SLB, VMM, launch configuration and one guest writes (docs/launch-protocol.md
 * "Measurements"), with the measurement library of the packaged jar, plus the data of the events extended as data
 * (launch type, DMA protection, guest record) for the locality-2 extends:
 * {@code java -cp trustbit.jar DrtmLog.java OUT SLB VMM LAUNCH_CONFIG NAME MANIFEST} writes OUT/drtm.bin,
 * OUT/launch-type.bin, OUT/dma.bin and OUT/guest.bin.
 */
public final class DrtmLog {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: DrtmLog OUT SLB VMM LAUNCH_CONFIG NAME MANIFEST");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        byte[] slb = ExpectedMeasurements.slbMeasuredBytes(Files.readAllBytes(Path.of(args[1])));
        byte[] vmm = Files.readAllBytes(Path.of(args[2]));
        byte[] config = Files.readAllBytes(Path.of(args[3]));
        byte[] launchType = LaunchType.SKINIT.eventData();
        byte[] dma = DmaProtection.IOMMU.eventData();
        byte[] guest = GuestRecord.launched(args[4], ImageManifest.parse(Files.readAllBytes(Path.of(args[5])))).encode();
        byte[] log = new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256))
                .event(17, EventType.TB_SKINIT_SLB, digests(slb), "skinit:slb".getBytes(StandardCharsets.US_ASCII))
                .event(17, EventType.TB_VMM, digests(vmm), "vmm".getBytes(StandardCharsets.US_ASCII))
                .extendData(18, EventType.TB_LAUNCH_TYPE, launchType)
                .event(18, EventType.TB_LAUNCH_CONFIG, digests(config), "launch-config".getBytes(StandardCharsets.US_ASCII))
                .extendData(18, EventType.TB_DMA_PROTECTION, dma)
                .extendData(19, EventType.TB_GUEST, guest)
                .toByteArray();
        Files.write(out.resolve("launch-type.bin"), launchType);
        Files.write(out.resolve("dma.bin"), dma);
        Files.write(out.resolve("guest.bin"), guest);
        Files.write(out.resolve("drtm.bin"), log);
    }

    private static Map<HashAlg, byte[]> digests(byte[] data) {
        return Map.of(HashAlg.SHA1, HashAlg.SHA1.digest(data), HashAlg.SHA256, HashAlg.SHA256.digest(data));
    }
}

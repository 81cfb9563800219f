package dev.kiln.nn.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.testing.MpiRun;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DistributedDataParallel and SyncBatchNorm as real mpirun jobs on loopback (DdpMain on every rank). */
class DistributedDataParallelTest {
    private static MpiRun.Result run(int ranks, List<String> jvmOptions, String... args) throws Exception {
        assumeTrue(MpiRun.unavailable() == null, MpiRun.unavailable());
        return MpiRun.run(ranks, 240, jvmOptions, DdpMain.class, args);
    }

    /**
     * 2 ranks x batch 32 end where 1 process x batch 64 ends after 20 SGD steps (SyncBatchNorm inside,
     * so even the normalisation sees the global batch); the first bucket's all-reduce starts before the
     * last gradient is ready; noSync keeps gradients local until the next synchronised backward.
     */
    @ParameterizedTest(name = "{0} ranks, {1}, {2}")
    @CsvSource({"2, cpu, FLOAT64, 1e-10", "2, cpu, FLOAT32, 1e-5", "2, cuda-emu, FLOAT32, 1e-5", "1, cpu, FLOAT64, 1e-10"})
    void dataParallelTrainingMatchesOneProcessOnTheGlobalBatch(int ranks, String device, String dtype, double tolerance)
            throws Exception {
        MpiRun.Result r = run(ranks, List.of(), "train", device, dtype);
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < ranks; rank++) {
            Matcher m = Pattern.compile("rank " + rank + " max relative difference (\\S+)").matcher(r.output());
            assertTrue(m.find(), r.output());
            assertTrue(Double.parseDouble(m.group(1)) <= tolerance, "rank " + rank + ": " + m.group(1) + "\n" + r.output());
            Matcher b = Pattern.compile("rank " + rank + " buckets (\\d+)").matcher(r.output());
            assertTrue(b.find() && Integer.parseInt(b.group(1)) >= 2, r.output());
            assertTrue(r.output().contains("rank " + rank + " overlap true"), r.output());
            Matcher n = Pattern.compile("rank " + rank + " nosync local true same true gap (\\S+)").matcher(r.output());
            assertTrue(n.find(), r.output());
            assertTrue(Double.parseDouble(n.group(1)) <= 100 * tolerance, r.output());
        }
    }

    /** SyncBatchNorm on 2 (and 3) ranks' slices equals BatchNorm2d on the global batch: forward, backward, running stats. */
    @ParameterizedTest(name = "{0} ranks on {1}")
    @CsvSource({"2, cpu", "3, cpu", "2, cuda-emu"})
    void syncBatchNormEqualsBatchNormOnTheGlobalBatch(int ranks, String device) throws Exception {
        MpiRun.Result r = run(ranks, List.of(), "syncbn", device);
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < ranks; rank++) {
            Matcher m = Pattern.compile("rank " + rank + " syncbn gaps (.*)").matcher(r.output());
            assertTrue(m.find(), r.output());
            String[] names = {"output", "input gradient", "weight and bias gradients", "running mean", "running var"};
            String[] gaps = m.group(1).trim().split(" +");
            for (int i = 0; i < names.length; i++) {
                assertTrue(Double.parseDouble(gaps[i]) <= 1e-12, "rank " + rank + " " + names[i] + ": " + gaps[i]);
            }
        }
    }

    @Test
    void ranksWrappingDifferentModels_failAtWrapTime_namingTheParameterAndRanks() throws Exception {
        MpiRun.Result r = run(2, List.of(), "mismatch");
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < 2; rank++) {
            assertTrue(r.output().contains("rank " + rank + " error: DistributedDataParallel: parameter 0 (0.weight here on rank "
                    + rank + ") is float32 [5, 8] on rank 0 but float32 [6, 8] on rank 1"), r.output());
        }
    }

    @Test
    void unusedParameters_areAnErrorNamingThem_orWithFindUnusedKeepNoGradient() throws Exception {
        MpiRun.Result r = run(2, List.of(), "unused");
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < 2; rank++) {
            assertTrue(r.output().contains("rank " + rank + " error: DistributedDataParallel: on rank " + rank
                    + " these parameters got no gradient in this backward pass: [1.weight, 1.bias, 3.weight, 3.bias]"), r.output());
            assertTrue(r.output().contains("rank " + rank + " lenient head grad null true first grad same true"), r.output());
        }
    }

    @Test
    void aRankThatHangs_makesTheOthersFailWithinTheTimeout_namingIt() throws Exception {
        long start = System.nanoTime();
        MpiRun.Result r = run(3, List.of("-Dkiln.distributed.timeout=3"), "hang");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("rank 0 error: all_reduce #"), r.output());
        assertTrue(r.output().contains("did not complete within 3.0 s on rank 0 of 3: rank 1 did not answer within 1.0 s"),
                r.output());
        assertTrue(System.nanoTime() - start < 50e9, "the job should end long before the hanging rank wakes");
    }
}

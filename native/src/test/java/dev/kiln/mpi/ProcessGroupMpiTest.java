package dev.kiln.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.testing.MpiRun;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The MPI process group's collectives, run as real MPI jobs on loopback (CollectivesMain on every rank). */
class ProcessGroupMpiTest {
    @ParameterizedTest(name = "{0} ranks on {1}")
    @CsvSource({"2, cpu", "2, cuda-emu", "1, cpu", "3, cpu"})
    void everyCollectiveOnEveryDtype(int ranks, String device) throws Exception {
        assumeTrue(MpiRun.unavailable() == null, MpiRun.unavailable());
        MpiRun.Result r = MpiRun.run(ranks, 120, List.of(), CollectivesMain.class, device);
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < ranks; rank++) {
            assertTrue(r.output().contains("rank " + rank + " of " + ranks + " ok on " + device), r.output());
        }
    }
}

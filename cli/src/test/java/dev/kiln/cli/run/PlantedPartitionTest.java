package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import dev.kiln.nn.GCNConv;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The planted-partition graph: sizes, split, symmetry, edge density, determinism, and the twin's very draws. */
class PlantedPartitionTest {
    private static final PlantedPartition.Config DEFAULT = new PlantedPartition.Config(4, 400, 0.02, 0.004, 1.0, 20, 500);

    /** SplitMix64's first output for seed 0, as the reference implementation (Vigna's splitmix64.c) gives it. */
    @Test
    void splitMixDrawsTheReferenceSequence() {
        assertEquals(0xE220A8397B1DCDAFL, new SplitMix64(0).nextLong());
    }

    /**
     * Seed 42's graph is the twin's, to the bit: the values below are printed by
     * /usr/bin/python3 -c "import sys; sys.path.insert(0, 'scripts/workloads'); import gcn;
     * x, y, e, tr, va, te = gcn.planted_partition(42, 4, 400, 0.02, 0.004, 1.0, 20, 500);
     * print(len(e), x[0, :3].tolist(), x[1599, 31].item(), tr[:5].tolist(), int(tr.sum()), int(va.sum()), e[:3].tolist())"
     */
    @Test
    void theTwinDrawsTheSameGraph() {
        PlantedPartition p = PlantedPartition.generate(42, DEFAULT);
        assertEquals(10014, p.edges().length);
        float[] x = p.features().toFloatArray();
        assertArrayEquals(new float[] {2.0044336318969727f, -0.6170955300331116f, 1.238500714302063f}, Arrays.copyOf(x, 3));
        assertEquals(-0.23660896718502045f, x[1599 * 32 + 31]);
        long[] train = p.train().toLongArray();
        assertArrayEquals(new long[] {8, 37, 44, 45, 77}, Arrays.copyOf(train, 5));
        assertEquals(64978, LongStream.of(train).sum());
        assertEquals(395749, LongStream.of(p.validation().toLongArray()).sum());
        assertArrayEquals(new long[] {0, 47}, p.edges()[0]);
        assertArrayEquals(new long[] {0, 289}, p.edges()[2]);
    }

    @Test
    void theSplitLabelsEachCommunityEquallyAndCoversEveryNodeOnce() {
        PlantedPartition p = PlantedPartition.generate(7, DEFAULT);
        long[] labels = p.labels().toLongArray();
        long[] train = p.train().toLongArray();
        assertEquals(80, train.length);
        assertEquals(500, p.validation().size(0));
        assertEquals(1020, p.test().size(0));
        int[] perClass = new int[4];
        for (long node : train) {
            perClass[(int) labels[(int) node]]++;
        }
        assertArrayEquals(new int[] {20, 20, 20, 20}, perClass);
        Set<Long> all = new HashSet<>();
        for (Tensor part : new Tensor[] {p.train(), p.validation(), p.test()}) {
            LongStream.of(part.toLongArray()).forEach(all::add);
        }
        assertEquals(1600, all.size());
        assertEquals(400, LongStream.of(labels).filter(c -> c == 3).count());
        assertEquals(32, p.features().size(1));
    }

    /**
     * Edges inside and across communities are binomial: 4 C(400, 2) = 319,200 pairs at 0.02 (mean 6,384, sd 79) and
     * 960,000 pairs at 0.004 (mean 3,840, sd 62); each count lies within 5 sd. No self loops, no pair twice.
     */
    @Test
    void edgeDensityFollowsTheBlockProbabilities() {
        PlantedPartition p = PlantedPartition.generate(3, DEFAULT);
        long[] labels = p.labels().toLongArray();
        int inside = 0;
        Set<Long> pairs = new HashSet<>();
        for (long[] e : p.edges()) {
            assertTrue(e[0] < e[1], Arrays.toString(e));
            assertTrue(pairs.add(e[0] * 1600 + e[1]));
            inside += labels[(int) e[0]] == labels[(int) e[1]] ? 1 : 0;
        }
        int across = p.edges().length - inside;
        assertEquals(319_200 * 0.02, inside, 5 * Math.sqrt(319_200 * 0.02 * 0.98));
        assertEquals(960_000 * 0.004, across, 5 * Math.sqrt(960_000 * 0.004 * 0.996));
    }

    /**
     * A_hat = GCNConv.normalize(A) is symmetric with A + I's pattern, and sqrt(d) is its eigenvector of eigenvalue 1:
     * A_hat sqrt(d) = sqrt(d).
     */
    @Test
    void normalizedAdjacencyIsSymmetricWithEigenvectorSqrtDegree() {
        PlantedPartition p = PlantedPartition.generate(5, new PlantedPartition.Config(3, 20, 0.3, 0.05, 1.0, 2, 10));
        SparseMatrix a = GCNConv.normalize(p.adjacency());
        assertEquals(2 * p.edges().length + 60, a.nnz());
        Tensor dense = a.toDense();                                        // (60, 60)
        assertArrayEquals(dense.toFloatArray(), dense.t().contiguous().toFloatArray());
        double[] sqrtDegree = LongStream.of(p.degrees()).mapToDouble(Math::sqrt).toArray();
        Tensor v = Tensor.fromArray(sqrtDegree, 60, 1).to(DType.FLOAT32);
        assertArrayEquals(v.toFloatArray(), a.mm(v).toFloatArray(), 1e-5f);
        float[] entries = dense.toFloatArray();
        long[] degrees = p.degrees();
        for (int i = 0; i < 60; i++) {
            assertEquals(1.0 / degrees[i], entries[i * 61], 1e-7, "self loop " + i);   // 1 / sqrt(d_i d_i)
        }
    }

    @Test
    void theSameSeedDrawsTheSameGraphAndAnotherSeedAnother() {
        PlantedPartition.Config small = new PlantedPartition.Config(3, 30, 0.2, 0.02, 1.0, 4, 20);
        PlantedPartition a = PlantedPartition.generate(11, small);
        PlantedPartition b = PlantedPartition.generate(11, small);
        PlantedPartition c = PlantedPartition.generate(12, small);
        assertArrayEquals(a.features().toFloatArray(), b.features().toFloatArray());
        assertArrayEquals(a.edges(), b.edges());
        assertArrayEquals(a.test().toLongArray(), b.test().toLongArray());
        assertFalse(Arrays.equals(a.features().toFloatArray(), c.features().toFloatArray()));
        assertFalse(Arrays.deepEquals(a.edges(), c.edges()));
    }
}

package dev.kiln.cli.run;

import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A planted-partition graph (a stochastic block model) with node features and a semi-supervised split, drawn from one
 * {@link SplitMix64} stream in the same order as scripts/workloads/gcn.py draws it, so Kiln and the twin train on the
 * very same graph. Node i belongs to community i / communitySize. Draws, in order: each community's mean feature vector
 * (N(0, 1/F) per coordinate, so about unit length), each node's features (its community's mean plus N(0, noise^2)
 * noise), one draw per node pair i < j row by row (an edge when it is below pIn inside a community, pOut across:
 * undirected, no self loops), and a Fisher-Yates shuffle of the nodes that picks the split as Kipf and Welling's:
 * the first labelsPerClass nodes of each community in shuffled order are labelled for training, the next
 * validationNodes validate, the rest test.
 */
final class PlantedPartition {
    static final int FEATURES = 32;

    /** The graph's sizes and probabilities (checked by the command). */
    record Config(int communities, int communitySize, double pIn, double pOut, double noise, int labelsPerClass,
                  int validationNodes) {
        int nodes() {
            return communities * communitySize;
        }
    }

    private final int nodes;
    private final float[] features;  // (nodes, FEATURES) row-major
    private final long[] labels;     // (nodes): the community
    private final long[][] edges;    // {i, j} with i < j, in draw order
    private final long[] train;
    private final long[] validation;
    private final long[] test;

    private PlantedPartition(int nodes, float[] features, long[] labels, long[][] edges, long[][] split) {
        this.nodes = nodes;
        this.features = features;
        this.labels = labels;
        this.edges = edges;
        this.train = split[0];
        this.validation = split[1];
        this.test = split[2];
    }

    static PlantedPartition generate(long seed, Config c) {
        SplitMix64 r = new SplitMix64(seed);
        int n = c.nodes();
        long[] labels = new long[n];
        Arrays.setAll(labels, i -> i / c.communitySize());
        double[] means = new double[c.communities() * FEATURES];
        for (int i = 0; i < means.length; i++) {
            means[i] = r.nextGaussian() / Math.sqrt(FEATURES);
        }
        float[] x = new float[n * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (means[(int) labels[i / FEATURES] * FEATURES + i % FEATURES] + c.noise() * r.nextGaussian());
        }
        List<long[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (r.nextDouble() < (labels[i] == labels[j] ? c.pIn() : c.pOut())) {
                    edges.add(new long[] {i, j});
                }
            }
        }
        return new PlantedPartition(n, x, labels, edges.toArray(new long[0][]), split(shuffled(n, r), labels, c));
    }

    /** 0 .. n-1 in a Fisher-Yates order: from the last position down, each swapped with one drawn at or below it. */
    private static int[] shuffled(int n, SplitMix64 r) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int last = n - 1; last > 0; last--) {
            int k = (int) (r.nextDouble() * (last + 1));
            int t = order[last];
            order[last] = order[k];
            order[k] = t;
        }
        return order;
    }

    /** {train, validation, test}, each sorted: labelsPerClass of each community first in order, then validationNodes. */
    private static long[][] split(int[] order, long[] labels, Config c) {
        int[] labelled = new int[c.communities()];
        long[] train = new long[c.communities() * c.labelsPerClass()];
        long[] rest = new long[order.length - train.length];
        int t = 0;
        int u = 0;
        for (int node : order) {
            if (labelled[(int) labels[node]] < c.labelsPerClass()) {
                labelled[(int) labels[node]]++;
                train[t++] = node;
            } else {
                rest[u++] = node;
            }
        }
        long[] validation = Arrays.copyOf(rest, c.validationNodes());
        long[] test = Arrays.copyOfRange(rest, c.validationNodes(), rest.length);
        Arrays.sort(train);
        Arrays.sort(validation);
        Arrays.sort(test);
        return new long[][] {train, validation, test};
    }

    int nodes() {
        return nodes;
    }

    /** The undirected edges as {i, j}, i < j. */
    long[][] edges() {
        return edges;
    }

    /** (nodes, FEATURES) float32 on the cpu. */
    Tensor features() {
        return Tensor.fromArray(features, nodes, FEATURES);
    }

    /** (nodes) int64: each node's community. */
    Tensor labels() {
        return Tensor.fromArray(labels, nodes);
    }

    /** (labelled nodes) int64, ascending. */
    Tensor train() {
        return Tensor.fromArray(train, train.length);
    }

    Tensor validation() {
        return Tensor.fromArray(validation, validation.length);
    }

    Tensor test() {
        return Tensor.fromArray(test, test.length);
    }

    /** Each node's degree in A + I: its neighbours and itself. */
    long[] degrees() {
        long[] d = new long[nodes];
        Arrays.fill(d, 1);
        for (long[] e : edges) {
            d[(int) e[0]]++;
            d[(int) e[1]]++;
        }
        return d;
    }

    /** The adjacency A (nodes, nodes) on the cpu: both directions of each edge, weight 1 (GCNConv.normalize adds I). */
    SparseMatrix adjacency() {
        int nnz = 2 * edges.length;
        long[] index = new long[2 * nnz];   // (2, nnz): rows, then columns
        int e = 0;
        for (long[] edge : edges) {
            for (int side = 0; side < 2; side++) {
                index[e] = edge[side];
                index[nnz + e++] = edge[1 - side];
            }
        }
        float[] ones = new float[nnz];
        Arrays.fill(ones, 1f);
        return SparseMatrix.coo(Tensor.fromArray(index, 2, nnz), Tensor.fromArray(ones, nnz), nodes, nodes);
    }
}

package dev.kiln.cli.data;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/** Cuts a dataset into (x, y) mini-batches in a given order, copied into tensors on the target device. */
public final class Batches {
    public record Batch(Tensor x, Tensor y, int size) {
    }

    private final LabeledImages data;
    private final int[] order;
    private final int batchSize;
    private final Device device;

    private Batches(LabeledImages data, int[] order, int batchSize, Device device) {
        this.data = data;
        this.order = order;
        this.batchSize = batchSize;
        this.device = device;
    }

    public static Batches sequential(LabeledImages data, int batchSize, Device device) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return new Batches(data, order, batchSize, device);
    }

    /** In the order of Tensor.randperm, so a seed fixes every epoch's order on every device. */
    public static Batches shuffled(LabeledImages data, int batchSize, Device device, Generator g) {
        long[] perm = Tensor.randperm(data.size(), g).toLongArray();
        int[] order = new int[perm.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) perm[i];
        }
        return new Batches(data, order, batchSize, device);
    }

    /** In the given order (a rank's share of an epoch: DistributedSampler). */
    public static Batches inOrder(LabeledImages data, int[] order, int batchSize, Device device) {
        return new Batches(data, order.clone(), batchSize, device);
    }

    /** The number of batches, the last one short when the size does not divide (a batch larger than the data: one). */
    public int count() {
        return order.length / batchSize + (order.length % batchSize == 0 ? 0 : 1); // n + batchSize - 1 would overflow
    }

    public Batch get(int index) {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("Batches.get: batch " + index + " of " + count());
        }
        int from = Math.toIntExact((long) index * batchSize);
        int n = Math.min(batchSize, order.length - from);
        int px = data.pixels();
        float[] x = new float[n * px];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int k = order[from + i];
            System.arraycopy(data.images(), k * px, x, i * px, px);
            y[i] = data.labels()[k];
        }
        Tensor xt = Tensor.fromArray(x, n, 1, data.height(), data.width());
        Tensor yt = Tensor.fromArray(y, n);
        return new Batch(xt.to(device, true), yt.to(device, true), n);   // on a GPU, staged and queued behind the last step
    }
}

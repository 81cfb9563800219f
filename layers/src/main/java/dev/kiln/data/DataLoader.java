package dev.kiln.data;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batches of a {@link Dataset}, as torch.utils.data.DataLoader: each {@link #iterator()} is one
 * epoch, in dataset order, (shuffle) in a permutation drawn from the generator when the epoch starts, or
 * in the order a {@link Sampler} gives (a {@link DistributedSampler}: this rank's share).
 * With workers, batches are gathered ahead on background threads (at most prefetchFactor per worker
 * in flight) and handed out in order; the copy to the target device happens on the calling thread (with
 * pinMemory, without waiting for the device's queued work).
 */
public final class DataLoader implements Iterable<Tensor[]> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final Sampler sampler; // or null: the dataset in order, or shuffled
    private final boolean dropLast;
    private final Generator generator;
    private final int numWorkers;
    private final int prefetchFactor;
    private final Device device;
    private final boolean pinMemory;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.sampler = b.sampler;
        this.dropLast = b.dropLast;
        this.generator = b.generator == null ? Generator.defaultGenerator() : b.generator;
        this.numWorkers = b.numWorkers;
        this.prefetchFactor = b.prefetchFactor;
        this.device = b.device;
        this.pinMemory = b.pinMemory;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Batches per epoch, as len(loader): the last short one counts unless dropLast. */
    public int size() {
        int n = sampler != null ? sampler.size() : dataset.size();
        return dropLast ? n / batchSize : n / batchSize + (n % batchSize == 0 ? 0 : 1);
    }

    @Override
    public Iterator<Tensor[]> iterator() {
        int[] order = sampler != null ? sampler.epochIndices()
                : shuffle ? Sampling.permutation(dataset.size(), generator) : Sampling.identity(dataset.size());
        return numWorkers == 0 ? new Epoch(order) : new PrefetchingEpoch(order);
    }

    /** One epoch gathered on the calling thread. */
    private class Epoch implements Iterator<Tensor[]> {
        final int[] order;
        final int batches = size();
        int next;

        Epoch(int[] order) {
            this.order = order;
        }

        int[] indices(int batch) {
            int from = batch * batchSize;
            return Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
        }

        Tensor[] gather(int batch) {
            return dataset.getBatch(indices(batch));
        }

        Tensor[] take(int batch) {
            return gather(batch);
        }

        @Override
        public boolean hasNext() {
            return next < batches;
        }

        @Override
        public Tensor[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: the epoch's " + batches + " batches are used up");
            }
            Tensor[] batch = take(next++);
            if (device != null) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = batch[i].to(device, pinMemory);
                }
            }
            return batch;
        }
    }

    /** One epoch gathered ahead on numWorkers daemon threads; idle workers time out, so an abandoned epoch leaks none. */
    private final class PrefetchingEpoch extends Epoch {
        private final ThreadPoolExecutor workers;
        private final ArrayDeque<Future<Tensor[]>> inFlight = new ArrayDeque<>();
        private int submitted;

        PrefetchingEpoch(int[] order) {
            super(order);
            AtomicInteger count = new AtomicInteger();
            workers = new ThreadPoolExecutor(numWorkers, numWorkers, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "kiln-dataloader-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            workers.allowCoreThreadTimeOut(true);
            fill();
        }

        private void fill() {
            while (submitted < batches && inFlight.size() < numWorkers * prefetchFactor) {
                int batch = submitted++;
                inFlight.add(workers.submit(() -> gather(batch)));
            }
            if (submitted == batches) {
                workers.shutdown(); // queued batches still run; no new threads after them
            }
        }

        @Override
        Tensor[] take(int batch) {
            Future<Tensor[]> f = inFlight.poll();
            try {
                return f.get();
            } catch (ExecutionException e) {
                workers.shutdownNow();
                throw new IllegalStateException("DataLoader: a worker failed gathering batch " + batch + ": " + e.getCause(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workers.shutdownNow();
                throw new IllegalStateException("DataLoader: interrupted waiting for batch " + batch, e);
            } finally {
                fill();
            }
        }
    }

    /** Settings, with PyTorch's defaults: batch 1, no shuffle, keep the last short batch, no workers. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private Sampler sampler;
        private boolean dropLast;
        private Generator generator;
        private int numWorkers;
        private int prefetchFactor = 2;
        private Device device;
        private boolean pinMemory;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batch_size should be a positive integer, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Where each epoch's indices come from; excludes shuffle, as PyTorch. */
        public Builder sampler(Sampler sampler) {
            this.sampler = sampler;
            return this;
        }

        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The generator shuffling draws from (default: {@link Generator#defaultGenerator()}). */
        public Builder generator(Generator generator) {
            this.generator = generator;
            return this;
        }

        /** Background threads gathering batches ahead (0: gather on the calling thread). */
        public Builder numWorkers(int numWorkers) {
            if (numWorkers < 0) {
                throw new IllegalArgumentException("DataLoader: num_workers must be non-negative, got " + numWorkers);
            }
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches in flight per worker. */
        public Builder prefetchFactor(int prefetchFactor) {
            if (prefetchFactor < 1) {
                throw new IllegalArgumentException("DataLoader: prefetch_factor must be positive, got " + prefetchFactor);
            }
            this.prefetchFactor = prefetchFactor;
            return this;
        }

        /** Where batches are delivered (default: where the dataset's tensors are). */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Copies batches to the {@link #device} through pinned host memory without waiting for the device's
         * queued work (PyTorch's pin_memory=True followed by .to(device, non_blocking=True)), so the next batch
         * travels while the last step still runs on a GPU.
         */
        public Builder pinMemory(boolean pinMemory) {
            this.pinMemory = pinMemory;
            return this;
        }

        public DataLoader build() {
            if (sampler != null && shuffle) {
                throw new IllegalArgumentException("DataLoader: sampler option is mutually exclusive with shuffle");
            }
            if (pinMemory && device == null) {
                throw new IllegalArgumentException("DataLoader: pinMemory stages the copy to a device; set device(...) too"
                        + " (CPU tensors are Java arrays, which cannot be pinned)");
            }
            return new DataLoader(this);
        }
    }
}

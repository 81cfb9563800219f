package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Module;
import dev.kiln.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Data-parallel training, as {@code torch.nn.parallel.DistributedDataParallel}: one process per
 * replica, each with its own batch; after backward every rank holds the gradients averaged over all
 * ranks, so identical optimizer steps keep the replicas identical.
 * <ul>
 * <li>At wrap time the ranks check that they hold the same model (parameter count, dtypes, shapes)
 * and copy rank 0's parameters and buffers. Wrap after {@code module.to(device)}.</li>
 * <li>Gradients go in buckets (about {@code bucketCapMb}, the first {@code firstBucketCapMb}) in
 * reverse parameter order, the order backward produces them; each bucket's all-reduce starts as soon
 * as its last gradient is accumulated, while backward goes on, and is awaited at its end.</li>
 * <li>{@link #noSync()} around forward and backward accumulates gradients locally (gradient
 * accumulation); the next synchronised backward averages the sums.</li>
 * <li>A parameter that gets no gradient is an error naming it, unless {@code findUnusedParameters}:
 * then it contributes zeros, and keeps no gradient if it was unused on every rank.</li>
 * <li>In training, rank 0's buffers (running statistics) are copied to every rank at each forward
 * ({@code broadcastBuffers}).</li>
 * </ul>
 * Its state dict is the wrapped module's under the prefix {@code "module."}, as PyTorch's.
 */
public final class DistributedDataParallel extends Layer {
    /** What happened to the gradients during a backward pass: for checking and profiling the overlap. */
    public enum EventKind { GRADIENT_READY, BUCKET_LAUNCHED, BUCKET_REDUCED }

    /** One event: a parameter's gradient became final, or bucket N was launched or reduced. */
    public record Event(EventKind kind, String what, long nanoTime) {
    }

    /** Settings, with PyTorch's defaults. */
    public record Options(double bucketCapMb, double firstBucketCapMb, boolean findUnusedParameters,
                          boolean broadcastBuffers) {
        public static Options defaults() {
            return new Options(25, 1, false, true);
        }

        public Options withBucketCapMb(double mb) {
            return new Options(mb, Math.min(firstBucketCapMb, mb), findUnusedParameters, broadcastBuffers);
        }

        public Options withFindUnusedParameters(boolean find) {
            return new Options(bucketCapMb, firstBucketCapMb, find, broadcastBuffers);
        }

        public Options withBroadcastBuffers(boolean broadcast) {
            return new Options(bucketCapMb, firstBucketCapMb, findUnusedParameters, broadcast);
        }
    }

    private final Module module;
    private final ProcessGroup group;
    private final Options options;
    private final List<String> names = new ArrayList<>(); // parameters that require grad, registration order
    private final List<Tensor> params = new ArrayList<>();
    private final List<GradBucket> buckets = new ArrayList<>(); // in launch order
    private final int[] bucketOf; // parameter index -> bucket index
    private final List<Event> events = new ArrayList<>();
    private int noSyncDepth;
    private boolean syncThisBackward = true; // decided at forward, as PyTorch
    private Pass pass; // the backward pass being reduced

    /** The state of one synchronised backward pass. */
    private final class Pass {
        final boolean[] ready = new boolean[params.size()];
        final int[] pending = new int[buckets.size()]; // gradients each bucket still waits for
        int nextLaunch; // buckets launch strictly in index order, the same on every rank

        Pass() {
            for (GradBucket b : buckets) {
                pending[b.index] = b.members.size();
            }
        }
    }

    /** Wraps module over the default process group with the default options. */
    public DistributedDataParallel(Module module) {
        this(module, Distributed.group(), Options.defaults());
    }

    public DistributedDataParallel(Module module, ProcessGroup group, Options options) {
        if (options.bucketCapMb() <= 0 || options.firstBucketCapMb() <= 0) {
            throw new IllegalArgumentException("DistributedDataParallel: bucket caps must be positive, got " + options);
        }
        this.module = registerModule("module", module);
        this.group = group;
        this.options = options;
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
            Tensor p = e.getValue().data();
            if (p.requiresGrad() && seen.put(p, true) == null) {
                names.add(e.getKey());
                params.add(p);
            }
        }
        ModelSignature.verify(group, names, params);
        List<Tensor> state = new ArrayList<>(); // every parameter, frozen ones too, and every buffer, as PyTorch
        module.parameters().forEach(p -> state.add(p.data()));
        state.addAll(buffers());
        broadcastFromRankZero(state);
        bucketOf = new int[params.size()];
        assignBuckets();
        for (int i = 0; i < params.size(); i++) {
            int index = i;
            params.get(i).registerPostAccumulateGradHook(t -> onGradientReady(index));
        }
    }

    /** Rank 0's values of tensors to every rank: one message per dtype. */
    private void broadcastFromRankZero(List<Tensor> tensors) {
        Map<DType, List<Tensor>> byDType = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            byDType.computeIfAbsent(t.dtype(), k -> new ArrayList<>()).add(t);
        }
        for (List<Tensor> same : byDType.values()) {
            group.broadcastCoalesced(same, 0);
        }
    }

    /** Buckets over the parameters in reverse order, one dtype each, closed when they reach the cap. */
    private void assignBuckets() {
        Map<DType, GradBucket> open = new LinkedHashMap<>();
        for (int i = params.size() - 1; i >= 0; i--) {
            Tensor p = params.get(i);
            GradBucket b = open.get(p.dtype());
            if (b == null) {
                b = new GradBucket(buckets.size(), params, p.dtype());
                buckets.add(b);
                open.put(p.dtype(), b);
            }
            b.members.add(i);
            bucketOf[i] = b.index;
            double capMb = b.index == 0 ? options.firstBucketCapMb() : options.bucketCapMb();
            if (b.bytes() >= capMb * 1024 * 1024) {
                open.remove(p.dtype());
            }
        }
    }

    /** The wrapped module. */
    public Module module() {
        return module;
    }

    public ProcessGroup processGroup() {
        return group;
    }

    /** How many buckets the gradients travel in. */
    public int bucketCount() {
        return buckets.size();
    }

    /** Runs the wrapped {@link Layer}. */
    @Override
    public Tensor forward(Tensor x) {
        if (!(module instanceof Layer layer)) {
            throw new IllegalStateException("DistributedDataParallel.forward: " + module.getClass().getSimpleName()
                    + " is not a Layer; use forward(() -> ...) around the module's own call");
        }
        return forward(() -> layer.forward(x));
    }

    /** Runs body, a forward pass of the wrapped module however it is called, as a DDP forward. */
    public <T> T forward(Supplier<T> body) {
        syncThisBackward = noSyncDepth == 0;
        if (isTraining() && options.broadcastBuffers() && group.size() > 1) {
            broadcastFromRankZero(buffers());
        }
        return body.get();
    }

    /**
     * A scope in which forward passes lead to backward passes that only accumulate gradients locally,
     * as {@code ddp.no_sync()}: {@code try (var s = ddp.noSync()) { loss(ddp.forward(x)).backward(); }}.
     */
    public NoSync noSync() {
        noSyncDepth++;
        boolean[] closed = {false};
        return () -> {
            if (!closed[0]) {
                closed[0] = true;
                noSyncDepth--;
            }
        };
    }

    /** The scope {@link #noSync()} opens; closing it again does nothing. */
    public interface NoSync extends AutoCloseable {
        @Override
        void close();
    }

    /** The events of the last synchronised backward pass, in order. */
    public List<Event> lastBackwardEvents() {
        return List.copyOf(events);
    }

    private List<Tensor> buffers() {
        return module.namedBuffers().values().stream().filter(b -> b != null).toList();
    }

    private void onGradientReady(int i) {
        if (!syncThisBackward) {
            return;
        }
        if (pass == null) {
            pass = new Pass();
            events.clear();
            Autograd.queueCallback(this::finishPass);
        }
        if (pass.ready[i]) {
            return;
        }
        pass.ready[i] = true;
        record(EventKind.GRADIENT_READY, names.get(i));
        pass.pending[bucketOf[i]]--;
        launchReady(pass);
        for (GradBucket b : buckets) {
            b.poll();
        }
    }

    /** Launches, in index order, every bucket whose gradients are all ready. */
    private void launchReady(Pass p) {
        while (p.nextLaunch < buckets.size() && p.pending[p.nextLaunch] == 0) {
            GradBucket b = buckets.get(p.nextLaunch++);
            b.launch(group);
            record(EventKind.BUCKET_LAUNCHED, "bucket " + b.index);
        }
    }

    /** At the end of backward: deal with unused parameters, launch what is left, wait, write the averages. */
    private void finishPass() {
        Pass p = pass;
        pass = null;
        List<String> unused = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            if (!p.ready[i]) {
                unused.add(names.get(i));
            }
        }
        if (!unused.isEmpty() && !options.findUnusedParameters()) {
            for (GradBucket b : buckets) {
                if (b.inFlight()) {
                    b.finish(i -> true); // keep the group in step with the ranks that go on
                }
            }
            throw new IllegalStateException("DistributedDataParallel: on rank " + group.rank() + " these parameters got no "
                    + "gradient in this backward pass: " + unused + ". Every parameter must take part in producing the "
                    + "loss on every rank; wrap with Options.defaults().withFindUnusedParameters(true) if some do not");
        }
        for (int i = 0; i < params.size(); i++) {
            if (!p.ready[i]) {
                p.pending[bucketOf[i]]--;
            }
        }
        launchReady(p);
        boolean[] usedAnywhere = usedAnywhere(p.ready);
        for (GradBucket b : buckets) {
            b.finish(i -> usedAnywhere[i]);
            record(EventKind.BUCKET_REDUCED, "bucket " + b.index);
        }
    }

    /** Which parameters got a gradient on some rank (one more all-reduce, only when unused ones are looked for). */
    private boolean[] usedAnywhere(boolean[] usedHere) {
        boolean[] out = new boolean[usedHere.length];
        if (!options.findUnusedParameters() || out.length == 0) {
            Arrays.fill(out, true);
            return out;
        }
        long[] flags = new long[usedHere.length];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = usedHere[i] ? 1 : 0;
        }
        Tensor used = Tensor.fromArray(flags, flags.length);
        group.allReduce(used, ReduceOp.MAX);
        long[] any = used.toLongArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = any[i] != 0;
        }
        return out;
    }

    private void record(EventKind kind, String what) {
        events.add(new Event(kind, what, System.nanoTime()));
    }

    @Override
    public String toString() {
        return "DistributedDataParallel(" + module + ", ranks=" + group.size() + ", buckets=" + buckets.size() + ")";
    }
}

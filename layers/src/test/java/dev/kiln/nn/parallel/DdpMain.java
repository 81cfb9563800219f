package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.SyncBatchNorm;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.SGD;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One rank of DistributedDataParallelTest's job: "train DEVICE DTYPE" trains with DDP + SyncBatchNorm
 * (tanh: smooth, so float32 rounding does not flip units as ReLU would) and checks it against one
 * process on the global batch, the overlap and noSync; "mismatch",
 * "unused" and "hang" provoke the faults. Prints what the test asserts on.
 */
public final class DdpMain {
    static final int GLOBAL_BATCH = 64;
    static final int STEPS = 20;

    public static void main(String[] args) throws Exception {
        ProcessGroup g = Distributed.initProcessGroup("mpi");
        switch (args[0]) {
            case "train" -> train(g, Device.parse(args[1]), DType.valueOf(args[2]));
            case "syncbn" -> syncBatchNorm(g, Device.parse(args[1]));
            case "mismatch" -> mismatch(g);
            case "unused" -> unused(g);
            case "hang" -> hang(g);
            default -> throw new IllegalArgumentException(args[0]);
        }
        Distributed.destroyProcessGroup();
    }

    static Sequential model(long seed, int hidden, DType dtype, Device device) {
        Generator gen = new Generator(seed);
        return new Sequential(new Linear(8, hidden, gen), new BatchNorm1d(hidden), new Tanh(), new Linear(hidden, 4, gen))
                .to(dtype).to(device);
    }

    /** 2 ranks x 32 with DDP + SyncBatchNorm against 1 process x 64 with BatchNorm, same start, 20 SGD steps. */
    static void train(ProcessGroup g, Device device, DType dtype) {
        int r = g.rank();
        int local = GLOBAL_BATCH / g.size();
        Generator data = new Generator(7);
        Tensor x = Tensor.randn(data, GLOBAL_BATCH, 8).to(dtype).to(device);
        Tensor y = x.matmul(Tensor.randn(data, 8, 4).to(dtype).to(device)).argmax(1);
        Tensor xr = x.narrow(0, r * local, local);
        Tensor yr = y.narrow(0, r * local, local);

        Sequential net = SyncBatchNorm.convertSyncBatchNorm(model(100 + r, 16, dtype, device), g); // rank 0's start wins
        DistributedDataParallel ddp = new DistributedDataParallel(net, g,
                DistributedDataParallel.Options.defaults().withBucketCapMb(0.0002));
        Sequential reference = model(0, 16, dtype, device);
        reference.loadStateDict(net.stateDict());
        SGD opt = new SGD(ddp.parameters(), 0.1, 0.9, 0, 0, false);
        SGD refOpt = new SGD(reference.parameters(), 0.1, 0.9, 0, 0, false);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        for (int step = 0; step < STEPS; step++) {
            opt.zeroGrad();
            ce.forward(ddp.forward(xr), yr).backward();
            opt.step();
            refOpt.zeroGrad();
            ce.forward(reference.forward(x), y).backward();
            refOpt.step();
        }
        System.out.println("rank " + r + " buckets " + ddp.bucketCount());
        System.out.println("rank " + r + " max relative difference " + maxRelativeDifference(net, reference));

        List<DistributedDataParallel.Event> events = ddp.lastBackwardEvents();
        int firstLaunch = -1;
        int lastReady = -1;
        for (int i = 0; i < events.size(); i++) {
            DistributedDataParallel.Event e = events.get(i);
            if (e.kind() == DistributedDataParallel.EventKind.BUCKET_LAUNCHED && firstLaunch < 0) {
                firstLaunch = i;
            }
            if (e.kind() == DistributedDataParallel.EventKind.GRADIENT_READY) {
                lastReady = i;
            }
        }
        System.out.println("rank " + r + " events " + events);
        System.out.println("rank " + r + " overlap " + (firstLaunch >= 0 && firstLaunch < lastReady));
        noSync(g, ddp, opt, ce, xr, yr);
    }

    /**
     * SyncBatchNorm on each rank's slice of a global batch against BatchNorm2d on all of it (float64):
     * outputs, input gradients (the loss is the sum of the ranks' losses), the weight and bias
     * gradients summed over ranks, and the running statistics.
     */
    static void syncBatchNorm(ProcessGroup g, Device device) {
        int r = g.rank();
        int local = 4;
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, local * g.size(), 3, 5, 5).to(DType.FLOAT64).mul(2).add(1).to(device);
        Tensor c = Tensor.randn(gen, local * g.size(), 3, 5, 5).to(DType.FLOAT64).to(device); // the loss's weights
        BatchNorm2d reference = new BatchNorm2d(3).to(DType.FLOAT64).to(device);
        try (var noGrad = GradMode.noGrad()) {
            reference.weight().copy_(Tensor.randn(gen, 3).to(DType.FLOAT64));
            reference.bias().copy_(Tensor.randn(gen, 3).to(DType.FLOAT64));
        }
        SyncBatchNorm sync = new SyncBatchNorm(3, 1e-5, 0.1, true, true, g).to(DType.FLOAT64).to(device);
        sync.loadStateDict(reference.stateDict());
        Tensor xAll = x.detach().requiresGrad_(true);
        Tensor yAll = reference.forward(xAll);
        yAll.mul(c).sum().backward();
        Tensor xr = x.narrow(0, r * local, local).detach().requiresGrad_(true);
        Tensor yr = sync.forward(xr);
        yr.mul(c.narrow(0, r * local, local)).sum().backward();
        Tensor gw = sync.weight().grad().clone();
        Tensor gb = sync.bias().grad().clone();
        g.allReduce(gw, ReduceOp.SUM);
        g.allReduce(gb, ReduceOp.SUM);
        double[] gaps = {
            gap(yr, yAll.narrow(0, r * local, local)),
            gap(xr.grad(), xAll.grad().narrow(0, r * local, local)),
            Math.max(gap(gw, reference.weight().grad()), gap(gb, reference.bias().grad())),
            gap(sync.stateDict().get("running_mean"), reference.stateDict().get("running_mean")),
            gap(sync.stateDict().get("running_var"), reference.stateDict().get("running_var")),
        };
        System.out.println("rank " + r + " syncbn gaps " + Arrays.toString(gaps).replaceAll("[\\[\\],]", ""));
    }

    static double gap(Tensor got, Tensor want) {
        return got.sub(want).abs().max().item() / Math.max(want.abs().max().item(), 1e-30);
    }

    /** A backward under noSync keeps local gradients; the next synchronised one averages the sums. */
    static void noSync(ProcessGroup g, DistributedDataParallel ddp, SGD opt, CrossEntropyLoss ce, Tensor xr, Tensor yr) {
        int half = xr.size(0) / 2;
        Tensor xa = xr.narrow(0, 0, half);
        Tensor ya = yr.narrow(0, 0, half);
        Tensor xb = xr.narrow(0, half, half);
        Tensor yb = yr.narrow(0, half, half);
        ddp.eval(); // fixed statistics: the two orders below then see the same function
        opt.zeroGrad();
        try (var s = ddp.noSync()) {
            ce.forward(ddp.forward(xa), ya).backward();
        }
        Tensor local = firstGrad(ddp);
        boolean differs = g.size() > 1 && !sameOnEveryRank(g, local);
        ce.forward(ddp.forward(xb), yb).backward();
        Tensor accumulated = firstGrad(ddp);
        opt.zeroGrad();
        ce.forward(ddp.forward(xa), ya).backward();
        ce.forward(ddp.forward(xb), yb).backward();
        double gap = accumulated.sub(firstGrad(ddp)).abs().max().item() / firstGrad(ddp).abs().max().item();
        System.out.println("rank " + g.rank() + " nosync local " + (differs || g.size() == 1) + " same "
                + sameOnEveryRank(g, accumulated) + " gap " + gap);
    }

    static Tensor firstGrad(DistributedDataParallel ddp) {
        return ddp.parameters().get(0).grad().clone();
    }

    static boolean sameOnEveryRank(ProcessGroup g, Tensor t) {
        Tensor all = g.allGather(t);
        for (int i = 1; i < g.size(); i++) {
            if (all.select(0, i).sub(all.select(0, 0)).abs().max().item() != 0) {
                return false;
            }
        }
        return true;
    }

    static String maxRelativeDifference(Module a, Module b) {
        double worst = 0;
        String where = "";
        Map<String, Tensor> sb = b.stateDict();
        for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
            Tensor want = sb.get(e.getKey()).to(DType.FLOAT64).to(Device.CPU);
            Tensor got = e.getValue().to(DType.FLOAT64).to(Device.CPU);
            double scale = Math.max(want.abs().max().item(), 1e-30);
            double d = got.sub(want).abs().max().item() / scale;
            if (d >= worst) {
                worst = d;
                where = e.getKey();
            }
        }
        return worst + " (" + where + ")";
    }

    /** Rank 1 wraps a model whose hidden layer is wider: every rank fails at wrap time, naming it. */
    static void mismatch(ProcessGroup g) {
        try {
            new DistributedDataParallel(model(0, g.rank() == 1 ? 6 : 5, DType.FLOAT32, Device.CPU), g,
                    DistributedDataParallel.Options.defaults());
            System.out.println("rank " + g.rank() + " no error");
        } catch (RuntimeException e) {
            System.out.println("rank " + g.rank() + " error: " + e.getMessage());
        }
    }

    /** Layers outside the loss: an error naming them, or with findUnusedParameters no gradient for them. */
    static void unused(ProcessGroup g) {
        Tensor x = Tensor.randn(new Generator(g.rank()), 6, 8).to(DType.FLOAT64);
        Sequential net = model(0, 5, DType.FLOAT64, Device.CPU);
        Linear first = (Linear) net.namedChildren().get("0");
        DistributedDataParallel strict = new DistributedDataParallel(net, g, DistributedDataParallel.Options.defaults());
        try {
            strict.forward(() -> first.forward(x)).sum().backward();
            System.out.println("rank " + g.rank() + " no error");
        } catch (IllegalStateException e) {
            System.out.println("rank " + g.rank() + " error: " + e.getMessage());
        }
        Sequential net2 = model(0, 5, DType.FLOAT64, Device.CPU);
        Linear first2 = (Linear) net2.namedChildren().get("0");
        DistributedDataParallel lenient = new DistributedDataParallel(net2, g,
                DistributedDataParallel.Options.defaults().withFindUnusedParameters(true));
        lenient.forward(() -> first2.forward(x)).sum().backward();
        Linear head = (Linear) net2.namedChildren().get("3");
        System.out.println("rank " + g.rank() + " lenient head grad null " + (head.weight().grad() == null)
                + " first grad same " + sameOnEveryRank(g, first2.weight().grad()));
    }

    /** Rank 1 stops taking part; the others' all-reduce must fail within the timeout, naming rank 1. */
    static void hang(ProcessGroup g) throws InterruptedException {
        if (g.rank() == 1) {
            Thread.sleep(60_000);
            return;
        }
        try {
            g.allReduce(Tensor.ones(4), ReduceOp.SUM);
            System.out.println("rank " + g.rank() + " no error");
        } catch (RuntimeException e) {
            System.out.println("rank " + g.rank() + " error: " + e.getMessage());
            System.out.flush();
            if (g.rank() == 0) {
                g.abort(3); // ends the job, the sleeping rank too
            }
            Thread.sleep(60_000);
        }
    }
}

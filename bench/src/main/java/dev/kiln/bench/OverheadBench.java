package dev.kiln.bench;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fixed cost per op on the CPU backend (issue 19, item 1): a 1-element add with and without autograd recording,
 * the MLP's first linear layer (64x784 -> 256) forward + backward, and one Adam step of the 784-256-128-10 MLP at
 * batch 64. bench/scripts/overhead_vs_torch.sh prints these beside PyTorch's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class OverheadBench {
    private static final int BATCH = 64;

    Tensor one;
    Tensor two;
    Tensor oneLeaf;
    Tensor twoLeaf;
    Linear linear;
    Tensor linearInput;
    Sequential mlp;
    Adam adam;
    Tensor mlpInput;
    Tensor mlpTarget;
    final CrossEntropyLoss loss = new CrossEntropyLoss();

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        one = Tensor.randn(g, 1);
        two = Tensor.randn(g, 1);
        oneLeaf = Tensor.randn(g, 1).requiresGrad_(true);
        twoLeaf = Tensor.randn(g, 1).requiresGrad_(true);
        linear = new Linear(784, 256, g);
        linearInput = Tensor.randn(g, BATCH, 784);
        mlp = new Sequential(new Linear(784, 256, g), new ReLU(), new Linear(256, 128, g), new ReLU(), new Linear(128, 10, g));
        // lr 0: the weights stay put, so every call does the same work (thousands of steps on one batch
        // would drive the loss and gradients toward 0); every op of the step still runs
        adam = Adam.adam(mlp.parameters(), 0);
        mlpInput = Tensor.randn(g, BATCH, 784);
        long[] labels = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = i % 10;
        }
        mlpTarget = Tensor.fromArray(labels, BATCH);
    }

    @Benchmark
    public Tensor add() {
        return one.add(two);
    }

    /** The same add on leaves that require grad: records a graph node. */
    @Benchmark
    public Tensor addRecorded() {
        return oneLeaf.add(twoLeaf);
    }

    @Benchmark
    public Tensor linearForwardBackward() {
        linear.zeroGrad();
        linear.forward(linearInput).sum().backward();
        return linear.weight().grad();
    }

    /** zero_grad, forward, cross-entropy, backward, Adam step. */
    @Benchmark
    public Tensor mlpAdamStep() {
        adam.zeroGrad();
        Tensor l = loss.forward(mlp.forward(mlpInput), mlpTarget);
        l.backward();
        adam.step();
        return l;
    }
}

package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.PCGrad;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Multi-task learning with gradient conflict, on Fashion-MNIST: one convolutional trunk shared by two heads, the
 * class (10-way) and whether the garment is worn on the upper body (T-shirt/top, pullover, coat, shirt). Each step
 * takes each task's gradient of the shared parameters on its own (Autograd.grad per loss), logs their cosine (below
 * 0 the tasks conflict), and updates the trunk with their sum, or with --pcgrad with PCGrad's projected sum; each
 * head gets its own task's gradient. Adam, lr 1e-3. scripts/workloads/multitask.py is its PyTorch twin.
 */
final class MultiTask implements Workload {
    static final String PICTURE = "conflict.png";
    static final List<String> FILES = List.of(PICTURE);
    private static final long[] UPPER_BODY = {1, 0, 1, 0, 1, 0, 1, 0, 0, 0}; // by Fashion-MNIST class
    private static final List<String> STEP_COLUMNS = List.of("class_loss", "upper_loss", "cosine");

    private final RunSettings s;
    private final boolean pcgrad;
    private final Sequential trunk;
    private final Linear classHead;
    private final Linear upperHead;
    private final Optimizer optimizer;
    private final LabeledImages train;
    private final LabeledImages test;
    private final Tensor upperOf; // (10) int64: the upper-body label of each class
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    MultiTask(RunSettings s, boolean pcgrad) {
        this.s = s;
        this.pcgrad = pcgrad;
        Generator g = new Generator(s.seed());
        trunk = new Sequential(new Conv2d(1, 16, 3, 1, 1, g), new ReLU(), new MaxPool2d(2), new Conv2d(16, 32, 3, 1, 1, g),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(32 * 7 * 7, 128, g), new ReLU()).to(s.device());
        classHead = new Linear(128, 10, g).to(s.device());
        upperHead = new Linear(128, 2, g).to(s.device());
        List<Parameter> all = new ArrayList<>(trunk.parameters());
        all.addAll(classHead.parameters());
        all.addAll(upperHead.parameters());
        optimizer = Adam.adam(all, 1e-3);
        train = FashionMnist.train(s.data()).limit(s.limitTrain());
        test = FashionMnist.test(s.data()).limit(s.limitTest());
        upperOf = Tensor.fromArray(UPPER_BODY, UPPER_BODY.length).to(s.device());
    }

    @Override
    public String name() {
        return pcgrad ? "multitask-pcgrad" : "multitask";
    }

    @Override
    public List<String> metricNames() {
        return List.of("class_loss", "upper_loss", "mean_cosine", "conflict_fraction", "test_class_accuracy",
                "test_upper_accuracy");
    }

    @Override
    public Map<String, Module> modules() {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("trunk", trunk);
        m.put("class_head", classHead);
        m.put("upper_head", upperHead);
        return m;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        return Map.of("optimizer", optimizer);
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        Batches batches = s.shuffled(train, epoch);
        Random taskOrder = new Random(s.epochSeed(epoch));
        List<Tensor> shared = tensors(trunk);
        List<Tensor> classOwn = tensors(classHead);
        List<Tensor> upperOwn = tensors(upperHead);
        double classSum = 0;
        double upperSum = 0;
        double cosineSum = 0;
        int conflicts = 0;
        long seen = 0;
        try (EpochProgress bar = progress.bar(train.size())) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) { // parameters and Adam's state persist; the rest goes here
                    Batches.Batch batch = batches.get(b);
                    Tensor upper = upperOf.indexSelect(0, batch.y());                      // (B) int64
                    Tensor h = trunk.forward(batch.x());                                   // (B, 128)
                    Tensor classLoss = ce.forward(classHead.forward(h), batch.y());
                    Tensor upperLoss = ce.forward(upperHead.forward(h), upper);
                    List<Tensor> gClass = grad(classLoss, shared, classOwn, true);
                    List<Tensor> gUpper = grad(upperLoss, shared, upperOwn, false);
                    List<Tensor> sharedClass = gClass.subList(0, shared.size());
                    List<Tensor> sharedUpper = gUpper.subList(0, shared.size());
                    double cosine = PCGrad.cosine(sharedClass, sharedUpper);
                    List<Tensor> update = pcgrad ? PCGrad.combine(List.of(sharedClass, sharedUpper), taskOrder)
                            : sum(sharedClass, sharedUpper);
                    assign(shared, update);
                    assign(classOwn, gClass.subList(shared.size(), gClass.size()));
                    assign(upperOwn, gUpper.subList(shared.size(), gUpper.size()));
                    optimizer.step();
                    optimizer.zeroGrad();
                    double lc = classLoss.item();
                    double lu = upperLoss.item();
                    classSum += lc * batch.size();
                    upperSum += lu * batch.size();
                    seen += batch.size();
                    cosineSum += cosine;
                    conflicts += cosine < 0 ? 1 : 0;
                    progress.step(b, batches.count(), lc, lu, cosine);
                    bar.step(batch.size(), "class %.3f upper %.3f cos %+.2f", classSum / seen,
                            upperSum / seen, cosine);
                }
            }
        }
        double[] accuracy = testAccuracy();
        int n = batches.count();
        return new double[] {classSum / seen, upperSum / seen, cosineSum / n, (double) conflicts / n, accuracy[0], accuracy[1]};
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss class %.4f upper %.4f | cosine %+.3f, %.0f%% of steps conflict | test acc"
                + " class %.2f%% upper %.2f%%", m[0], m[1], m[2], 100 * m[3], 100 * m[4], 100 * m[5]);
    }

    @Override
    public List<String> stepColumns() {
        return STEP_COLUMNS;
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        MultiTaskPlots.draw(dir.resolve(PICTURE), steps, history);
    }

    /** The loss's gradients of the shared parameters, then of its head's. */
    private static List<Tensor> grad(Tensor loss, List<Tensor> shared, List<Tensor> head, boolean retainGraph) {
        List<Tensor> inputs = new ArrayList<>(shared);
        inputs.addAll(head);
        return List.of(Autograd.grad(new Tensor[] {loss}, inputs.toArray(new Tensor[0]), null, retainGraph, false));
    }

    private static List<Tensor> sum(List<Tensor> a, List<Tensor> b) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.get(i).add(b.get(i)));
        }
        return out;
    }

    private static void assign(List<Tensor> params, List<Tensor> grads) {
        for (int i = 0; i < params.size(); i++) {
            params.get(i).setGrad(grads.get(i));
        }
    }

    private static List<Tensor> tensors(Module m) {
        return m.parameters().stream().map(Parameter::data).toList();
    }

    /** Test accuracy of the class and of the upper-body label. */
    private double[] testAccuracy() {
        long classRight = 0;
        long upperRight = 0;
        Batches batches = Batches.sequential(test, Math.max(s.batchSize(), 256), s.device());
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batches.Batch batch = batches.get(b);
                    Tensor h = trunk.forward(batch.x());
                    Tensor upper = upperOf.indexSelect(0, batch.y());
                    classRight += (long) classHead.forward(h).argmax(1).eq(batch.y()).to(DType.INT64).sum().item();
                    upperRight += (long) upperHead.forward(h).argmax(1).eq(upper).to(DType.INT64).sum().item();
                }
            }
        }
        return new double[] {(double) classRight / test.size(), (double) upperRight / test.size()};
    }
}

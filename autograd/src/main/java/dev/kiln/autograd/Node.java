package dev.kiln.autograd;

import dev.kiln.AutogradMeta;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradFn;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;
import dev.kiln.spi.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One recorded op: its attributes, where each input's gradient goes (an edge), the tensors its rule
 * saved (with their storage versions) and the autograd state of its outputs.
 */
final class Node implements GradFn {
    final Op op;
    /** The op's derivative rule, built once when the op was recorded. */
    final Rule rule;
    /** Per input: the meta of the tensor (null when absent or not requiring grad). */
    final AutogradMeta[] inputMeta;
    final int[][] inputShapes;
    final DType[] inputDTypes;
    final Device[] inputDevices;
    final AutogradMeta[] outputMeta;
    final int[][] outputShapes;
    final DType[] outputDTypes;
    private Tensor[] savedInputs;
    private Tensor[] savedOutputs;
    private int[] savedVersions;
    private boolean released;
    /** Where the forward op was created, when anomaly mode was on. */
    final Throwable createdAt;

    /** saveAll: keep inputs and outputs whatever the rule reads (forward mode's tangent rules read more). */
    Node(Op op, Rule rule, Tensor[] inputs, Tensor[] outputs, boolean saveAll, boolean anomaly) {
        this.op = op;
        this.rule = rule;
        int n = inputs.length;
        inputMeta = new AutogradMeta[n];
        inputShapes = new int[n][];
        inputDTypes = new DType[n];
        inputDevices = new Device[n];
        for (int i = 0; i < n; i++) {
            Tensor t = inputs[i];
            if (t != null) {
                inputShapes[i] = t.shape();
                inputDTypes[i] = t.dtype();
                inputDevices[i] = t.device();
                inputMeta[i] = t.requiresGrad() ? Tensors.autogradMeta(t) : null;
            }
        }
        outputMeta = new AutogradMeta[outputs.length];
        outputShapes = new int[outputs.length][];
        outputDTypes = new DType[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            outputShapes[i] = outputs[i].shape();
            outputDTypes[i] = outputs[i].dtype();
        }
        savedInputs = saveAll || rule.saves().inputs ? inputs.clone() : null;
        savedOutputs = saveAll || rule.saves().outputs ? outputs.clone() : null;
        savedVersions = versions(savedInputs, savedOutputs);
        createdAt = anomaly ? new Throwable("forward op " + op.name() + " was created here") : null;
    }

    /** Attaches this node to its float outputs (integer outputs such as indices and masks stay constants). */
    void attach(Tensor[] outputs) {
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i].dtype().isFloatingPoint()) {
                Tensors.attachGradFn(outputs[i], this, i);
                outputMeta[i] = Tensors.autogradMeta(outputs[i]);
            }
        }
    }

    /** Storage versions of a's tensors then b's (0 where absent); filled in place, as every recorded op calls this. */
    private static int[] versions(Tensor[] a, Tensor[] b) {
        int na = a == null ? 0 : a.length;
        int[] v = new int[na + (b == null ? 0 : b.length)];
        for (int i = 0; i < v.length; i++) {
            Tensor t = i < na ? a[i] : b[i - na];
            v[i] = t == null ? 0 : Tensors.storage(t).version();
        }
        return v;
    }

    boolean needsGrad(int input) {
        return inputMeta[input] != null;
    }

    Tensor input(int i) {
        check();
        if (savedInputs == null) {
            throw new IllegalStateException("autograd: the rule for " + op.name() + " reads input " + i
                    + " but its node did not save inputs (a bug in the rule table)");
        }
        return savedInputs[i];
    }

    Tensor output(int i) {
        check();
        if (savedOutputs == null) {
            throw new IllegalStateException("autograd: the rule for " + op.name() + " reads output " + i
                    + " but its node did not save outputs (a bug in the rule table)");
        }
        return savedOutputs[i];
    }

    private void check() {
        if (released) {
            throw new IllegalStateException("backward: trying to backward through the graph a second time (through "
                    + op.name() + "); its saved tensors were freed after the first backward. Pass retainGraph = true"
                    + " to the first backward if you need to backward twice");
        }
        int[] now = versions(savedInputs, savedOutputs);
        for (int i = 0; i < now.length; i++) {
            if (now[i] != savedVersions[i]) {
                throw new IllegalStateException("backward: a tensor saved by " + op.name() + " was modified by an in-place"
                        + " operation after it was saved (version " + savedVersions[i] + ", now " + now[i] + ")");
            }
        }
    }

    /** Frees the saved tensors (after a backward without retainGraph). */
    void release() {
        released = true;
        savedInputs = null;
        savedOutputs = null;
    }

    boolean released() {
        return released;
    }

    @Override
    public String name() {
        return op.name();
    }

    @Override
    public List<GradFn> nextFunctions() {
        List<GradFn> out = new ArrayList<>();
        for (AutogradMeta m : inputMeta) {
            out.add(m == null ? null : m.gradFn());
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        return "<" + op.name() + "Backward>";
    }

    String describeInput(int i) {
        return "input " + i + " " + Shape.str(inputShapes[i]);
    }
}

package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.AutogradMeta;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every differentiable op: gradcheck, gradgradcheck where the rule is differentiable, and jvp == J t. */
class GradCheckAllOpsTest {
    static List<PrimitiveCases.Case> cases() {
        return PrimitiveCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck_passesInFloat64(PrimitiveCases.Case c) {
        GradCheck.gradcheck(c.f(), c.inputs(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradgradcheck_passesWhereTheRuleIsDifferentiable(PrimitiveCases.Case c) {
        if (c.gradgrad()) {
            GradCheck.gradgradcheck(c.f(), c.inputs(2));
        } else {
            Tensor[] x = c.inputs(2);
            Tensor y = c.f().apply(x);
            Tensor[] g = Autograd.grad(new Tensor[] {y}, x, new Tensor[] {Tensor.onesLike(y)}, true, true, true);
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    UnsupportedOperationException.class, () -> g[0].sum().backward());
            assertTrue(e.getMessage().contains("double backward"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jvp_equalsJacobianTimesTangent(PrimitiveCases.Case c) {
        Tensor[] x = c.inputs(3);
        Generator g = new Generator(4);
        Tensor[] t = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) {
            t[i] = Tensor.normal(g, 0, 1, x[i].shape(), DType.FLOAT64, x[i].device());
        }
        Autograd.Result r = Autograd.jvp(a -> new Tensor[] {c.f().apply(a)}, x, t);
        // reference: J t from reverse mode, one Jacobian per input
        Tensor expected = null;
        for (int i = 0; i < x.length; i++) {
            int k = i;
            Tensor jac = Autograd.jacobianReverse(xi -> {
                Tensor[] args = x.clone();
                for (int j = 0; j < args.length; j++) {
                    args[j] = j == k ? xi : args[j].detach();
                }
                return c.f().apply(args);
            }, x[i]);
            int outN = r.outputs()[0].numel();
            Tensor jt = jac.reshape(outN, -1).matmul(t[i].reshape(-1));
            expected = expected == null ? jt : expected.add(jt);
        }
        assertTrue(r.derivatives()[0].reshape(-1).allclose(expected, 1e-9, 1e-10),
                c.name() + ": jvp " + r.derivatives()[0] + " vs J t " + expected);
    }

    /** Every op type the tensor API records has a case here (the op table is complete). */
    @Test
    void everyRecordedOpType_isCoveredByACase() {
        Set<String> covered = new HashSet<>();
        for (PrimitiveCases.Case c : cases()) {
            Tensor y = c.f().apply(c.inputs(5));
            Deque<dev.kiln.GradFn> todo = new ArrayDeque<>();
            todo.add(y.gradFn());
            while (!todo.isEmpty()) {
                dev.kiln.GradFn fn = todo.pop();
                if (fn instanceof Node n) {
                    covered.add(n.op.getClass().getSimpleName());
                    for (AutogradMeta m : n.inputMeta) {
                        if (m != null && m.gradFn() != null) {
                            todo.push(m.gradFn());
                        }
                    }
                }
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Class<?> k : Op.class.getPermittedSubclasses()) {
            missing.add(k.getSimpleName());
        }
        missing.removeAll(covered);
        // Cast and ToDevice are checked exactly in CastAndDeviceGradTest (central differences through float32
        // are meaningless; a second device arrives with the CUDA backend); the backward ops are reached by
        // gradgradcheck of their forward ops; Custom (a user's Function) is gradchecked in FunctionTest.
        missing.removeAll(Set.of("Cast", "ToDevice", "MaxPool2dBackward", "AvgPool2dBackward", "SoftmaxBackward",
                "AttentionBackward", "Custom"));
        assertEquals(Set.of(), missing, "ops without a gradient test case");
    }
}

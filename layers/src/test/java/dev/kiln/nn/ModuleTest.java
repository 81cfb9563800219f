package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module bookkeeping: names as PyTorch's, train/eval, apply, zeroGrad, dtype casts, state dicts. */
class ModuleTest {
    private static Sequential model() {
        Generator g = new Generator(0);
        return new Sequential(new Linear(4, 3, g), new BatchNorm1d(3), new ReLU(),
                new Sequential(new Linear(3, 2, false, g), new Dropout(0.5, g)));
    }

    @Test
    void namesAndCounts_followPyTorch() {
        Sequential m = model();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.0.weight"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), new ArrayList<>(m.namedBuffers().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "3.0.weight"), new ArrayList<>(m.stateDict().keySet()));
        assertEquals(List.of("", "0", "1", "2", "3", "3.0", "3.1"), new ArrayList<>(m.namedModules().keySet()));
        assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2, m.parameterCount());
    }

    @Test
    void trainAndEval_reachEveryDescendant_andApplyVisitsChildrenFirst() {
        Sequential m = model();
        m.eval();
        m.namedModules().values().forEach(x -> assertFalse(x.isTraining()));
        m.train();
        m.namedModules().values().forEach(x -> assertTrue(x.isTraining()));
        List<String> order = new ArrayList<>();
        m.get(3).apply(x -> order.add(x.getClass().getSimpleName()));
        assertEquals(List.of("Linear", "Dropout", "Sequential"), order);
    }

    @Test
    void zeroGrad_clearsEveryGradient() {
        Sequential m = model();
        m.forward(Tensor.randn(new Generator(1), 5, 4)).sum().backward();
        assertTrue(m.parameters().stream().allMatch(p -> p.grad() != null));
        m.zeroGrad();
        assertTrue(m.parameters().stream().allMatch(p -> p.grad() == null));
    }

    @Test
    void toFloat64_castsParametersAndFloatBuffers_keepingValues() {
        Sequential m = model();
        Tensor w = m.stateDict().get("0.weight").clone();
        m.to(DType.FLOAT64);
        Map<String, Tensor> s = m.stateDict();
        assertEquals(DType.FLOAT64, s.get("0.weight").dtype());
        assertEquals(DType.FLOAT64, s.get("1.running_var").dtype());
        assertEquals(DType.INT64, s.get("1.num_batches_tracked").dtype());
        assertTrue(s.get("0.weight").allclose(w.to(DType.FLOAT64), 0, 0));
        assertTrue(m.parameters().stream().allMatch(p -> p.data().requiresGrad() && p.data().isLeaf()));
    }

    /** lin.weight() is the parameter's own leaf: usable as any tensor, its gradient lands where optimizers look. */
    @Test
    void layerAccessorsGiveTheParametersOwnTensor() {
        Linear lin = new Linear(3, 2, new Generator(6));
        Tensor x = Tensor.randn(new Generator(7), 4, 3);                                   // (4, 3)
        Tensor y = x.matmul(lin.weight().t()).add(lin.bias());                               // (4, 2), by hand
        assertTrue(y.allclose(lin.forward(x), 0, 0));
        y.sum().backward();
        assertSame(lin.namedParameters().get("weight").data(), lin.weight());
        assertTrue(lin.namedParameters().get("weight").grad().allclose(x.sum(0).unsqueeze(0).expand(2, 3), 1e-6, 1e-6));
        lin.to(DType.FLOAT64);                                                               // a new leaf of the new dtype
        assertEquals(DType.FLOAT64, lin.weight().dtype());
        assertSame(lin.namedParameters().get("weight").data(), lin.weight());
    }

    @Test
    void sharedParameter_isListedAndCountedOnce() {
        Linear shared = new Linear(2, 2, new Generator(2));
        Sequential m = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(6, m.parameterCount());
    }

    @Test
    void moduleList_registersItsModules_inOrder() {
        ModuleList<Linear> list = new ModuleList<>(new Linear(2, 2, new Generator(3)), new Linear(2, 1, new Generator(4)));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), new ArrayList<>(list.namedParameters().keySet()));
        assertSame(list.get(1), list.namedChildren().get("1"));
    }

    @Test
    void linearWithoutBias_hasNoBiasParameter() {
        Linear l = new Linear(3, 2, false, new Generator(5));
        assertNull(l.bias());
        assertEquals(List.of("weight"), new ArrayList<>(l.namedParameters().keySet()));
    }

    @Test
    void loadStateDict_copiesValues_andRejectsMismatchesNamingTheKey() {
        Sequential a = model();
        Sequential b = new Sequential(new Linear(4, 3, new Generator(9)), new BatchNorm1d(3), new ReLU(),
                new Sequential(new Linear(3, 2, false, new Generator(8)), new Dropout(0.5, new Generator(7))));
        b.loadStateDict(a.stateDict());
        assertTrue(b.stateDict().get("3.0.weight").allclose(a.stateDict().get("3.0.weight"), 0, 0));
        Sequential wrong = new Sequential(new Linear(4, 5, new Generator(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.loadStateDict(a.stateDict()));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight: copying a tensor with shape [3, 4],"
                + " the shape in the current model is [5, 4]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key(s) [1.weight"), e.getMessage());
    }

    @Test
    void convTwoDSamePadding_keepsTheSpatialSize_forOddAndEvenEffectiveKernels() {
        for (int kernel : new int[] {5, 4}) {
            Conv2d same = Conv2d.samePadding(2, 3, kernel, 1 + kernel % 2, new Generator(6));
            Tensor y = same.forward(Tensor.randn(new Generator(7), 1, 2, 9, 11));
            assertEquals(List.of(1, 3, 9, 11), List.of(y.size(0), y.size(1), y.size(2), y.size(3)));
        }
    }

    @Test
    void embeddingPaddingRow_startsAtZero_andGetsNoGradient() {
        Embedding e = new Embedding(5, 3, -1, new Generator(8));
        assertTrue(e.weight().select(0, 4).allclose(Tensor.zeros(3), 0, 0));
        e.forward(Tensor.fromArray(new long[] {4, 1, 4}, 3)).sum().backward();
        Tensor g = e.weight().grad();
        assertTrue(g.select(0, 4).allclose(Tensor.zeros(3), 0, 0));
        assertTrue(g.select(0, 1).allclose(Tensor.ones(3), 0, 0));
    }
}

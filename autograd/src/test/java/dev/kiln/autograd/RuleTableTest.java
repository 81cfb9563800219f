package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Pool2dParams;
import dev.kiln.SparseMatrix;
import dev.kiln.SparsePattern;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CustomFunction;
import dev.kiln.graph.Op;
import dev.kiln.graph.OpVisitor;
import dev.kiln.spi.UnaryOp;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The derivative-rule table is complete (one rule per Op record, no runtime "missing rule") and builds each rule once. */
class RuleTableTest {
    /** The visitor has an abstract visit method for every Op record, so the compiler rejects a table without one. */
    @Test
    void visitor_hasAnAbstractMethodPerOpRecord() throws Exception {
        Class<?>[] records = Op.class.getPermittedSubclasses();
        for (Class<?> k : records) {
            Method m = OpVisitor.class.getMethod("visit", k);
            assertFalse(m.isDefault(), "OpVisitor.visit(" + k.getSimpleName() + ") has a default");
            assertEquals(Rules.class, Rules.class.getMethod("visit", k).getDeclaringClass());
        }
        assertEquals(records.length, OpVisitor.class.getDeclaredMethods().length, "visit methods vs Op records");
    }

    /** Every record, with every value of its enum attribute, gets a rule with both modes; only logical ops refuse. */
    @Test
    void everyOpRecord_hasAReverseAndForwardRule() throws Exception {
        int checked = 0;
        for (Class<?> k : Op.class.getPermittedSubclasses()) {
            for (Op op : samples(k)) {
                if (op instanceof Op.Binary b && b.op().logical()) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Rules.of(op));
                    assertTrue(e.getMessage().contains(b.op().opName() + " is not differentiable"), e.getMessage());
                    continue;
                }
                Rule r = Rules.of(op);
                assertNotNull(r, op.name());
                assertNotNull(r.saves(), op.name());
                assertNotNull(r.vjp(), op.name());
                assertNotNull(r.jvp(), op.name());
                assertTrue(r.differentiableOutputs() >= 1, op.name());
                checked++;
            }
        }
        assertTrue(checked >= Op.class.getPermittedSubclasses().length);
    }

    /** Ops without attributes beyond an enum share one rule instead of building it per record. */
    @Test
    void attributeFreeRules_areBuiltOnce() {
        assertSame(Rules.of(new Op.Clone()), Rules.of(new Op.Clone()));
        assertSame(Rules.of(new Op.Matmul()), Rules.of(new Op.Matmul()));
        assertSame(Rules.of(new Op.Where()), Rules.of(new Op.Where()));
        assertSame(Rules.of(new Op.BinaryCrossEntropy()), Rules.of(new Op.BinaryCrossEntropy()));
        for (UnaryOp u : UnaryOp.values()) {
            assertSame(Rules.of(new Op.Unary(u)), Rules.of(new Op.Unary(u)), u.opName());
        }
        assertSame(Rules.of(new Op.Binary(BinaryOp.ADD)), Rules.of(new Op.Binary(BinaryOp.ADD)));
    }

    /** A recorded node keeps the rule it was recorded with; backward runs that one. */
    @Test
    void recordedNode_keepsItsRule() {
        Tensor x = Tensor.ones(new int[] {2, 3}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor y = x.mul(2).reshape(6); // (6)
        Node reshape = (Node) y.gradFn();
        assertTrue(reshape.op instanceof Op.Reshape);
        assertSame(Rules.of(new Op.Binary(BinaryOp.MUL)), ((Node) reshape.nextFunctions().get(0)).rule);
        y.sum().backward();
        assertEquals(2.0 * 6, x.grad().sum().item(), 0.0);
    }

    /** Instances of an Op record with placeholder attributes, one per value of an enum attribute. */
    private static List<Op> samples(Class<?> k) throws Exception {
        RecordComponent[] rc = k.getRecordComponents();
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            types[i] = rc[i].getType();
        }
        Constructor<?> ctor = k.getDeclaredConstructor(types);
        List<Object[]> argLists = new ArrayList<>();
        argLists.add(new Object[rc.length]);
        for (int i = 0; i < rc.length; i++) {
            List<Object[]> next = new ArrayList<>();
            for (Object[] args : argLists) {
                for (Object v : values(types[i])) {
                    Object[] a = args.clone();
                    a[i] = v;
                    next.add(a);
                }
            }
            argLists = next;
        }
        List<Op> ops = new ArrayList<>();
        for (Object[] args : argLists) {
            ops.add((Op) ctor.newInstance(args));
        }
        return ops;
    }

    private static List<Object> values(Class<?> type) {
        if (type.isEnum()) {
            return List.of(type.getEnumConstants());
        }
        if (type == int[].class) {
            return List.of((Object) new int[] {0});
        }
        if (type == int.class) {
            return List.of(0);
        }
        if (type == double.class) {
            return List.of(0.5);
        }
        if (type == boolean.class) {
            return List.of(false, true);
        }
        if (type == Device.class) {
            return List.of(Device.CPU);
        }
        if (type == Conv2dParams.class) {
            return List.of(Conv2dParams.of(1, 0, 1, 1));
        }
        if (type == SparsePattern.class) {
            return List.of(SparseMatrix.coo(Tensor.fromArray(new long[] {0, 0}, 2, 1), Tensor.ones(1), 1, 1).pattern());
        }
        if (type == Pool2dParams.class) {
            return List.of(Pool2dParams.of(2));
        }
        if (type == CustomFunction.class) {
            return List.of(new CustomFunction() {
                @Override
                public String name() {
                    return "sample";
                }

                @Override
                public Tensor[] backward(Tensor[] gradOutputs) {
                    return gradOutputs;
                }

                @Override
                public Tensor[] jvp(Tensor[] tangents) {
                    return tangents;
                }
            });
        }
        throw new AssertionError("no sample value for an Op attribute of type " + type.getName());
    }
}

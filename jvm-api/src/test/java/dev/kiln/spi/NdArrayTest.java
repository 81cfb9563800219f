package dev.kiln.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** What backends see of a tensor: a storage and its layout, the view arithmetic on it, and the round trip to tensors. */
class NdArrayTest {
    private static Storage storageOf(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Tensors.storage(Tensor.fromArray(v, n));
    }

    @Test
    void viewsShareTheStorageAndMoveOnlyTheLayout() {
        NdArray x = NdArray.of(storageOf(24), new int[] {2, 3, 4});   // strides (12, 4, 1)
        assertArrayEquals(new int[] {12, 4, 1}, x.stride());
        assertTrue(x.isContiguous());
        assertEquals(4, x.size(-1));
        assertEquals(12, x.stride(-3));
        assertEquals(DType.FLOAT32, x.dtype());

        NdArray p = x.permute(new int[] {2, 0, 1});                      // (4, 2, 3), strides (1, 12, 4)
        assertSame(x.storage(), p.storage());
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertArrayEquals(new int[] {1, 12, 4}, p.stride());
        assertFalse(p.isContiguous());

        NdArray n = x.narrow(1, 1, 2);                                   // rows 1..2 of dim 1: offset 4
        assertArrayEquals(new int[] {2, 2, 4}, n.shape());
        assertEquals(4, n.storageOffset());
        assertEquals(0, x.narrow(1, 3, 0).storageOffset(), "an empty narrow keeps the offset");

        NdArray e = NdArray.of(storageOf(4), new int[] {1, 4}).expand(new int[] {3, 4});
        assertArrayEquals(new int[] {0, 1}, e.stride());
        assertEquals(12, e.numel());
    }

    @Test
    void shapeAndStrideAreCopiesTheCallerMayChange() {
        NdArray x = NdArray.of(storageOf(6), new int[] {2, 3});
        x.shape()[0] = 99;
        x.stride()[0] = 99;
        assertArrayEquals(new int[] {2, 3}, x.shape());
        assertArrayEquals(new int[] {3, 1}, x.stride());
        int[] shape = {2, 3};
        NdArray y = NdArray.of(storageOf(6), shape);
        shape[0] = 1;
        assertArrayEquals(new int[] {2, 3}, y.shape(), "of() copies its arguments");
    }

    @Test
    void aViewOutsideItsStorageIsRefused() {
        Storage s = storageOf(10);
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(s, new int[] {11}));
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class,
                () -> NdArray.of(s, new int[] {4}, new int[] {1}, 8));
        assertTrue(past.getMessage().contains("10 elements"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(s, new int[] {2}, new int[] {-1}, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> NdArray.of(s, new int[] {2, 5}, new int[] {5, 1}, 0).narrow(0, 1, 2));
    }

    @Test
    void tensorsAndArraysWrapEachOtherWithoutCopies() {
        Tensor t = Tensor.arange(12).reshape(3, 4).t();                 // (4, 3), strides (1, 4)
        NdArray a = Tensors.array(t);
        assertSame(a, Tensors.array(t), "made once per tensor");
        assertSame(Tensors.storage(t), a.storage());
        assertEquals(new Layout(new int[] {4, 3}, new int[] {1, 4}, 0), a.layout());
        Tensor back = Tensors.wrap(a.narrow(0, 1, 2));
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertArrayEquals(new long[] {1, 5, 9, 2, 6, 10}, back.contiguous().toLongArray());
        assertFalse(back.requiresGrad());
    }
}

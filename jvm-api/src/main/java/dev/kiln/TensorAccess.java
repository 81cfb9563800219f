package dev.kiln;

import dev.kiln.spi.NdArray;
import dev.kiln.spi.Storage;
import dev.kiln.spi.Tensors;

/** Tensor's package-private internals for {@link Tensors}: backends, the autograd engine, distributed layers. */
final class TensorAccess implements Tensors.Access {
    @Override
    public Tensor wrap(Storage storage, int[] shape, int[] stride, int offset) {
        return Tensor.wrap(storage, shape, stride, offset);
    }

    @Override
    public Tensor wrap(Storage storage, int[] shape) {
        return Tensor.wrap(storage, shape);
    }

    @Override
    public Tensor wrap(NdArray a) {
        return Tensor.wrap(a);
    }

    @Override
    public NdArray array(Tensor t) {
        return t.array();
    }

    @Override
    public Storage storage(Tensor t) {
        return t.storage();
    }

    @Override
    public AutogradMeta autogradMeta(Tensor t) {
        return t.autogradMeta();
    }

    @Override
    public void attachGradFn(Tensor t, GradFn fn, int nr) {
        t.attachGradFn(fn, nr);
    }
}

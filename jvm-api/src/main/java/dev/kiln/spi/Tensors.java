package dev.kiln.spi;

import dev.kiln.AutogradMeta;
import dev.kiln.GradFn;
import dev.kiln.Tensor;

/**
 * What the autograd engine, the distributed layers and tests see of a tensor beyond the user API: its
 * storage, its {@link NdArray} (what backends take), tensors made over a storage, its autograd state. Kept out of {@link Tensor}'s public
 * methods so a user sees PyTorch's API only. Tensor hands its accessor over when it is loaded (the
 * JDK's SharedSecrets pattern); nobody else can install one.
 */
public final class Tensors {
    /** Tensor's package-private internals, as Tensor implements them. */
    public interface Access {
        Tensor wrap(Storage storage, int[] shape, int[] stride, int offset);

        Tensor wrap(Storage storage, int[] shape);

        Tensor wrap(NdArray a);

        NdArray array(Tensor t);

        Storage storage(Tensor t);

        AutogradMeta autogradMeta(Tensor t);

        void attachGradFn(Tensor t, GradFn fn, int nr);
    }

    private static volatile Access access;

    private Tensors() {
    }

    /** Called once, by Tensor's static initialiser; a second call is refused. */
    public static synchronized void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("Tensors: the tensor accessor is installed already");
        }
        access = a;
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try {   // loading Tensor installs the accessor
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /** A view of {@code storage}; shape and stride are copied; a view reaching outside the storage is refused. */
    public static Tensor wrap(Storage storage, int[] shape, int[] stride, int offset) {
        return access().wrap(storage, shape, stride, offset);
    }

    /** A contiguous tensor over all of {@code storage}. */
    public static Tensor wrap(Storage storage, int[] shape) {
        return access().wrap(storage, shape);
    }

    /** A backend's result as a tensor over the same storage and layout. */
    public static Tensor wrap(NdArray a) {
        return access().wrap(a);
    }

    /** t as backends see it. */
    public static NdArray array(Tensor t) {
        return access().array(t);
    }

    /** The storage t reads. */
    public static Storage storage(Tensor t) {
        return access().storage(t);
    }

    /** t's autograd state, created on first use (for the engine, optimizers and hooks). */
    public static AutogradMeta autogradMeta(Tensor t) {
        return access().autogradMeta(t);
    }

    /** Marks t as output {@code nr} of {@code fn}; it then requires grad. */
    public static void attachGradFn(Tensor t, GradFn fn, int nr) {
        access().attachGradFn(t, fn, nr);
    }
}

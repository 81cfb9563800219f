package dev.kiln;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.Layout;
import dev.kiln.spi.NdArray;
import dev.kiln.graph.Op;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.Tensors;
import dev.kiln.spi.UnaryOp;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The one tensor type: a strided view (shape, stride, offset) of a {@link Storage}. View ops
 * (view/reshape, permute, transpose, narrow, select, expand, squeeze, unsqueeze) share storage;
 * every other op returns a new contiguous tensor computed by the device's {@link Backend}.
 * Names follow PyTorch's {@code torch.Tensor} methods in lowerCamelCase. Differentiable ops are
 * recorded for autograd (module kiln-autograd) when an input requires grad and grad mode is on.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final int[] shape;
    private final int[] stride;
    private final int offset;
    private AutogradMeta autograd; // null until this tensor takes part in autograd
    private NdArray array;          // what backends see of this tensor, made on first use

    static {
        Tensors.install(new TensorAccess());
    }

    private Tensor(Storage storage, int[] shape, int[] stride, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.stride = stride;
        this.offset = offset;
    }

    /**
     * A view of {@code storage} (backends reach it as {@code spi.Tensors.wrap}). Shape and stride
     * arrays are copied; a view that reaches outside the storage is refused.
     */
    static Tensor wrap(Storage storage, int[] shape, int[] stride, int offset) {
        return viewOf("wrap", storage, shape.clone(), stride.clone(), offset);
    }

    /** A contiguous tensor over all of {@code storage} (backends: {@code spi.Tensors.wrap}). */
    static Tensor wrap(Storage storage, int[] shape) {
        if (Shape.numel("wrap", shape) != storage.size()) {
            throw new IllegalArgumentException("wrap: shape " + Shape.str(shape) + " needs " + Shape.numel(shape)
                    + " elements but storage has " + storage.size());
        }
        return new Tensor(storage, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** A backend's result as a tensor; it shares the array's storage and layout. */
    static Tensor wrap(NdArray a) {
        Layout l = a.layout();
        Tensor t = new Tensor(a.storage(), l.shape(), l.stride(), l.offset());
        t.array = a;
        return t;
    }

    static Tensor[] wrap(NdArray[] as) {
        Tensor[] ts = new Tensor[as.length];
        for (int i = 0; i < as.length; i++) {
            ts[i] = as[i] == null ? null : wrap(as[i]);
        }
        return ts;
    }

    /** This tensor as backends see it (backends: {@code spi.Tensors.array}); the layout shares its arrays. */
    NdArray array() {
        NdArray a = array;
        if (a == null) {
            a = new NdArray(storage, new Layout(shape, stride, offset));
            array = a;
        }
        return a;
    }

    static NdArray arrayOrNull(Tensor t) {
        return t == null ? null : t.array();
    }

    static NdArray[] arrays(Tensor[] ts) {
        NdArray[] as = new NdArray[ts.length];
        for (int i = 0; i < ts.length; i++) {
            as[i] = ts[i].array();
        }
        return as;
    }

    /** Every view is made here: its extent is checked against the storage (in long) first. */
    private static Tensor viewOf(String op, Storage storage, int[] shape, int[] stride, long offset) {
        Shape.checkView(op, shape, stride, offset, storage.size());
        return new Tensor(storage, shape, stride, (int) offset);
    }

    // ---------------------------------------------------------------- creation

    public static Tensor zeros(int... shape) {
        return full(shape, 0.0, DType.FLOAT32, Device.CPU);
    }

    public static Tensor zeros(int[] shape, DType dtype, Device device) {
        return full(shape, 0.0, dtype, device);
    }

    public static Tensor ones(int... shape) {
        return full(shape, 1.0, DType.FLOAT32, Device.CPU);
    }

    public static Tensor ones(int[] shape, DType dtype, Device device) {
        return full(shape, 1.0, dtype, device);
    }

    public static Tensor full(int[] shape, double value, DType dtype, Device device) {
        Shape.numel(shape);
        return wrap(Backends.of(device).full(shape.clone(), dtype, value, device));
    }

    /** A 0-D tensor. */
    public static Tensor scalar(double value, DType dtype) {
        return full(new int[0], value, dtype, Device.CPU);
    }

    public static Tensor zerosLike(Tensor x) {
        return full(x.shape, 0.0, x.dtype(), x.device());
    }

    public static Tensor onesLike(Tensor x) {
        return full(x.shape, 1.0, x.dtype(), x.device());
    }

    /** (n,) int64: 0, 1, ..., n-1. */
    public static Tensor arange(int n) {
        return arange(0, n, 1, DType.INT64, Device.CPU);
    }

    /** Values start, start + step, ... below end (above end for a negative step), as torch.arange. */
    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange: need finite start/end and a non-zero step, got start " + start
                    + ", end " + end + ", step " + step);
        }
        double count = Math.ceil((end - start) / step);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: " + count + " elements do not fit one tensor");
        }
        return wrap(Backends.of(device).arange(start, step, (int) Math.max(0, count), dtype, device));
    }

    /** (steps,) evenly spaced from start to end inclusive, as torch.linspace. */
    public static Tensor linspace(double start, double end, int steps, DType dtype, Device device) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        }
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        return wrap(Backends.of(device).arange(start, step, steps, dtype, device));
    }

    /** (n, n) identity. */
    public static Tensor eye(int n, DType dtype, Device device) {
        Tensor i = arange(0, n, 1, DType.INT64, device);
        return where(i.unsqueeze(1).eq(i.unsqueeze(0)), full(new int[0], 1, dtype, device),
                full(new int[0], 0, dtype, device));
    }

    /** A copy of {@code data} with the given shape (float32). */
    public static Tensor fromArray(float[] data, int... shape) {
        return fromJava(data, DType.FLOAT32, data.length, shape);
    }

    /** A copy of {@code data} with the given shape (float64). */
    public static Tensor fromArray(double[] data, int... shape) {
        return fromJava(data, DType.FLOAT64, data.length, shape);
    }

    /** A copy of {@code data} with the given shape (int64). */
    public static Tensor fromArray(long[] data, int... shape) {
        return fromJava(data, DType.INT64, data.length, shape);
    }

    /** A copy of {@code data} with the given shape (bool). */
    public static Tensor fromArray(boolean[] data, int... shape) {
        return fromJava(data, DType.BOOL, data.length, shape);
    }

    /** A 1-D float32 tensor of the values, as {@code torch.tensor([...])}. */
    public static Tensor of(float... values) {
        return fromArray(values, values.length);
    }

    /** A 1-D float64 tensor of the values. */
    public static Tensor of(double... values) {
        return fromArray(values, values.length);
    }

    private static Tensor fromJava(Object data, DType dtype, int length, int[] shape) {
        if (Shape.numel(shape) != length) {
            throw new IllegalArgumentException("fromArray: shape " + Shape.str(shape) + " needs " + Shape.numel(shape)
                    + " elements but the array has " + length);
        }
        return wrap(Backends.of(Device.CPU).fromArray(data, dtype, Device.CPU), shape);
    }

    /** Uniform in [0, 1), float32 on the CPU. */
    public static Tensor rand(Generator g, int... shape) {
        return uniform(g, 0, 1, shape, DType.FLOAT32, Device.CPU);
    }

    /** {@link #rand(Generator, int...)} drawing from {@link Generator#defaultGenerator()}, as torch.rand. */
    public static Tensor rand(int... shape) {
        return rand(Generator.defaultGenerator(), shape);
    }

    /**
     * A random permutation of 0..n-1 (int64), as torch.randperm: Fisher-Yates over float64 uniforms drawn
     * from g, so a seed gives the same permutation on every device.
     */
    public static Tensor randperm(int n, Generator g, Device device) {
        if (n < 0) {
            throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        }
        double[] u = uniform(g, 0, 1, new int[] {n}, DType.FLOAT64, Device.CPU).toDoubleArray();
        long[] perm = new long[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = Math.min(i, (int) (u[i] * (i + 1)));
            long t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return fromArray(perm, n).to(device);
    }

    /**
     * Integers uniform in [low, high) (int64), as torch.randint: the floor of float64 uniforms drawn from g on the
     * device, so a seed gives the same integers on every device.
     */
    public static Tensor randint(Generator g, long low, long high, int[] shape, Device device) {
        long range = high - low;                                              // negative when it overflows
        if (high <= low || range <= 0 || range > 1L << 52) {
            throw new IllegalArgumentException("randint: need low < high with high - low <= 2^52, got low " + low + ", high "
                    + high);
        }
        Tensor u = uniform(g, 0, 1, shape, DType.FLOAT64, device);
        return u.mul((double) range).floor().clamp(0, range - 1).add((double) low).to(DType.INT64);
    }

    public static Tensor randperm(int n, Generator g) {
        return randperm(n, g, Device.CPU);
    }

    public static Tensor randperm(int n) {
        return randperm(n, Generator.defaultGenerator(), Device.CPU);
    }

    /** Uniform in [low, high). */
    public static Tensor uniform(Generator g, double low, double high, int[] shape, DType dtype, Device device) {
        floatingDType("uniform", dtype);
        int n = Shape.numel(shape);
        return wrap(Backends.of(device).uniform(shape.clone(), dtype, low, high, g.seed(), g.reserve(n), device));
    }

    /** Standard normal, float32 on the CPU. */
    public static Tensor randn(Generator g, int... shape) {
        return normal(g, 0, 1, shape, DType.FLOAT32, Device.CPU);
    }

    /** {@link #randn(Generator, int...)} drawing from {@link Generator#defaultGenerator()}, as torch.randn. */
    public static Tensor randn(int... shape) {
        return randn(Generator.defaultGenerator(), shape);
    }

    public static Tensor normal(Generator g, double mean, double std, int[] shape, DType dtype, Device device) {
        floatingDType("normal", dtype);
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        }
        int n = Shape.numel(shape);
        return wrap(Backends.of(device).normal(shape.clone(), dtype, mean, std, g.seed(), g.reserve(n), device));
    }

    /** 0/1 values, 1 with probability p[i], of p's dtype (as torch.bernoulli). */
    public static Tensor bernoulli(Generator g, Tensor p) {
        Checks.floating("bernoulli", "p", p);
        Tensor u = uniform(g, 0, 1, p.shape, p.dtype(), p.device());
        return u.lt(p).to(p.dtype());
    }

    /** 0/1 values with probability p of 1. */
    public static Tensor bernoulli(Generator g, double p, int[] shape, DType dtype, Device device) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        }
        return uniform(g, 0, 1, shape, dtype, device).lt(p).to(dtype);
    }

    private static void floatingDType(String op, DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": dtype must be float32 or float64, got " + dtype);
        }
    }

    // ---------------------------------------------------------------- properties

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    /**
     * Frees this tensor's storage now (on a GPU, its device memory returns to the caching
     * allocator). The storage is shared by every view of it: all of them become unusable.
     */
    @Override
    public void close() {
        storage.release();
    }

    /** The storage this view reads (backends: {@code spi.Tensors.storage}). */
    Storage storage() {
        return storage;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shape.dim("size", dim, shape.length)];
    }

    public int[] stride() {
        return stride.clone();
    }

    public int stride(int dim) {
        return stride[Shape.dim("stride", dim, shape.length)];
    }

    public int storageOffset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public boolean isContiguous() {
        return Shape.isContiguous(shape, stride);
    }

    Backend backend() {
        return Backends.of(device());
    }

    // ---------------------------------------------------------------- copies out

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: only one-element tensors can be converted, got shape " + Shape.str(shape));
        }
        return toDoubleArray()[0];
    }

    public float[] toFloatArray() {
        Object a = backend().toArray(array());
        if (a instanceof float[] f) {
            return f;
        }
        return (float[]) backend().toArray(detach().to(DType.FLOAT32).array());
    }

    public double[] toDoubleArray() {
        Object a = backend().toArray(array());
        if (a instanceof double[] d) {
            return d;
        }
        return (double[]) backend().toArray(detach().to(DType.FLOAT64).array());
    }

    public long[] toLongArray() {
        Object a = backend().toArray(array());
        if (a instanceof long[] l) {
            return l;
        }
        return (long[]) backend().toArray(detach().to(DType.INT64).array());
    }

    public boolean[] toBooleanArray() {
        Object a = backend().toArray(array());
        if (a instanceof boolean[] b) {
            return b;
        }
        return (boolean[]) backend().toArray(detach().to(DType.BOOL).array());
    }

    /** The element at a full index (negative indices count from the end). */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape " + Shape.str(shape));
        }
        Tensor t = detach();
        for (int i = 0; i < index.length; i++) {
            t = t.select(0, index[i]);
        }
        return t.item();
    }

    // ---------------------------------------------------------------- device, dtype, copies

    public Tensor to(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        Tensor out = wrap(backend().cast(array(), dtype));
        return dtype.isFloatingPoint() ? AutogradLink.record(new Op.Cast(dtype()), out, this) : out;
    }

    public Tensor to(Device device) {
        return to(device, false);
    }

    /**
     * As {@link #to(Device)}; with {@code nonBlocking} a CPU tensor's copy to a CUDA device does not wait for the
     * device's queued work: it is staged in pinned memory and runs behind that work, before whatever is queued
     * after it (torch's {@code .to(device, non_blocking=True)} from pinned memory). Other copies block as before.
     */
    public Tensor to(Device device, boolean nonBlocking) {
        if (device.equals(device())) {
            return this;
        }
        Object host = backend().toArray(array());
        Backend target = Backends.of(device);
        Storage moved = nonBlocking ? target.fromArrayNonBlocking(host, dtype(), device) : target.fromArray(host, dtype(), device);
        return AutogradLink.record(new Op.ToDevice(device()), wrap(moved, shape), this);
    }

    public Tensor contiguous() {
        return isContiguous() ? this : clone();
    }

    /** A new tensor with its own storage. */
    public Tensor clone() {
        return AutogradLink.record(new Op.Clone(), wrap(backend().contiguous(array())), this);
    }

    /**
     * Copies src (broadcast to this shape) into this view, in place; returns this. As PyTorch's
     * copy_, src may be on another device or of another dtype (it is moved and converted first),
     * and may overlap this view (it is read as it was before the copy).
     */
    public Tensor copy_(Tensor src) {
        if (!Arrays.equals(Shape.broadcast("copy_", shape, src.shape), shape)) {
            throw new IllegalArgumentException("copy_: src of shape " + Shape.str(src.shape)
                    + " does not broadcast to self of shape " + Shape.str(shape));
        }
        checkInPlace("copy_", src);
        checkNoInternalOverlap("copy_");
        if (isSameView(src)) {
            return this;
        }
        src = src.to(device()).to(dtype());
        if (src.storage == storage) {
            src = wrap(backend().contiguous(src.array())); // a snapshot: the kernels may write an element before reading it
        }
        backend().copyInto(array(), src.array());
        storage.bumpVersion();
        return this;
    }

    private boolean isSameView(Tensor o) {
        return o.storage == storage && o.offset == offset && Arrays.equals(o.shape, shape) && Arrays.equals(o.stride, stride);
    }

    /** PyTorch's rule for in-place writes: no two elements of the written view may share memory. */
    private void checkNoInternalOverlap(String op) {
        for (int i = 0; i < shape.length; i++) {
            if (stride[i] == 0 && shape[i] > 1) {
                throw new IllegalArgumentException(op + ": more than one element of the written-to tensor (shape "
                        + Shape.str(shape) + ", stride " + Shape.str(stride) + ") refers to a single memory location,"
                        + " as in an expanded view; clone() it before writing");
            }
        }
    }

    /** Fills this view with value, in place; returns this. */
    public Tensor fill_(double value) {
        return copy_(full(new int[0], value, dtype(), device()));
    }

    // ---------------------------------------------------------------- views

    /** A view with a new shape (one dim may be -1); throws if the strides do not allow a view. */
    public Tensor view(int... newShape) {
        int[] target = Shape.infer("view", newShape, shape);
        int[] newStride = Shape.viewStrides(shape, stride, target);
        if (newStride == null) {
            throw new IllegalArgumentException("view: shape " + Shape.str(target) + " is not compatible with the strides "
                    + Shape.str(stride) + " of a tensor of shape " + Shape.str(shape) + "; use reshape (which copies)");
        }
        return reshaped(viewOf("view", storage, target, newStride, offset));
    }

    /** As view, but copies when the strides do not allow a view. */
    public Tensor reshape(int... newShape) {
        int[] target = Shape.infer("reshape", newShape, shape);
        return Shape.viewStrides(shape, stride, target) != null ? view(target) : contiguous().view(target);
    }

    /** Records a view of this tensor with the same elements in a new shape. */
    private Tensor reshaped(Tensor out) {
        return AutogradLink.record(new Op.Reshape(shape.clone()), out, this);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    /** Flattens dims start..end (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        if (shape.length == 0) {
            return reshape(1);
        }
        int s = Shape.dim("flatten", startDim, shape.length);
        int e = Shape.dim("flatten", endDim, shape.length);
        if (s > e) {
            throw new IllegalArgumentException("flatten: start dim " + startDim + " comes after end dim " + endDim);
        }
        int[] out = new int[shape.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            out[k++] = shape[i];
        }
        int m = 1;
        for (int i = s; i <= e; i++) {
            m *= shape[i];
        }
        out[k++] = m;
        for (int i = e + 1; i < shape.length; i++) {
            out[k++] = shape[i];
        }
        return reshape(out);
    }

    public Tensor permute(int... dims) {
        if (dims.length != shape.length) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims given for a tensor of rank " + shape.length
                    + " (shape " + Shape.str(shape) + ")");
        }
        int[] newShape = new int[dims.length];
        int[] newStride = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.dim("permute", dims[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dim " + d + " repeats in " + Arrays.toString(dims));
            }
            seen[d] = true;
            newShape[i] = shape[d];
            newStride[i] = stride[d];
        }
        int[] normalized = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            normalized[i] = Shape.dim("permute", dims[i], shape.length);
        }
        return AutogradLink.record(new Op.Permute(normalized), new Tensor(storage, newShape, newStride, offset), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        if (shape.length == 0) {
            return this;
        }
        int a = Shape.dim("transpose", dim0, shape.length);
        int b = Shape.dim("transpose", dim1, shape.length);
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Transpose of a tensor of rank &lt;= 2, as torch.Tensor.t. */
    public Tensor t() {
        if (shape.length > 2) {
            throw new IllegalArgumentException("t: expects a tensor of rank <= 2, got shape " + Shape.str(shape)
                    + "; use transpose(dim0, dim1) or mT()");
        }
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /** Transpose of the last two dims. */
    public Tensor mT() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("mT: needs rank >= 2, got shape " + Shape.str(shape));
        }
        return transpose(-2, -1);
    }

    /** Elements start..start+length-1 along dim (a view). */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, shape.length);
        long s = start < 0 ? (long) start + shape[d] : start;
        if (s < 0 || length < 0 || s + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length
                    + " exceed size " + shape[d] + " of dim " + d + " (shape " + Shape.str(shape) + ")");
        }
        int[] newShape = shape.clone();
        newShape[d] = length;
        return AutogradLink.record(new Op.Slice(shape.clone(), d, (int) s, length, 1),
                viewOf("narrow", storage, newShape, stride.clone(), offset + s * stride[d]), this);
    }

    /** x[start:end:step] along dim, Python slice rules (clamped, negative indices from the end). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shape.dim("slice", dim, shape.length);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int n = shape[d];
        int s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e = Math.min(Math.max(end < 0 ? end + n : end, 0), n);
        int len = e > s ? (int) (((long) e - s + step - 1) / step) : 0;
        int[] newShape = shape.clone();
        int[] newStride = stride.clone();
        newShape[d] = len;
        // step < n when len > 1, so the product stays inside the storage; with one element any stride reads it
        newStride[d] = len > 1 ? stride[d] * step : stride[d];
        return AutogradLink.record(new Op.Slice(shape.clone(), d, s, len, step),
                viewOf("slice", storage, newShape, newStride, offset + (len > 0 ? (long) s * stride[d] : 0)), this);
    }

    /** The slice at {@code index} along dim, with that dim removed (a view). */
    public Tensor select(int dim, int index) {
        int d = Shape.dim("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of bounds for dim " + d
                    + " with size " + shape[d] + " (shape " + Shape.str(shape) + ")");
        }
        return AutogradLink.record(new Op.Select(shape.clone(), d, i),
                viewOf("select", storage, Shape.remove(shape, d), Shape.remove(stride, d), offset + (long) i * stride[d]), this);
    }

    /**
     * Every slice along dim with that dim removed (views), as torch.unbind: one autograd node for all of them, so a loop
     * over the slices (a recurrent layer's steps) backpropagates in one stack instead of a zero-filled copy per slice.
     */
    public Tensor[] unbind(int dim) {
        int d = Shape.dim("unbind", dim, shape.length);
        int[] sliceShape = Shape.remove(shape, d);
        int[] sliceStride = Shape.remove(stride, d);
        Tensor[] out = new Tensor[shape[d]];
        for (int i = 0; i < out.length; i++) {
            out[i] = viewOf("unbind", storage, sliceShape, sliceStride, offset + (long) i * stride[d]);
        }
        return out.length == 0 ? out : AutogradLink.record(new Op.Unbind(shape.clone(), d), out, this);
    }

    /** Broadcast view to {@code newShape}; -1 keeps a size; new leading dims are allowed. */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: target " + Shape.str(newShape) + " has fewer dims than shape "
                    + Shape.str(shape));
        }
        int lead = newShape.length - shape.length;
        int[] outShape = new int[newShape.length];
        int[] outStride = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int target = newShape[i];
            if (target < -1) {
                throw new IllegalArgumentException("expand: the expanded size " + target + " at dim " + i
                        + " is not allowed (target " + Shape.str(newShape) + ", shape " + Shape.str(shape) + ")");
            }
            if (i < lead) {
                if (target < 0) {
                    throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dim, got "
                            + Shape.str(newShape));
                }
                outShape[i] = target;
                outStride[i] = 0;
                continue;
            }
            int cur = shape[i - lead];
            if (target == -1 || target == cur) {
                outShape[i] = cur;
                outStride[i] = stride[i - lead];
            } else if (cur == 1) {
                outShape[i] = target;
                outStride[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: size " + cur + " at dim " + (i - lead) + " of shape "
                        + Shape.str(shape) + " cannot expand to " + target + " (target " + Shape.str(newShape) + ")");
            }
        }
        return AutogradLink.record(new Op.Expand(shape.clone()), viewOf("expand", storage, outShape, outStride, offset), this);
    }

    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** Removes all size-1 dims. */
    public Tensor squeeze() {
        int n = 0;
        for (int d : shape) {
            n += d == 1 ? 0 : 1;
        }
        int[] s = new int[n];
        int[] st = new int[n];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                s[k] = shape[i];
                st[k++] = stride[i];
            }
        }
        return reshaped(new Tensor(storage, s, st, offset));
    }

    /** Removes dim if its size is 1 (otherwise returns this view unchanged, as PyTorch). */
    public Tensor squeeze(int dim) {
        if (shape.length == 0) {
            return this;
        }
        int d = Shape.dim("squeeze", dim, shape.length);
        return shape[d] != 1 ? this : reshaped(new Tensor(storage, Shape.remove(shape, d), Shape.remove(stride, d), offset));
    }

    public Tensor unsqueeze(int dim) {
        int d = Shape.dim("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1];
        int[] st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                // a size-1 dim's stride is never multiplied by an index; keep it in int range
                st[i] = d < shape.length ? (int) Math.min((long) stride[d] * shape[d], Integer.MAX_VALUE) : 1;
            } else {
                s[i] = shape[j];
                st[i] = stride[j++];
            }
        }
        return reshaped(new Tensor(storage, s, st, offset));
    }


    // ---------------------------------------------------------------- elementwise

    private Tensor unary(UnaryOp op) {
        if (op == UnaryOp.LOGICAL_NOT) {
            Checks.dtype("logical_not", "input", this, DType.BOOL);
        } else if (!(dtype().isFloatingPoint() || (op.integral() && dtype() == DType.INT64))) {
            throw new IllegalArgumentException(op.opName() + ": not defined for " + dtype() + " (shape "
                    + Shape.str(shape) + ")" + (op.integral() ? "" : "; convert with .to(DType.FLOAT32) first"));
        }
        return AutogradLink.record(new Op.Unary(op), wrap(backend().unary(op, array())), this);
    }

    private Tensor binary(BinaryOp op, Tensor other) {
        DType promoted = Autocast.promote(this, other);
        if (promoted != null) {
            return to(promoted).binary(op, other.to(promoted));
        }
        Device d = deviceOf(this, other);
        if (isCpuScalarOff(d) || other.isCpuScalarOff(d)) {
            return to(d).binary(op, other.to(d));
        }
        Checks.compatible(op.opName(), "self", this, "other", other);
        if (op.logical()) {
            Checks.dtype(op.opName(), "self", this, DType.BOOL);
        } else if (!(dtype().isFloatingPoint() || (op.integral() && dtype() == DType.INT64))) {
            throw new IllegalArgumentException(op.opName() + ": not defined for " + dtype() + " (shapes "
                    + Shape.str(shape) + " and " + Shape.str(other.shape) + "); convert with .to(DType.FLOAT32) first");
        }
        Shape.broadcast(op.opName(), shape, other.shape);
        return AutogradLink.record(new Op.Binary(op), wrap(backend().binary(op, array(), other.array())), this, other);
    }

    /**
     * PyTorch's rule: a 0-d CPU tensor combines with tensors on any device as a scalar. An op over
     * several tensors runs on the device of the first that is not a 0-d CPU tensor (so
     * {@code x.add(Tensor.scalar(1, ...))} works on a GPU); the 0-d CPU ones are moved there.
     */
    private static Device deviceOf(Tensor... operands) {
        for (Tensor t : operands) {
            if (t.shape.length != 0 || !t.device().equals(Device.CPU)) {
                return t.device();
            }
        }
        return Device.CPU;
    }

    private boolean isCpuScalarOff(Device d) {
        return shape.length == 0 && device().equals(Device.CPU) && !d.equals(Device.CPU);
    }

    private Tensor scalarLike(double value) {
        return full(new int[0], value, dtype(), device());
    }

    public Tensor add(Tensor o) {
        return binary(BinaryOp.ADD, o);
    }

    public Tensor add(double v) {
        return binary(BinaryOp.ADD, scalarLike(v));
    }

    /** self + alpha * other, as torch.add(self, other, alpha=alpha). */
    public Tensor add(Tensor o, double alpha) {
        return add(scaled("add", o, alpha));
    }

    public Tensor sub(Tensor o) {
        return binary(BinaryOp.SUB, o);
    }

    public Tensor sub(double v) {
        return binary(BinaryOp.SUB, scalarLike(v));
    }

    /** self - alpha * other, as torch.sub(self, other, alpha=alpha). */
    public Tensor sub(Tensor o, double alpha) {
        return sub(scaled("sub", o, alpha));
    }

    /** alpha * o for the alpha argument of add, sub and index_add (o itself when alpha is 1). */
    private Tensor scaled(String op, Tensor o, double alpha) {
        if (!dtype().isFloatingPoint() && alpha != Math.rint(alpha)) {
            throw new IllegalArgumentException(op + ": for integral input tensors, argument alpha must not be a floating"
                    + " point number, got alpha " + alpha + " (shapes " + Shape.str(shape) + " and " + Shape.str(o.shape) + ")");
        }
        return alpha == 1 ? o : o.mul(alpha);
    }

    /** v - this. */
    public Tensor rsub(double v) {
        return scalarLike(v).binary(BinaryOp.SUB, this);
    }

    public Tensor mul(Tensor o) {
        return binary(BinaryOp.MUL, o);
    }

    public Tensor mul(double v) {
        return binary(BinaryOp.MUL, scalarLike(v));
    }

    public Tensor div(Tensor o) {
        return binary(BinaryOp.DIV, o);
    }

    public Tensor div(double v) {
        return binary(BinaryOp.DIV, scalarLike(v));
    }

    /**
     * Division rounded as roundingMode says, as torch.div(self, other, rounding_mode=...): null is
     * true division, "trunc" rounds toward zero, "floor" toward -inf (Python's //); on float and int64.
     */
    public Tensor div(Tensor o, String roundingMode) {
        if (roundingMode == null) {
            return div(o);
        }
        BinaryOp op = switch (roundingMode) {
            case "trunc" -> BinaryOp.DIV_TRUNC;
            case "floor" -> BinaryOp.DIV_FLOOR;
            default -> throw new IllegalArgumentException("div: expected rounding_mode to be one of None, 'trunc', or"
                    + " 'floor' but found '" + roundingMode + "'");
        };
        if (dtype() == DType.INT64 && o.dtype() == DType.INT64 && o.eq(0).to(DType.INT64).sum().item() != 0) {
            throw new ArithmeticException("div: integer division by zero (rounding_mode '" + roundingMode + "', self "
                    + Shape.str(shape) + ", other " + Shape.str(o.shape) + ")");
        }
        return binary(op, o);
    }

    public Tensor div(double v, String roundingMode) {
        return div(scalarLike(v), roundingMode);
    }

    public Tensor pow(Tensor o) {
        return binary(BinaryOp.POW, o);
    }

    public Tensor pow(double v) {
        return binary(BinaryOp.POW, scalarLike(v));
    }

    public Tensor maximum(Tensor o) {
        return binary(BinaryOp.MAXIMUM, o);
    }

    public Tensor minimum(Tensor o) {
        return binary(BinaryOp.MINIMUM, o);
    }

    /** Elements clamped to [min, max] (NaN stays NaN). */
    public Tensor clamp(double min, double max) {
        Tensor lo = scalarLike(min);
        Tensor hi = scalarLike(max);
        Tensor value = detach().binary(BinaryOp.MAXIMUM, lo).binary(BinaryOp.MINIMUM, hi); // min > max gives max, as PyTorch
        if (!requiresGrad() || !GradMode.isEnabled()) {
            return value;
        }
        // PyTorch's clamp backward: all of the gradient where min <= x <= max, none elsewhere (nor at NaN);
        // maximum/minimum would split it at a tie
        return where(ge(lo).logicalAnd(le(hi)), this, value);
    }

    /**
     * Elements clamped to tensor bounds, as torch.clamp(self, min, max): either bound may be null,
     * all three broadcast; a NaN in self or a bound gives NaN, and where min > max the result is max.
     * Gradients go where PyTorch's clamp backward sends them: to self where min &lt;= self &lt;= max, to min
     * where self &lt; min &lt; max, to max where self > max or max &lt; min (nowhere at NaNs).
     */
    public Tensor clamp(Tensor min, Tensor max) {
        if (min == null && max == null) {
            throw new IllegalArgumentException("clamp: at least one of 'min' or 'max' must not be None (shape "
                    + Shape.str(shape) + ")");
        }
        Tensor value = detach(); // min(max(x, min), max), NaN-propagating: the value where no input takes the gradient
        Tensor takeSelf = null;
        if (min != null) {
            Checks.compatible("clamp", "self", this, "min", min);
            value = value.maximum(min.detach());
            takeSelf = ge(min);
        }
        if (max != null) {
            Checks.compatible("clamp", "self", this, "max", max);
            value = value.minimum(max.detach());
            takeSelf = takeSelf == null ? le(max) : takeSelf.logicalAnd(le(max));
        }
        Tensor y = value;
        if (max != null) {
            y = where(min == null ? gt(max) : gt(max).logicalOr(max.lt(min)), max, y);
        }
        if (min != null) {
            y = where(max == null ? lt(min) : lt(min).logicalAnd(min.lt(max)), min, y);
        }
        return where(takeSelf, this, y);
    }

    /** Elementwise AND of truth values (non-zero, NaN included, is true), as torch.logical_and; bool result. */
    public Tensor logicalAnd(Tensor o) {
        return truth().binary(BinaryOp.LOGICAL_AND, o.truth());
    }

    public Tensor logicalOr(Tensor o) {
        return truth().binary(BinaryOp.LOGICAL_OR, o.truth());
    }

    /** True where the element is zero (false), as torch.logical_not; bool result. */
    public Tensor logicalNot() {
        return dtype() == DType.BOOL ? unary(UnaryOp.LOGICAL_NOT) : eq(0);
    }

    /** This tensor as bool: x != 0, so NaN is true (as PyTorch's logical ops read any dtype). */
    private Tensor truth() {
        return dtype() == DType.BOOL ? this : ne(0);
    }

    public Tensor neg() {
        return unary(UnaryOp.NEG);
    }

    public Tensor abs() {
        return unary(UnaryOp.ABS);
    }

    public Tensor sign() {
        return unary(UnaryOp.SIGN);
    }

    public Tensor exp() {
        return unary(UnaryOp.EXP);
    }

    public Tensor log() {
        return unary(UnaryOp.LOG);
    }

    public Tensor log1p() {
        return unary(UnaryOp.LOG1P);
    }

    public Tensor expm1() {
        return unary(UnaryOp.EXPM1);
    }

    public Tensor sqrt() {
        return unary(UnaryOp.SQRT);
    }

    public Tensor rsqrt() {
        return unary(UnaryOp.RSQRT);
    }

    public Tensor reciprocal() {
        return unary(UnaryOp.RECIPROCAL);
    }

    public Tensor square() {
        return unary(UnaryOp.SQUARE);
    }

    public Tensor sin() {
        return unary(UnaryOp.SIN);
    }

    public Tensor cos() {
        return unary(UnaryOp.COS);
    }

    /** The arctangent, in (-pi/2, pi/2), as torch.atan. */
    public Tensor atan() {
        return unary(UnaryOp.ATAN);
    }

    public Tensor tanh() {
        return unary(UnaryOp.TANH);
    }

    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID);
    }

    public Tensor relu() {
        return unary(UnaryOp.RELU);
    }

    /** x * sigmoid(x) in one pass: {@link Functional#silu}'s primitive (torch has it as F.silu only). */
    Tensor silu() {
        return unary(UnaryOp.SILU);
    }

    public Tensor gelu() {
        return unary(UnaryOp.GELU);
    }

    /** GELU with approximate "none" (exact, with erf) or "tanh", as F.gelu(x, approximate=...). */
    public Tensor gelu(String approximate) {
        return switch (approximate) {
            case "none" -> gelu();
            case "tanh" -> unary(UnaryOp.GELU_TANH);
            default -> throw new IllegalArgumentException("gelu: approximate argument must be either none or tanh, got '"
                    + approximate + "'");
        };
    }

    public Tensor erf() {
        return unary(UnaryOp.ERF);
    }

    public Tensor floor() {
        return unary(UnaryOp.FLOOR);
    }

    public Tensor ceil() {
        return unary(UnaryOp.CEIL);
    }

    /** Round half to even, as torch.round. */
    public Tensor round() {
        return unary(UnaryOp.ROUND);
    }

    /**
     * Round half to even at {@code decimals} places (negative: to tens, hundreds, ...), as
     * torch.round(x, decimals=d): PyTorch's round(x * 10^d) / 10^d, or round(x / 10^-d) * 10^-d
     * for d &lt; 0, in the tensor's dtype.
     */
    public Tensor round(int decimals) {
        Checks.floating("round", "input", this);
        if (decimals == 0) {
            return round();
        }
        double tenPow = Math.pow(10, Math.abs(decimals));
        return decimals > 0 ? mul(tenPow).round().div(tenPow) : div(tenPow).round().mul(tenPow);
    }

    // ---------------------------------------------------------------- comparisons and where

    private Tensor compare(CompareOp op, Tensor o) {
        DType promoted = Autocast.promote(this, o);
        if (promoted != null) {
            return to(promoted).compare(op, o.to(promoted));
        }
        Device d = deviceOf(this, o);
        if (isCpuScalarOff(d) || o.isCpuScalarOff(d)) {
            return to(d).compare(op, o.to(d));
        }
        Checks.compatible(op.opName(), "self", this, "other", o);
        if (dtype() == DType.BOOL && op != CompareOp.EQ && op != CompareOp.NE) {
            throw new IllegalArgumentException(op.opName() + ": bool tensors support only eq and ne (shape "
                    + Shape.str(shape) + ")");
        }
        Shape.broadcast(op.opName(), shape, o.shape);
        return wrap(backend().compare(op, array(), o.array()));
    }

    public Tensor eq(Tensor o) {
        return compare(CompareOp.EQ, o);
    }

    public Tensor eq(double v) {
        return compare(CompareOp.EQ, scalarLike(v));
    }

    public Tensor ne(Tensor o) {
        return compare(CompareOp.NE, o);
    }

    public Tensor ne(double v) {
        return compare(CompareOp.NE, scalarLike(v));
    }

    public Tensor lt(Tensor o) {
        return compare(CompareOp.LT, o);
    }

    public Tensor lt(double v) {
        return compare(CompareOp.LT, scalarLike(v));
    }

    public Tensor le(Tensor o) {
        return compare(CompareOp.LE, o);
    }

    public Tensor le(double v) {
        return compare(CompareOp.LE, scalarLike(v));
    }

    public Tensor gt(Tensor o) {
        return compare(CompareOp.GT, o);
    }

    public Tensor gt(double v) {
        return compare(CompareOp.GT, scalarLike(v));
    }

    public Tensor ge(Tensor o) {
        return compare(CompareOp.GE, o);
    }

    public Tensor ge(double v) {
        return compare(CompareOp.GE, scalarLike(v));
    }

    /** cond ? a : b elementwise with broadcasting, as torch.where. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType promoted = Autocast.promote(a, b);
        if (promoted != null) {
            return where(cond, a.to(promoted), b.to(promoted));
        }
        Device d = deviceOf(cond, a, b);
        if (cond.isCpuScalarOff(d) || a.isCpuScalarOff(d) || b.isCpuScalarOff(d)) {
            return where(cond.to(d), a.to(d), b.to(d));
        }
        Checks.dtype("where", "condition", cond, DType.BOOL);
        Checks.compatible("where", "input", a, "other", b);
        Checks.sameDevice("where", "condition", cond, "input", a);
        Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        return AutogradLink.record(new Op.Where(), wrap(a.backend().where(cond.array(), a.array(), b.array())), cond, a, b);
    }

    /** True when every element is within atol + rtol * |other| (NaN equal to NaN only if equalNan). */
    public boolean allclose(Tensor other, double rtol, double atol) {
        Checks.sameDevice("allclose", "self", this, "other", other);
        Shape.broadcast("allclose", shape, other.shape);
        Tensor a = detach().to(DType.FLOAT64);
        Tensor b = other.detach().to(DType.FLOAT64);
        Tensor ok = a.sub(b).abs().le(b.abs().mul(rtol).add(atol));
        return ok.logicalNot().to(DType.INT64).sum().item() == 0;
    }

    // ---------------------------------------------------------------- reductions

    private int[] reduceDims(String op, int[] dims) {
        if (dims.length == 0) {
            int[] all = new int[shape.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[Math.max(shape.length, 1)];
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Shape.dim(op, dims[i], shape.length);
            if (seen[out[i]]) {
                throw new IllegalArgumentException(op + ": dim " + out[i] + " appears twice in " + Arrays.toString(dims));
            }
            seen[out[i]] = true;
        }
        if (shape.length == 0) {
            return new int[0];
        }
        Arrays.sort(out);
        return out;
    }

    private Tensor reduce(ReduceOp op, int[] dims, boolean keepdim) {
        if (op == ReduceOp.MEAN) {
            Checks.floating("mean", "input", this);
        } else if (dtype() == DType.BOOL && (op == ReduceOp.SUM || op == ReduceOp.PROD)) {
            return to(DType.INT64).reduce(op, dims, keepdim);   // counts, as PyTorch: sum of a mask is int64
        } else if (dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op.opName() + ": not defined for bool; convert with .to(DType.INT64) first");
        }
        int[] d = reduceDims(op.opName(), dims);
        if (op == ReduceOp.MAX || op == ReduceOp.MIN) {
            for (int dim : d) {
                if (shape[dim] == 0) { // an empty kept dim is fine: the result is empty too, as in PyTorch
                    throw new IllegalArgumentException(op.opName() + ": reduced dim " + dim + " of shape "
                            + Shape.str(shape) + " is empty, so it has no extreme value");
                }
            }
        }
        return AutogradLink.record(new Op.Reduce(op, d, keepdim), wrap(backend().reduce(op, array(), d, keepdim)), this);
    }

    /** Sum of all elements (0-D). */
    public Tensor sum() {
        return reduce(ReduceOp.SUM, new int[0], false);
    }

    public Tensor sum(int... dims) {
        return reduce(ReduceOp.SUM, dims, false);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        return reduce(ReduceOp.SUM, dims, keepdim);
    }

    public Tensor mean() {
        return reduce(ReduceOp.MEAN, new int[0], false);
    }

    public Tensor mean(int... dims) {
        return reduce(ReduceOp.MEAN, dims, false);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        return reduce(ReduceOp.MEAN, dims, keepdim);
    }

    public Tensor prod(int[] dims, boolean keepdim) {
        return reduce(ReduceOp.PROD, dims, keepdim);
    }

    /** Largest element (0-D); NaN if any is NaN. */
    public Tensor max() {
        return reduce(ReduceOp.MAX, new int[0], false);
    }

    public Tensor min() {
        return reduce(ReduceOp.MIN, new int[0], false);
    }

    public Tensor amax(int[] dims, boolean keepdim) {
        return reduce(ReduceOp.MAX, dims, keepdim);
    }

    public Tensor amin(int[] dims, boolean keepdim) {
        return reduce(ReduceOp.MIN, dims, keepdim);
    }

    /** Values and indices of the maxima along dim, as torch.max(x, dim). */
    public ValuesIndices max(int dim, boolean keepdim) {
        return withIndices(ReduceOp.MAX, dim, keepdim);
    }

    public ValuesIndices min(int dim, boolean keepdim) {
        return withIndices(ReduceOp.MIN, dim, keepdim);
    }

    public Tensor argmax(int dim, boolean keepdim) {
        return withIndices(ReduceOp.MAX, dim, keepdim).indices();
    }

    /** Indices of the largest elements along dim, dim removed (as torch.argmax(x, dim)). */
    public Tensor argmax(int dim) {
        return argmax(dim, false);
    }

    public Tensor argmin(int dim, boolean keepdim) {
        return withIndices(ReduceOp.MIN, dim, keepdim).indices();
    }

    public Tensor argmin(int dim) {
        return argmin(dim, false);
    }

    /** Index into the flattened tensor of its largest element. */
    public Tensor argmax() {
        return flatten().argmax(0, false);
    }

    private ValuesIndices withIndices(ReduceOp op, int dim, boolean keepdim) {
        String name = op == ReduceOp.MAX ? "max" : "min";
        if (dtype() == DType.BOOL) {
            throw new IllegalArgumentException(name + ": not defined for bool; convert with .to(DType.INT64) first");
        }
        int d = Shape.dim(name, dim, shape.length);
        if (shape.length > 0 && shape[d] == 0) {
            throw new IllegalArgumentException(name + ": dim " + d + " of shape " + Shape.str(shape) + " is empty");
        }
        int axis = shape.length == 0 ? 0 : d;
        Tensor[] r = AutogradLink.record(new Op.ReduceWithIndices(op, axis, keepdim),
                wrap(backend().reduceWithIndices(op, array(), axis, keepdim)), this);
        return new ValuesIndices(r[0], r[1]);
    }

    /** Variance over dims with Bessel's correction (correction = 1), as torch.var. */
    public Tensor var(int[] dims, double correction, boolean keepdim) {
        Checks.floating("var", "input", this);
        int[] d = reduceDims("var", dims);
        return AutogradLink.record(new Op.Variance(d, correction, keepdim),
                wrap(backend().variance(array(), d, correction, keepdim)), this);
    }

    public Tensor var() {
        return var(new int[0], 1, false);
    }

    public Tensor std(int[] dims, double correction, boolean keepdim) {
        return var(dims, correction, keepdim).sqrt();
    }

    // ---------------------------------------------------------------- linear algebra

    /** torch.matmul: dot, matrix-vector, matrix-matrix, and batched with broadcast batch dims. */
    public Tensor matmul(Tensor other) {
        if (Autocast.dtype() != null) {   // in the autocast dtype: both operands cast once, then this again
            Tensor a = Autocast.lower(this);
            Tensor b = Autocast.lower(other);
            if (a != this || b != other) {
                return a.matmul(b);
            }
        }
        Checks.compatible("matmul", "self", this, "other", other);
        Checks.floating("matmul", "self", this);
        if (shape.length == 0 || other.shape.length == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got shapes " + Shape.str(shape)
                    + " and " + Shape.str(other.shape));
        }
        Tensor a = shape.length == 1 ? unsqueeze(0) : this;
        Tensor b = other.shape.length == 1 ? other.unsqueeze(1) : other;
        int k = a.shape[a.shape.length - 1];
        if (k != b.shape[b.shape.length - 2]) {
            throw new IllegalArgumentException("matmul: self of shape " + Shape.str(shape) + " and other of shape "
                    + Shape.str(other.shape) + " cannot be multiplied (" + k + " vs " + b.shape[b.shape.length - 2] + ")");
        }
        Shape.broadcast("matmul (batch dims)", Arrays.copyOf(a.shape, a.shape.length - 2),
                Arrays.copyOf(b.shape, b.shape.length - 2));
        Tensor out;
        if (a.shape.length >= 3 && b.shape.length == 2) {
            // (..., M, K) @ (K, N) as one (... * M, K) @ (K, N) product, as PyTorch folds it: one large GEMM instead of
            // a small one per batch entry, and other's gradient one product instead of a batch of them summed
            int[] lead = Arrays.copyOf(a.shape, a.shape.length);
            lead[lead.length - 1] = b.shape[1];
            out = a.reshape(Shape.numel(Arrays.copyOf(a.shape, a.shape.length - 1)), k).matmul(b).reshape(lead);
        } else {
            out = AutogradLink.record(new Op.Matmul(), wrap(backend().matmul(a.array(), b.array())), a, b);
        }
        if (other.shape.length == 1) {
            out = out.squeeze(-1);
        }
        if (shape.length == 1) {
            out = out.squeeze(other.shape.length == 1 ? -1 : -2);
        }
        return out;
    }

    /** 2-D matrix product, as torch.mm. */
    public Tensor mm(Tensor other) {
        Checks.rank("mm", "self", this, 2, "(M, K)");
        Checks.rank("mm", "mat2", other, 2, "(K, N)");
        return matmul(other);
    }

    /** Batched product of (B, M, K) and (B, K, N), as torch.bmm. */
    public Tensor bmm(Tensor other) {
        Checks.rank("bmm", "self", this, 3, "(B, M, K)");
        Checks.rank("bmm", "mat2", other, 3, "(B, K, N)");
        if (shape[0] != other.shape[0]) {
            throw new IllegalArgumentException("bmm: batch sizes differ: self " + Shape.str(shape) + ", mat2 "
                    + Shape.str(other.shape));
        }
        return matmul(other);
    }

    // ---------------------------------------------------------------- indexing

    private void checkIndexLike(String op, Tensor index, Tensor src, int d) {
        Checks.dtype(op, "index", index, DType.INT64);
        Checks.sameDevice(op, "self", this, "index", index);
        Tensor like = src == null ? index : src;
        if (index.dim() != dim() || (src != null && src.dim() != dim())) {
            throw new IllegalArgumentException(op + ": index " + Shape.str(index.shape)
                    + (src == null ? "" : " and src " + Shape.str(src.shape)) + " must have the rank of self "
                    + Shape.str(shape));
        }
        for (int i = 0; i < shape.length; i++) {
            if ((i != d && index.shape[i] > shape[i]) || index.shape[i] > like.shape[i]) {
                throw new IllegalArgumentException(op + ": index of shape " + Shape.str(index.shape)
                        + " is larger than self " + Shape.str(shape) + (src == null ? "" : " or src " + Shape.str(src.shape))
                        + " at dim " + i);
            }
        }
    }

    /** A 0-d tensor as 1-d of one element, as PyTorch's indexing ops see it; others as they are. */
    private Tensor atLeast1d() {
        return shape.length == 0 ? reshape(1) : this;
    }

    /**
     * out[i][j] = self[i][index[i][j]] (dim = 1), as torch.gather; a 0-d self or index counts as 1-d
     * of one element, and the output has the index's shape.
     */
    public Tensor gather(int dim, Tensor index) {
        int d = Shape.dim("gather", dim, shape.length);
        if (shape.length == 0 || index.dim() == 0) {
            return atLeast1d().gather(d, index.atLeast1d()).reshape(index.shape);
        }
        checkIndexLike("gather", index, null, d);
        return AutogradLink.record(new Op.Gather(d), wrap(backend().gather(array(), d, index.array())), this, index);
    }

    /** A copy of self with src added at index along dim, as torch.scatter_add; 0-d operands count as 1-d. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        int d = Shape.dim("scatter_add", dim, shape.length);
        Checks.compatible("scatter_add", "self", this, "src", src);
        if (shape.length == 0 || index.dim() == 0 || src.dim() == 0) {
            return atLeast1d().scatterAdd(d, index.atLeast1d(), src.atLeast1d()).reshape(shape);
        }
        checkIndexLike("scatter_add", index, src, d);
        return AutogradLink.record(new Op.ScatterAdd(d),
                wrap(backend().scatterAdd(array(), d, index.array(), src.array())), this, index, src);
    }

    /**
     * The entries at the 1-D int64 index along dim, as torch.index_select; a 0-d index gives one entry,
     * and a 0-d self takes an index of one element and gives a 0-d result.
     */
    public Tensor indexSelect(int dim, Tensor index) {
        int d = Shape.dim("index_select", dim, shape.length);
        Checks.dtype("index_select", "index", index, DType.INT64);
        Checks.sameDevice("index_select", "self", this, "index", index);
        if (index.dim() > 1) {
            throw new IllegalArgumentException("index_select: index must be 1-D, got shape " + Shape.str(index.shape));
        }
        if (shape.length == 0) {
            if (index.numel() != 1) { // PyTorch returns uninitialised memory for an empty one
                throw new IllegalArgumentException("index_select: a 0-d self takes an index of one element, got index of"
                        + " shape " + Shape.str(index.shape));
            }
            return reshape(1).indexSelect(0, index).reshape();
        }
        Tensor idx = index.atLeast1d();
        return AutogradLink.record(new Op.IndexSelect(d), wrap(backend().indexSelect(array(), d, idx.array())), this, idx);
    }

    /** A copy of self with alpha * src.select(dim, i) added at index[i], as torch.index_add(..., alpha=alpha). */
    public Tensor indexAdd(int dim, Tensor index, Tensor src, double alpha) {
        return indexAdd(dim, index, scaled("index_add", src, alpha));
    }

    /** A copy of self with src.select(dim, i) added at index[i], as torch.index_add; 0-d operands count as 1-d. */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        int d = Shape.dim("index_add", dim, shape.length);
        Checks.dtype("index_add", "index", index, DType.INT64);
        Checks.sameDevice("index_add", "self", this, "index", index);
        Checks.compatible("index_add", "self", this, "source", src);
        if (index.dim() == 0 || (shape.length <= 1 && src.dim() == 0) || (shape.length == 0 && src.dim() == 1)) {
            return atLeast1d().indexAdd(d, index.atLeast1d(), src.atLeast1d()).reshape(shape);
        }
        if (index.dim() != 1 || src.dim() != dim() || src.shape[d] != index.shape[0]) {
            throw new IllegalArgumentException("index_add: need a 1-D index with one entry per slice of source along dim "
                    + d + ", got index " + Shape.str(index.shape) + " and source " + Shape.str(src.shape));
        }
        for (int i = 0; i < shape.length; i++) {
            if (i != d && src.shape[i] != shape[i]) {
                throw new IllegalArgumentException("index_add: source " + Shape.str(src.shape) + " must match self "
                        + Shape.str(shape) + " except at dim " + d);
            }
        }
        return AutogradLink.record(new Op.IndexAdd(d), wrap(backend().indexAdd(array(), d, index.array(), src.array())), this, index, src);
    }

    /** Concatenates along dim, as torch.cat. */
    public static Tensor cat(Tensor[] tensors, int dim) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("cat: expects a non-empty list of tensors");
        }
        Tensor first = tensors[0];
        int d = Shape.dim("cat", dim, first.dim());
        for (int t = 1; t < tensors.length; t++) {
            Tensor x = tensors[t];
            Checks.compatible("cat", "tensors[0]", first, "tensors[" + t + "]", x);
            boolean ok = x.dim() == first.dim();
            for (int i = 0; ok && i < first.dim(); i++) {
                ok = i == d || x.shape[i] == first.shape[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("cat: tensors[" + t + "] has shape " + Shape.str(x.shape)
                        + " but tensors[0] has " + Shape.str(first.shape) + "; sizes must match except at dim " + d);
            }
        }
        if (first.dim() == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        }
        long total = 0;
        for (Tensor x : tensors) {
            total += x.shape[d];
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cat: the result would have " + total + " elements along dim " + d
                    + " (tensors[0] shape " + Shape.str(first.shape) + "); Kiln's sizes are at most 2^31-1");
        }
        int[] out = first.shape.clone();
        out[d] = (int) total;
        Shape.numel("cat", out); // and the whole result must fit one tensor
        Tensor[] inputs = tensors.clone();
        return AutogradLink.record(new Op.Cat(d), wrap(first.backend().cat(arrays(inputs), d)), inputs);
    }

    /** Stacks equal-shaped tensors along a new dim, as torch.stack. */
    public static Tensor stack(Tensor[] tensors, int dim) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack: expects a non-empty list of tensors");
        }
        Tensor[] u = new Tensor[tensors.length];
        for (int i = 0; i < u.length; i++) {
            if (!Arrays.equals(tensors[i].shape, tensors[0].shape)) {
                throw new IllegalArgumentException("stack: tensors[" + i + "] has shape " + Shape.str(tensors[i].shape)
                        + " but tensors[0] has " + Shape.str(tensors[0].shape) + "; all must be equal");
            }
            u[i] = tensors[i].unsqueeze(dim);
        }
        return cat(u, Shape.dim("stack", dim, tensors[0].dim() + 1));
    }

    // ---------------------------------------------------------------- softmax

    public Tensor softmax(int dim) {
        return Functional.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Functional.logSoftmax(this, dim);
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return autograd != null && autograd.requiresGrad();
    }

    /** This tensor's autograd state, created on first use (the engine: {@code spi.Tensors.autogradMeta}). */
    AutogradMeta autogradMeta() {
        if (autograd == null) {
            autograd = new AutogradMeta();
        }
        return autograd;
    }

    /** Marks a leaf tensor as needing gradients (float dtypes only); returns this. */
    public Tensor requiresGrad_(boolean requires) {
        if (!isLeaf()) {
            throw new IllegalStateException("requires_grad_: only leaf tensors can change requires_grad; this tensor was made by "
                    + gradFn().name() + " (use detach() for a new leaf)");
        }
        if (requires && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("requires_grad_: only float tensors can require gradients, got " + dtype()
                    + " (shape " + Shape.str(shape) + ")");
        }
        if (requires) {
            AutogradLink.engine("requires_grad_");
        }
        autogradMeta().setRequiresGrad(requires);
        return this;
    }

    /** The accumulated gradient (null before the first backward). */
    public Tensor grad() {
        return autograd == null ? null : autograd.grad();
    }

    /** Replaces the accumulated gradient (null clears it). */
    public void setGrad(Tensor g) {
        if (g != null && (!Arrays.equals(g.shape, shape) || g.dtype() != dtype() || !g.device().equals(device()))) {
            throw new IllegalArgumentException("grad: assigned gradient " + Shape.str(g.shape) + " " + g.dtype() + " on "
                    + g.device() + " must match the tensor " + Shape.str(shape) + " " + dtype() + " on " + device());
        }
        autogradMeta().setGrad(g);
    }

    /** Clears the accumulated gradient (as PyTorch's zero_grad with set_to_none). */
    public void zeroGrad() {
        if (autograd != null) {
            autograd.setGrad(null);
        }
    }

    public boolean isLeaf() {
        return autograd == null || autograd.gradFn() == null;
    }

    /** The node that made this tensor, or null for a leaf. */
    public GradFn gradFn() {
        return autograd == null ? null : autograd.gradFn();
    }

    /** Marks this result as output {@code nr} of {@code fn}; it then requires grad (the engine: {@code spi.Tensors}). */
    void attachGradFn(GradFn fn, int nr) {
        autogradMeta().setGradFn(fn, nr);
    }

    /** A tensor sharing storage with this one, outside the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, stride, offset);
    }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad()) {
            throw new IllegalStateException("retain_grad: the tensor does not require grad");
        }
        autograd.setRetainsGrad();
        return this;
    }

    /** Runs hook on this tensor's gradient during backward; a non-null result replaces the gradient. */
    public HookHandle registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad()) {
            throw new IllegalStateException("register_hook: the tensor does not require grad");
        }
        return autograd.addHook(hook);
    }

    /**
     * Runs hook on this leaf once per backward pass, after every gradient flowing into it has been
     * accumulated into {@link #grad()} (PyTorch's {@code register_post_accumulate_grad_hook}); passes
     * that give it no gradient do not run it. Data-parallel training starts its all-reduces here.
     */
    public HookHandle registerPostAccumulateGradHook(Consumer<Tensor> hook) {
        if (!requiresGrad() || !isLeaf()) {
            throw new IllegalStateException("register_post_accumulate_grad_hook: only leaf tensors that require grad "
                    + "accumulate gradients (shape " + Shape.str(shape) + ")");
        }
        return autograd.addPostAccumulateHook(() -> hook.accept(this));
    }

    /** Gradient of this scalar with respect to the leaves, accumulated into their {@link #grad()}. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: grad can be implicitly created only for one-element outputs, got shape "
                    + Shape.str(shape) + "; pass a gradient");
        }
        backward(onesLike(this), false, false);
    }

    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /** With retainGraph the graph can be walked again; with createGraph the backward pass is itself recorded. */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        if (!requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn");
        }
        Checks.compatible("backward", "self", this, "gradient", gradient);
        if (!Arrays.equals(gradient.shape, shape)) {
            throw new IllegalArgumentException("backward: gradient of shape " + Shape.str(gradient.shape)
                    + " does not match the tensor's shape " + Shape.str(shape));
        }
        AutogradLink.engine("backward").backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, createGraph);
    }

    private void checkInPlace(String op, Tensor src) {
        if (!GradMode.isEnabled()) {
            return;
        }
        if (requiresGrad()) {
            throw new IllegalStateException(op + ": " + (isLeaf() ? "a leaf tensor that requires grad" : "a tensor in the autograd graph")
                    + " cannot be modified in place (shape " + Shape.str(shape)
                    + "); do it inside GradMode.noGrad() or use an out-of-place op");
        }
        if (src.requiresGrad()) {
            throw new IllegalStateException(op + ": src requires grad, but in-place copies are not recorded; use an out-of-place op");
        }
    }

    /** Removes a registered hook. */
    @FunctionalInterface
    public interface HookHandle {
        void remove();
    }

    @Override
    public String toString() {
        return TensorFormatter.format(this);
    }

    /** Result of max/min along a dim. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }
}

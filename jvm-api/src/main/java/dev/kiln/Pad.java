package dev.kiln;

import java.util.Arrays;

/**
 * torch.nn.functional.pad, composed from primitives so that it runs and is differentiable on every
 * backend: constant mode narrows (negative padding) and concatenates filled blocks; reflect, replicate
 * and circular gather each padded dim with index_select (whose gradient scatters back with index_add).
 */
final class Pad {
    private Pad() {
    }

    enum Mode {
        CONSTANT, REFLECT, REPLICATE, CIRCULAR;

        static Mode of(String mode) {
            return switch (mode) {
                case "constant" -> CONSTANT;
                case "reflect" -> REFLECT;
                case "replicate" -> REPLICATE;
                case "circular" -> CIRCULAR;
                default -> throw new IllegalArgumentException("pad: mode must be one of constant, reflect, replicate or"
                        + " circular, got '" + mode + "'");
            };
        }
    }

    /** pad = (left, right) of the last dim, then (top, bottom) of the one before, ... as F.pad. */
    static Tensor pad(Tensor x, int[] pad, String mode, double value) {
        Mode m = Mode.of(mode);
        if (pad.length % 2 != 0 || pad.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: padding length must be even and at most twice the input's rank, got "
                    + Arrays.toString(pad) + " for input of shape " + Shape.str(x.shape()));
        }
        if (m != Mode.CONSTANT && value != 0) {
            throw new IllegalArgumentException("pad: padding mode '" + mode + "' doesn't take in value argument, got "
                    + value);
        }
        Tensor y = x;
        for (int i = 0; i < pad.length / 2; i++) {
            int dim = x.dim() - 1 - i;
            int left = pad[2 * i];
            int right = pad[2 * i + 1];
            int n = x.size(dim);
            long size = (long) n + left + right;
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: padding (" + left + ", " + right + ") of dim " + dim
                        + " gives size " + size + " for input of shape " + Shape.str(x.shape()));
            }
            checkRange(m, left, right, n, dim, x);
            if (left != 0 || right != 0) {
                y = m == Mode.CONSTANT ? constant(y, dim, left, right, value) : gathered(y, dim, left, right, m);
            }
        }
        return y;
    }

    private static void checkRange(Mode m, int left, int right, int n, int dim, Tensor x) {
        int most = Math.max(left, right);
        String problem = switch (m) {
            case REFLECT -> most >= n && most > 0 ? "should be less than the size " + n + " of the dim" : null;
            case REPLICATE -> most > 0 && n == 0 ? "needs a non-empty dim" : null;
            case CIRCULAR -> most > n ? "would wrap around more than once (size " + n + ")" : null;
            case CONSTANT -> null;
        };
        if (problem != null) {
            throw new IllegalArgumentException("pad: " + m.name().toLowerCase(java.util.Locale.ROOT) + " padding ("
                    + left + ", " + right + ") of dim " + dim + " " + problem + ", input shape " + Shape.str(x.shape()));
        }
    }

    /** Negative sides narrow; positive sides are blocks of value. */
    private static Tensor constant(Tensor y, int dim, int left, int right, double value) {
        int start = Math.max(0, -left);
        Tensor core = y.narrow(dim, start, y.size(dim) - start - Math.max(0, -right));
        if (left <= 0 && right <= 0) {
            return core;
        }
        int[] side = core.shape();
        Tensor[] parts = new Tensor[3];
        int k = 0;
        if (left > 0) {
            side[dim] = left;
            parts[k++] = Tensor.full(side, value, y.dtype(), y.device());
        }
        parts[k++] = core;
        if (right > 0) {
            side[dim] = right;
            parts[k++] = Tensor.full(side, value, y.dtype(), y.device());
        }
        return Tensor.cat(Arrays.copyOf(parts, k), dim);
    }

    /** Output position j along dim reads input i = j - left, mapped into [0, n) by the mode. */
    private static Tensor gathered(Tensor y, int dim, int left, int right, Mode m) {
        int n = y.size(dim);
        long[] index = new long[n + left + right];
        for (int j = 0; j < index.length; j++) {
            int i = j - left;
            index[j] = switch (m) {
                case REFLECT -> i < 0 ? -i : i >= n ? 2L * (n - 1) - i : i;
                case REPLICATE -> Math.min(Math.max(i, 0), n - 1);
                default -> Math.floorMod(i, n); // circular
            };
        }
        return y.indexSelect(dim, Tensor.fromArray(index, index.length).to(y.device()));
    }
}

package dev.kiln.nn;

/**
 * The sliding-window geometry of a convolution or pooling layer along H and W, which is all the
 * model summary needs to track the receptive field.
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
    /** A layer that slides a window over (N, C, H, W) input; the window may depend on the input shape. */
    public interface Windowed {
        Window window(int[] inputShape);
    }
}

package dev.kiln.nn.loss;

import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/** Argument checks shared by the losses; messages name the loss and both shapes. */
final class LossArguments {
    private LossArguments() {
    }

    static void sameShape(String loss, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": target of shape " + Shape.str(target.shape())
                    + " must have the input's shape " + Shape.str(input.shape()));
        }
    }
}

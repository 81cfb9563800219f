package dev.kiln;

import static dev.kiln.Functional.conv2d;
import static dev.kiln.Functional.maxPool2d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The worked case of the course: the receptive-field network's output shape. */
class CourseNetworkShapeTest {
    @Test
    void courseNetwork_maps1x3x1024x1024_to1x32x122x122() {
        Generator g = new Generator(0);
        Tensor x = Tensor.rand(g, 1, 3, 1024, 1024);
        // Conv2d(3,4,k3,p1) ReLU MaxPool2d(2): 1024 -> 1024 -> 512
        Tensor h = maxPool2d(conv2d(x, Tensor.randn(g, 4, 3, 3, 3), null, 1, 1, 1, 1).relu(), 2);
        // Conv2d(4,16,k5,s2,p2) ReLU MaxPool2d(2): (512 + 4 - 5) / 2 + 1 = 256 -> 128
        h = maxPool2d(conv2d(h, Tensor.randn(g, 16, 4, 5, 5), null, 2, 2, 1, 1).relu(), 2);
        // Conv2d(16,32,k7,d2,p3) ReLU: 128 + 6 - 2 * 6 - 1 + 1 = 122
        h = conv2d(h, Tensor.randn(g, 32, 16, 7, 7), null, 1, 3, 2, 1).relu();
        assertArrayEquals(new int[] {1, 32, 122, 122}, h.shape());
    }
}

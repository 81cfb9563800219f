package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The vectorisable e^x for x &lt;= 0 against Math.exp, and its edges. */
class NonPositiveExpTest {
    @Test
    void matchesMathExpToWellBeyondFloat32() {
        int n = 200_001;
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = -745.0 * i / (n - 1); // 0 down to -745, through float32's subnormals and double's
        }
        double[] e = a.clone();
        NonPositiveExp.inPlace(e, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(a[i]);
            if (ref > Double.MIN_NORMAL) { // double subnormals carry fewer bits: compare in float32 below
                worst = Math.max(worst, Math.abs(e[i] - ref) / ref);
            }
            assertEquals((float) ref, (float) e[i], Math.ulp((float) ref), "x = " + a[i]);
        }
        assertTrue(worst < 1e-10, "worst relative error " + worst);
    }

    @Test
    void edges() {
        double[] a = {0.0, -0.0, -746.0, -1e9, Double.NEGATIVE_INFINITY, Double.NaN, 1e-300};
        NonPositiveExp.inPlace(a, 0, a.length);
        assertEquals(1.0, a[0]);
        assertEquals(1.0, a[1]);
        assertEquals(0.0, a[2]);
        assertEquals(0.0, a[3]);
        assertEquals(0.0, a[4], "masked scores (-inf) give exactly 0");
        assertTrue(Double.isNaN(a[5]));
        assertEquals(1.0, a[6]);
    }
}

package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** erf against the C library's (Python's math.erf, correctly rounded to a few ulp), across the series' range and beyond. */
class MathFunctionsTest {
    @Test
    void erfMatchesTheCLibraryToAFewUlp() {
        double[][] cases = { // x, math.erf(x)
            {1e-10, 1.1283791670955126e-10}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465},
            {1, 0.8427007929497149}, {1.5, 0.9661051464753108}, {2, 0.9953222650189527}, {2.4, 0.999311486103355},
            {2.49, 0.9995707121322661}, {2.5, 0.999593047982555}, {3, 0.9999779095030014},
            {-1.5, -0.9661051464753108}, {5, 0.9999999999984626}};
        for (double[] c : cases) {
            assertEquals(c[1], MathFunctions.erf(c[0]), 4 * Math.ulp(c[1]), "erf(" + c[0] + ")");
        }
        assertEquals(0.0, MathFunctions.erf(0.0), 0.0);
        assertEquals(1.0, MathFunctions.erf(30.0), 0.0);
        assertTrue(Double.isNaN(MathFunctions.erf(Double.NaN)));
    }
}

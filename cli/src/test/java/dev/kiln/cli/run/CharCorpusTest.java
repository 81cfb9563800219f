package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes.Fortune;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharCorpusTest {
    private static Fortune fortune(String text) {
        return new Fortune("art", text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theAlphabetIsTheBytesUsedInOrderAndEachFortuneEndsWithItsSeparator() {
        CharCorpus c = new CharCorpus(List.of(fortune("ba\n"), fortune("c\u00e9\n")));
        assertEquals(6, c.size()); // \n % a b c and 0xe9, sorted
        assertArrayEquals(new long[] {0, 1, 3, 2, 0, 1, 0}, c.encode("\n%ba\n%\n".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new long[] {3, 2, 0, 1, 0, 4, 5, 0, 1, 0}, c.encode(List.of(fortune("ba\n"), fortune("c\u00e9\n"))));
        assertEquals((byte) 0xe9, c.decode(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.encode("z".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("byte 122 is not in the alphabet"), e.getMessage());
    }

    @Test
    void batchifyCutsTheStreamIntoEqualRowsAndDropsTheTail() {
        Tensor b = CharCorpus.batchify(new long[] {0, 1, 2, 3, 4, 5, 6}, 3, Device.CPU); // (3, 2)
        assertArrayEquals(new int[] {3, 2}, b.shape());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, b.toLongArray());
        UserError e = assertThrows(UserError.class, () -> CharCorpus.batchify(new long[5], 3, Device.CPU));
        assertTrue(e.getMessage().contains("cannot fill 3 streams of at least 2 bytes"), e.getMessage());
    }

    @Test
    void drawPicksWhereTheRunningSumPassesTheUniform() {
        double[] p = {0.2, 0.5, 0.3};
        assertEquals(0, CharLm.draw(p, 0.0));
        assertEquals(0, CharLm.draw(p, 0.19));
        assertEquals(1, CharLm.draw(p, 0.2));
        assertEquals(2, CharLm.draw(p, 0.71));
        assertEquals(1, CharLm.draw(new double[] {0.5, 0.4999999}, 0.9999999999)); // rounding short of 1: the last
    }
}

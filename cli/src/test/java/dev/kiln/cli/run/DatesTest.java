package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The dates of `kiln run seq2seq`: the twin's very examples, the formats, the split, the shuffle and the batch's ids. */
class DatesTest {
    private static Dates.Example ex(String source, String target) {
        return new Dates.Example(source, target);
    }

    /**
     * Seed 42's dates are the twin's: printed by /usr/bin/python3 -c "import sys; sys.path.insert(0,
     * 'scripts/workloads'); import seq2seq; tr, va = seq2seq.dates(42, 10000, 1000);
     * print(tr[0], tr[1], tr[2], tr[9999]); print(va[0], va[1], va[999])"
     */
    @Test
    void theTwinDrawsTheSameDates() {
        Dates d = Dates.generate(42, 10_000, 1_000);
        assertEquals(List.of(ex("27 february 2024", "2024-02-27"), ex("november 10th 1977", "1977-11-10"),
                ex("21.10.1953", "1953-10-21")), d.train().subList(0, 3));
        assertEquals(ex("10/31/33", "2033-10-31"), d.train().get(9999));
        assertEquals(List.of(ex("13.3.2024", "2024-03-13"), ex("tue 27 jun 00", "2000-06-27")), d.validation().subList(0, 2));
        assertEquals(ex("october 31st 1959", "1959-10-31"), d.validation().get(999));
    }

    /** 1987-03-03, a Tuesday, in the eight formats (the twin's write(date, f) gives the same strings). */
    @Test
    void eachFormatWritesTheDate() {
        LocalDate d = LocalDate.of(1987, 3, 3);
        List<String> all = IntStream.range(0, Dates.FORMATS).mapToObj(f -> Dates.format(d, f)).toList();
        assertEquals(List.of("tuesday, march 3, 1987", "3 march 1987", "march 3rd 1987", "03/03/87", "mar 3, 1987",
                "the 3rd of march, 1987", "3.3.1987", "tue 3 mar 87"), all);
        List<String> ordinals = IntStream.of(1, 2, 3, 11, 12, 13, 21, 22, 23, 31)
                .mapToObj(day -> Dates.format(LocalDate.of(2049, 12, day), 2).split(" ")[1]).toList();
        assertEquals(List.of("1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"), ordinals);
        assertEquals("01/01/00", Dates.format(LocalDate.of(2000, 1, 1), 3));   // yy 00..49 is 20xx, 50..99 19xx
        assertEquals("saturday, january 1, 2000", Dates.format(LocalDate.of(2000, 1, 1), 0));
        assertThrows(IllegalArgumentException.class, () -> Dates.format(d, Dates.FORMATS));
    }

    /** No validation date is trained on; the days span the century; every source fits the vocabulary and its length. */
    @Test
    void validationDatesAreNeverTrainedOn() {
        Dates d = Dates.generate(5, 3000, 300);
        assertEquals(3000, d.train().size());
        assertEquals(300, d.validation().size());
        Set<String> trained = new HashSet<>();
        d.train().forEach(e -> trained.add(e.target()));
        assertTrue(d.validation().stream().noneMatch(e -> trained.contains(e.target())));
        Set<Integer> years = new HashSet<>();
        for (Dates.Example e : d.train()) {
            years.add(Integer.parseInt(e.target().substring(0, 4)));
            assertTrue(DateBatch.sourceIds(e.source()).length <= DateBatch.MAX_SOURCE);
        }
        assertTrue(years.contains(1950) && years.contains(2049) && years.size() == 100, years.toString());
        assertFalse(d.train().equals(Dates.generate(6, 3000, 300).train()));
        assertEquals(d.train(), Dates.generate(5, 3000, 300).train());
    }

    /** SplitMix64.shuffle is the twins' shuffled(range(10), 7) (scripts/workloads/gcn.py). */
    @Test
    void theShuffleIsTheTwins() {
        List<Integer> order = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
        new SplitMix64(7).shuffle(order);
        assertEquals(List.of(9, 5, 8, 6, 1, 2, 4, 7, 0, 3), order);
    }

    /** Sources padded at their end, the padding flagged, each last character located; targets framed by BOS and EOS. */
    @Test
    void aBatchHoldsTheIdsOfTheVocabularies() {
        DateBatch b = DateBatch.of(List.of(ex("3.3.87", "1987-03-03"), ex("3 mar", "2001-12-31")), Device.CPU);
        assertArrayEquals(new long[] {8, 3, 8, 3, 13, 12, 8, 1, 27, 15, 32, 0}, b.source().toLongArray());
        assertEquals("[false, false, false, false, false, false, false, false, false, false, false, true]",
                Arrays.toString(b.padding().toBooleanArray()));
        assertArrayEquals(new long[] {5, 10}, b.last().toLongArray());
        assertArrayEquals(new long[] {1, 4, 12, 11, 10, 13, 3, 6, 13, 3, 6}, Arrays.copyOf(b.input().toLongArray(), 11));
        assertArrayEquals(new long[] {4, 12, 11, 10, 13, 3, 6, 13, 3, 6, 2}, Arrays.copyOf(b.output().toLongArray(), 11));
        assertEquals("1987-03-03", DateBatch.targetText(Arrays.copyOf(b.output().toLongArray(), 11)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DateBatch.sourceIds("3 MAR"));
        assertTrue(e.getMessage().contains("'M' in \"3 MAR\" is not in"), e.getMessage());
    }
}

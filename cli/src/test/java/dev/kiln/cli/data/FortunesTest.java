package dev.kiln.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.FortuneFixtures;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes.Fortune;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortunesTest {
    @TempDir
    Path tmp;

    private static List<String> texts(List<Fortune> fortunes) {
        return fortunes.stream().map(f -> new String(f.text(), StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void fortunesAreTheTextBetweenPercentLines() {
        byte[] file = "a\nb\n%\nc 100%\n%\n%\nd".getBytes(StandardCharsets.US_ASCII);
        List<Fortune> f = Fortunes.parse("law", file);
        assertEquals(List.of("a\nb\n", "c 100%\n", "d\n"), texts(f)); // empty ones dropped, a last line gets its '\n'
        assertTrue(f.stream().allMatch(x -> x.category().equals("law")));
    }

    @Test
    void everyTenthFortuneOfEachFileIsHeldOut() {
        List<Fortune> all = new ArrayList<>();
        for (String category : List.of("art", "law")) {
            for (int i = 0; i < 25; i++) {
                all.add(new Fortune(category, (category + i + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
        }
        Fortunes.Split split = Fortunes.split(all);
        assertEquals(List.of("art9\n", "art19\n", "law9\n", "law19\n"), texts(split.validation()));
        assertEquals(46, split.train().size());
    }

    @Test
    void readsTheCategoryFilesInNameOrderAndSkipsIndexesAndLinks() throws Exception {
        Path dir = FortuneFixtures.write(tmp.resolve("f"), 12);
        Files.createSymbolicLink(dir.resolve("art.u8"), dir.resolve("art"));
        List<Fortune> all = Fortunes.read(dir);
        assertEquals(24, all.size());
        assertEquals("art", all.get(0).category());
        assertEquals("science", all.get(23).category());
    }

    @Test
    void aMissingDirectorySaysHowToInstallIt() {
        UserError e = assertThrows(UserError.class, () -> Fortunes.read(tmp.resolve("none")));
        assertTrue(e.getMessage().contains("apt-get install -y fortunes"), e.getMessage());
        e = assertThrows(UserError.class, () -> Fortunes.read(tmp));
        assertTrue(e.getMessage().contains("holds no fortune files"), e.getMessage());
    }
}

package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A small directory laid out as the fortunes package's: category files of fortunes between "%" lines, and .dat files. */
public final class FortuneFixtures {
    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "it",
        "is", "never", "too", "late", "to", "learn"};

    private FortuneFixtures() {
    }

    /** Writes `perFile` made-up fortunes in each of the files "art" and "science" (and their .dat); returns dir. */
    public static Path write(Path dir, int perFile) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(5);
        for (String category : new String[] {"science", "art"}) {
            StringBuilder text = new StringBuilder();
            for (int f = 0; f < perFile; f++) {
                int lines = 1 + r.nextInt(3);
                for (int l = 0; l < lines; l++) {
                    int words = 2 + r.nextInt(6);
                    for (int w = 0; w < words; w++) {
                        text.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
                    }
                    text.append(r.nextInt(4) == 0 ? ".\n" : "\n");
                }
                text.append(f + 1 < perFile ? "%\n" : "");
            }
            Files.writeString(dir.resolve(category), text, StandardCharsets.US_ASCII);
            Files.write(dir.resolve(category + ".dat"), new byte[] {0, 0, 0, 2, (byte) 0xff});
        }
        return dir;
    }
}

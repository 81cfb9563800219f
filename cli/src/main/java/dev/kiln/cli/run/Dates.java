package dev.kiln.cli.run;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The dates of `kiln run seq2seq`: a day between 1950-01-01 and 2049-12-31 written in one of {@link #FORMATS} human
 * formats ("tuesday, march 3, 1987", "03/03/87", ...) as the source, its ISO form "1987-03-03" as the target. Drawn from
 * one {@link SplitMix64} stream as scripts/workloads/seq2seq.py draws it, so Kiln and the twin train on the same
 * examples: per example a day (a double times {@link #DAYS}, floored) and a format (likewise); a day divisible by 10
 * goes to validation, any other to training, each until it is full. No validation date is ever trained on, in any
 * format: exact match measures dates the model has never seen.
 */
final class Dates {
    /** 1950-01-01 .. 2049-12-31: 100 years, 25 of them leap (2000 is). */
    static final int DAYS = 36525;
    static final int FORMATS = 8;
    private static final LocalDate FIRST = LocalDate.of(1950, 1, 1);
    private static final String[] MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december"};
    private static final String[] WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

    /** A source in words and its ISO target. */
    record Example(String source, String target) {
    }

    private final List<Example> train;
    private final List<Example> validation;

    private Dates(List<Example> train, List<Example> validation) {
        this.train = train;
        this.validation = validation;
    }

    static Dates generate(long seed, int trainSize, int validationSize) {
        SplitMix64 r = new SplitMix64(seed);
        List<Example> train = new ArrayList<>(trainSize);
        List<Example> validation = new ArrayList<>(validationSize);
        while (train.size() < trainSize || validation.size() < validationSize) {
            int day = (int) (r.nextDouble() * DAYS);
            int format = (int) (r.nextDouble() * FORMATS);
            List<Example> to = day % 10 == 0 ? validation : train;
            if (to.size() < (to == validation ? validationSize : trainSize)) {
                LocalDate d = FIRST.plusDays(day);
                to.add(new Example(format(d, format), d.toString()));
            }
        }
        return new Dates(train, validation);
    }

    /** Date d in format f (0 .. FORMATS - 1), lowercase. */
    static String format(LocalDate d, int f) {
        int day = d.getDayOfMonth();
        String month = MONTHS[d.getMonthValue() - 1];
        String weekday = WEEKDAYS[d.getDayOfWeek().getValue() - 1];
        int year = d.getYear();
        String yy = two(year % 100);
        return switch (f) {
            case 0 -> weekday + ", " + month + " " + day + ", " + year;            // tuesday, march 3, 1987
            case 1 -> day + " " + month + " " + year;                              // 3 march 1987
            case 2 -> month + " " + ordinal(day) + " " + year;                     // march 3rd 1987
            case 3 -> two(d.getMonthValue()) + "/" + two(day) + "/" + yy;          // 03/03/87 (50..99: 19xx)
            case 4 -> month.substring(0, 3) + " " + day + ", " + year;             // mar 3, 1987
            case 5 -> "the " + ordinal(day) + " of " + month + ", " + year;        // the 3rd of march, 1987
            case 6 -> day + "." + d.getMonthValue() + "." + year;                  // 3.3.1987
            case 7 -> weekday.substring(0, 3) + " " + day + " " + month.substring(0, 3) + " " + yy; // tue 3 mar 87
            default -> throw new IllegalArgumentException("date format " + f + ": expected 0 to " + (FORMATS - 1));
        };
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st. */
    private static String ordinal(int day) {
        String suffix = day / 10 == 1 ? "th" : switch (day % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return day + suffix;
    }

    List<Example> train() {
        return train;
    }

    List<Example> validation() {
        return validation;
    }
}

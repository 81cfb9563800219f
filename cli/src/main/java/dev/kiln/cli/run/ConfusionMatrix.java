package dev.kiln.cli.run;

/** Counts of (true class, predicted class) pairs, and the accuracies they give. */
final class ConfusionMatrix {
    private final long[][] counts;

    ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    void add(long[] truth, long[] predicted) {
        for (int i = 0; i < truth.length; i++) {
            counts[(int) truth[i]][(int) predicted[i]]++;
        }
    }

    /** Row: the true class, column: the predicted one. */
    long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    int classes() {
        return counts.length;
    }

    /** The true class's examples (a row's sum). */
    long support(int truth) {
        long n = 0;
        for (long c : counts[truth]) {
            n += c;
        }
        return n;
    }

    double accuracy() {
        long right = 0;
        long all = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
            all += support(i);
        }
        return (double) right / all;
    }

    /**
     * The mean over classes of each class's recall (scikit-learn's balanced_accuracy_score): a model that always names
     * the largest class scores 1 / classes, not that class's share. Classes without examples are left out.
     */
    double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (int i = 0; i < counts.length; i++) {
            long n = support(i);
            if (n > 0) {
                sum += (double) counts[i][i] / n;
                present++;
            }
        }
        return sum / present;
    }
}

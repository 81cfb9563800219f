package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run gcn [--model gcn|poly] [--order K]` and the graph's options: see {@link Gcn} and {@link PlantedPartition}. */
@Command(name = "gcn", mixinStandardHelpOptions = true,
        description = "Semi-supervised node classification on a planted-partition graph with node features: Kipf and"
                + " Welling's GCN or the course's polynomial graph convolution, sparse adjacency; train, validation and"
                + " test accuracy per epoch. Full-batch on a graph drawn from --seed: no --batch-size, --data or --limit-*.")
final class GcnCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;
    @Option(names = "--model", description = "gcn or poly; default: ${DEFAULT-VALUE}")
    String model = "gcn";
    @Option(names = "--order", description = "poly: the polynomial's order K (powers of A_hat 0..K); default: ${DEFAULT-VALUE}")
    int order = 2;
    @Option(names = "--hidden", description = "the hidden layer's width; default: ${DEFAULT-VALUE}")
    int hidden = 16;
    @Option(names = "--communities", description = "default: ${DEFAULT-VALUE}")
    int communities = 4;
    @Option(names = "--community-size", description = "nodes per community; default: ${DEFAULT-VALUE}")
    int communitySize = 400;
    @Option(names = "--p-in", description = "the probability of an edge inside a community; default: ${DEFAULT-VALUE}")
    double pIn = 0.02;
    @Option(names = "--p-out", description = "the probability of an edge across communities; default: ${DEFAULT-VALUE}")
    double pOut = 0.004;
    @Option(names = "--noise", description = "the features' noise, a standard deviation per coordinate (a community's"
            + " mean is about unit length); default: ${DEFAULT-VALUE}")
    double noise = 1.0;
    @Option(names = "--labels-per-class", description = "labelled training nodes per community; default: ${DEFAULT-VALUE}")
    int labelsPerClass = 20;
    @Option(names = "--validation-nodes", description = "default: ${DEFAULT-VALUE}; the other nodes test")
    int validationNodes = 500;

    @Override
    public Integer call() {
        if (!model.equals("gcn") && !model.equals("poly")) {
            throw new UserError("--model " + model + ": expected gcn or poly");
        }
        if (options.batchSize != null || options.run.data != null || options.run.limitTrain != 0 || options.run.limitTest != 0) {
            throw new UserError("kiln run gcn takes one full-batch step per epoch on a graph it draws: --batch-size, --data,"
                    + " --limit-train and --limit-test do not apply (see --community-size and --labels-per-class)");
        }
        PlantedPartition.Config config = config();
        RunSettings s = options.settings(Gcn.name(model, order), 200, config.nodes(), Gcn.FILES, null);
        Gcn gcn = new Gcn(s, config, model, order, hidden);
        System.out.println(gcn.summary());
        WorkloadRunner.run(gcn, s, System.out);
        return 0;
    }

    private PlantedPartition.Config config() {
        if (order < 0 || hidden < 1 || communities < 2 || communitySize < 1 || noise < 0) {
            throw new UserError("--order must be >= 0, --hidden and --community-size >= 1, --communities >= 2, --noise >= 0");
        }
        if (!(pIn >= 0 && pIn <= 1 && pOut >= 0 && pOut <= 1)) {
            throw new UserError("--p-in " + pIn + " and --p-out " + pOut + ": probabilities must be in [0, 1]");
        }
        long nodes = (long) communities * communitySize;
        if (nodes > 100_000) {
            throw new UserError(nodes + " nodes: at most 100000 (every node pair takes a draw)");
        }
        if (labelsPerClass < 1 || labelsPerClass > communitySize || validationNodes < 0
                || (long) communities * labelsPerClass + validationNodes >= nodes) {
            throw new UserError("--labels-per-class " + labelsPerClass + " and --validation-nodes " + validationNodes
                    + " leave no test node among " + nodes + " (labels per class: 1 to --community-size)");
        }
        return new PlantedPartition.Config(communities, communitySize, pIn, pOut, noise, labelsPerClass, validationNodes);
    }
}

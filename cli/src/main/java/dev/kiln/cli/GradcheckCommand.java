package dev.kiln.cli;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.autograd.PrimitiveCases;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kiln gradcheck`: float64 central differences against autograd for every differentiable primitive. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Gradcheck every differentiable primitive; exits 1 when one fails.")
final class GradcheckCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() {
        Device d = Devices.resolve(device);
        System.out.printf(Locale.ROOT, "gradcheck on %s: eps %g, |analytical - numerical| <= %g + %g |numerical|%n%n", d,
                GradCheck.DEFAULT_EPS, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL);
        System.out.printf("%-42s %-6s %12s%n", "op case", "result", "worst error");
        int failed = 0;
        int total = 0;
        for (PrimitiveCases.Case c : PrimitiveCases.all()) {
            total++;
            String result;
            String worst;
            try {
                GradCheck.Report r = GradCheck.check(a -> new Tensor[] {c.f().apply(a)}, c.inputs(1, d), GradCheck.DEFAULT_EPS,
                        GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL);
                double max = r.worst().stream().mapToDouble(GradCheck.Worst::error).max().orElse(0);
                result = r.passed() ? "pass" : "FAIL";
                worst = String.format(Locale.ROOT, "%12.3e", max);
            } catch (RuntimeException e) {
                result = "ERROR";
                worst = e.getMessage();
            }
            failed += result.equals("pass") ? 0 : 1;
            System.out.printf("%-42s %-6s %s%n", c.name(), result, worst);
        }
        System.out.printf("%n%d of %d passed%n", total - failed, total);
        return failed == 0 ? 0 : 1;
    }
}

package dev.kiln.autograd;

/**
 * gradcheck's settings, as torch.autograd.gradcheck's keyword arguments: the finite-difference step,
 * the tolerances, nondetTol (how far a second backward pass may differ from the first: 0 demands a
 * deterministic, reentrant backward, as PyTorch's default; infinite, the default here, skips that pass),
 * checkForwardAd (forward mode's Jacobian checked too), and fastMode (compare one random projection
 * u^T J v instead of every element: two evaluations instead of two per input element).
 */
public record GradCheckOptions(double eps, double atol, double rtol, double nondetTol, boolean checkForwardAd,
                               boolean fastMode) {
    public static final GradCheckOptions DEFAULTS = new GradCheckOptions(GradCheck.DEFAULT_EPS, GradCheck.DEFAULT_ATOL,
            GradCheck.DEFAULT_RTOL, Double.POSITIVE_INFINITY, false, false);

    public GradCheckOptions {
        if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0) || !(nondetTol >= 0)) {
            throw new IllegalArgumentException("gradcheck: eps must be > 0 and atol, rtol, nondetTol >= 0, got eps " + eps
                    + ", atol " + atol + ", rtol " + rtol + ", nondetTol " + nondetTol);
        }
    }

    public GradCheckOptions withTolerances(double atol, double rtol) {
        return new GradCheckOptions(eps, atol, rtol, nondetTol, checkForwardAd, fastMode);
    }

    public GradCheckOptions withEps(double eps) {
        return new GradCheckOptions(eps, atol, rtol, nondetTol, checkForwardAd, fastMode);
    }

    public GradCheckOptions withNondetTol(double nondetTol) {
        return new GradCheckOptions(eps, atol, rtol, nondetTol, checkForwardAd, fastMode);
    }

    public GradCheckOptions withForwardAd(boolean checkForwardAd) {
        return new GradCheckOptions(eps, atol, rtol, nondetTol, checkForwardAd, fastMode);
    }

    public GradCheckOptions withFastMode(boolean fastMode) {
        return new GradCheckOptions(eps, atol, rtol, nondetTol, checkForwardAd, fastMode);
    }
}

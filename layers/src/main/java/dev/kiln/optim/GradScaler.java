package dev.kiln.optim;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 mixed precision, as {@code torch.amp.GradScaler}: {@link #scale} multiplies
 * the loss so that small gradients survive float16's range on the way back; {@link #step} divides the
 * gradients by the scale ({@link #unscale_}, which gradient clipping can call first) and skips the
 * optimizer's step when any gradient is inf or NaN; {@link #update} then halves the scale after a skipped
 * step and doubles it after {@code growthInterval} steps in a row without one. Parameters and their
 * gradients are float32 or float64 (as with {@link dev.kiln.Autocast}); float16 gradients are refused,
 * as PyTorch refuses them, since dividing them would underflow.
 *
 * <pre>{@code
 * try (Autocast ac = Autocast.enable(DType.FLOAT16)) { loss = lossFn.forward(model.forward(x), y); }
 * scaler.scale(loss).backward();
 * scaler.step(optimizer);
 * scaler.update();
 * }</pre>
 */
public final class GradScaler {
    private enum Stage { UNSCALED, STEPPED }

    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private final boolean enabled;
    private int growthTracker;
    /** Per optimizer since the last update: its stage and whether its gradients held an inf or NaN. */
    private final Map<Optimizer, Stage> stages = new IdentityHashMap<>();
    private final Map<Optimizer, Boolean> foundInf = new IdentityHashMap<>();

    /** PyTorch's defaults: scale 2^16, growth 2, backoff 0.5, interval 2000. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000, true);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval, boolean enabled) {
        if (!(initScale > 0) || Double.isInfinite(initScale) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1)
                || growthInterval < 1) {
            throw new IllegalArgumentException("GradScaler: need init_scale > 0, growth_factor > 1, 0 < backoff_factor < 1 and"
                    + " growth_interval >= 1, got " + initScale + ", " + growthFactor + ", " + backoffFactor + ", " + growthInterval);
        }
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.enabled = enabled;
    }

    /** loss times the current scale (loss itself when disabled). */
    public Tensor scale(Tensor loss) {
        return enabled ? loss.mul(scale) : loss;
    }

    /** Divides the optimizer's gradients by the scale, in place, and notes whether any is inf or NaN. */
    public void unscale_(Optimizer optimizer) {
        if (!enabled) {
            return;
        }
        Stage stage = stages.get(optimizer);
        if (stage != null) {
            throw new IllegalStateException("GradScaler.unscale_: " + (stage == Stage.UNSCALED
                    ? "already called on this optimizer since the last update()" : "called after step(); call update() first"));
        }
        boolean inf = false;
        try (var scope = GradMode.noGrad()) {
            for (Parameter p : optimizer.parameters()) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (g.dtype() == DType.FLOAT16) {
                    throw new IllegalArgumentException("GradScaler.unscale_: a float16 gradient (shape "
                            + java.util.Arrays.toString(g.shape()) + ") would underflow when divided by the scale; keep the"
                            + " parameters in float32 and run the forward under Autocast.enable(DType.FLOAT16)");
                }
                Tensor unscaled = g.mul(1.0 / scale);
                inf |= !Double.isFinite(unscaled.abs().max().item());
                p.data().setGrad(unscaled);
            }
        }
        stages.put(optimizer, Stage.UNSCALED);
        foundInf.put(optimizer, inf);
    }

    /** Unscales (unless {@link #unscale_} did) and steps the optimizer, unless a gradient is inf or NaN; true when it stepped. */
    public boolean step(Optimizer optimizer) {
        if (!enabled) {
            optimizer.step();
            return true;
        }
        if (stages.get(optimizer) == Stage.STEPPED) {
            throw new IllegalStateException("GradScaler.step: already called on this optimizer since the last update()");
        }
        if (stages.get(optimizer) == null) {
            unscale_(optimizer);
        }
        boolean skip = foundInf.get(optimizer);
        if (!skip) {
            optimizer.step();
        }
        stages.put(optimizer, Stage.STEPPED);
        return !skip;
    }

    /** Backs the scale off after a step with inf or NaN gradients, grows it after growthInterval clean steps. */
    public void update() {
        if (!enabled) {
            return;
        }
        if (foundInf.isEmpty()) {
            throw new IllegalStateException("GradScaler.update: no step(optimizer) since the last update()");
        }
        if (foundInf.containsValue(true)) {
            scale *= backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        stages.clear();
        foundInf.clear();
    }

    /** The current scale (1 when disabled). */
    public double getScale() {
        return enabled ? scale : 1.0;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** PyTorch's keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker (0-d float64 tensors). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("scale", value(scale));
        s.put("growth_factor", value(growthFactor));
        s.put("backoff_factor", value(backoffFactor));
        s.put("growth_interval", value(growthInterval));
        s.put("_growth_tracker", value(growthTracker));
        return s;
    }

    /** Restores the scale and the growth tracker from {@link #stateDict}. */
    public void loadStateDict(Map<String, Tensor> state) {
        if (!state.containsKey("scale") || !state.containsKey("_growth_tracker")) {
            throw new IllegalArgumentException("GradScaler.load_state_dict: need keys scale and _growth_tracker, got "
                    + state.keySet());
        }
        scale = state.get("scale").item();
        growthTracker = (int) state.get("_growth_tracker").item();
    }

    private static Tensor value(double v) {
        return Tensor.full(new int[0], v, DType.FLOAT64, Device.CPU);
    }
}

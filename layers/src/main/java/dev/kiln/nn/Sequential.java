package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order, named "0", "1", ... as {@code torch.nn.Sequential}. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    public Sequential add(Layer layer) {
        layers.add(registerModule(Integer.toString(layers.size()), layer));
        return this;
    }

    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(");
        for (int i = 0; i < layers.size(); i++) {
            sb.append("\n  (").append(i).append("): ").append(layers.get(i).toString().replace("\n", "\n  "));
        }
        return sb.append(layers.isEmpty() ? ")" : "\n)").toString();
    }
}

package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.distributed.ProcessGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Many tensors sent as one flat tensor per dtype and device, so a model's state costs a few collectives, not one each. */
final class Coalesced {
    private Coalesced() {
    }

    /** Copies rank src's values of tensors into every rank's tensors. */
    static void broadcast(ProcessGroup group, List<Tensor> tensors, int src) {
        Map<String, List<Tensor>> groups = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            groups.computeIfAbsent(t.dtype() + "@" + t.device(), k -> new ArrayList<>()).add(t);
        }
        for (List<Tensor> same : groups.values()) {
            Tensor flat = flatten(same, same.get(0).dtype());
            group.broadcast(flat, src);
            unflatten(flat, same);
        }
    }

    /** The tensors' values one after another, as one 1-D tensor of dtype (on the first one's device). */
    static Tensor flatten(List<Tensor> tensors, DType dtype) {
        Tensor[] parts = new Tensor[tensors.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = tensors.get(i).detach().reshape(-1).to(dtype);
        }
        return Tensor.cat(parts, 0);
    }

    /** Writes consecutive slices of flat into the tensors, in place, outside the graph. */
    static void unflatten(Tensor flat, List<Tensor> tensors) {
        try (var scope = GradMode.noGrad()) {
            int offset = 0;
            for (Tensor t : tensors) {
                t.copy_(flat.narrow(0, offset, t.numel()).view(t.shape()));
                offset += t.numel();
            }
        }
    }
}

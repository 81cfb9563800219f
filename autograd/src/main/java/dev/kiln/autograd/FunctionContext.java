package dev.kiln.autograd;

import dev.kiln.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@link Function}'s forward leaves for its backward, as PyTorch's {@code ctx}: tensors saved
 * for backward and named non-tensor values (shapes, flags, scalars).
 */
public final class FunctionContext {
    private Tensor[] saved = new Tensor[0];
    private final Map<String, Object> values = new HashMap<>();

    /** Keeps tensors for backward (as ctx.save_for_backward); a later call replaces them. */
    public void saveForBackward(Tensor... tensors) {
        saved = tensors.clone();
    }

    /** The tensors given to {@link #saveForBackward}, in order (as ctx.saved_tensors). */
    public Tensor[] savedTensors() {
        return saved.clone();
    }

    /** Stores a non-tensor value for backward (as setting an attribute on ctx). */
    public void put(String name, Object value) {
        values.put(name, value);
    }

    /** A value stored with {@link #put}. */
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("FunctionContext: no value named '" + name + "' was stored (stored: "
                    + values.keySet() + ")");
        }
        return (T) values.get(name);
    }
}

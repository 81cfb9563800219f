package dev.kiln.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Modules held in a list and registered as "0", "1", ..., as {@code torch.nn.ModuleList}; no forward. */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) {
            add(m);
        }
    }

    public ModuleList<M> add(M module) {
        modules.add(registerModule(Integer.toString(modules.size()), module));
        return this;
    }

    public M get(int i) {
        return modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<M> iterator() {
        return List.copyOf(modules).iterator();
    }
}

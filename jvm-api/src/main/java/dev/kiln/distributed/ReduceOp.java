package dev.kiln.distributed;

/** How a collective combines the ranks' values, as {@code torch.distributed.ReduceOp}. */
public enum ReduceOp {
    SUM, AVG, MAX, MIN, PRODUCT
}

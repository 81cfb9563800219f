package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.spi.Allocations;
import dev.kiln.spi.Storage;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Device memory holding {@code size} elements. Freed (back to the caching allocator) by
 * {@link #release()} — {@code Tensor.close()} or a {@link MemoryScope} — or, as a last resort, once
 * it is unreachable: by {@link #freeUnreachable()}, which each new storage calls and the allocator
 * calls after running the collector when the device is out of memory. It remembers every stream
 * that used it, so the allocator reuses it only once their work is past it.
 */
final class CudaStorage implements Storage {
    /** Blocks whose storage the collector found unreachable. */
    private static final ReferenceQueue<CudaStorage> UNREACHABLE = new ReferenceQueue<>();
    /** The blocks not yet freed: a reference object must stay reachable to be enqueued. */
    private static final Set<Block> LIVE = ConcurrentHashMap.newKeySet();

    private final CudaContext context;
    private final DType dtype;
    private final int size;
    private final Block block;
    private volatile int version;

    /** The block itself, a phantom reference to its storage (which it must not reach strongly). */
    private static final class Block extends PhantomReference<CudaStorage> {
        final CachingAllocator allocator;
        final long address;
        final long bytes;
        final AtomicBoolean freed = new AtomicBoolean();
        final Set<CudaStream> usedOn = ConcurrentHashMap.newKeySet();

        Block(CudaStorage storage, CachingAllocator allocator, long address, long bytes, CudaStream stream) {
            super(storage, UNREACHABLE);
            this.allocator = allocator;
            this.address = address;
            this.bytes = bytes;
            usedOn.add(stream);
            LIVE.add(this);
        }

        void free() {
            if (freed.compareAndSet(false, true)) {
                LIVE.remove(this);
                clear();
                allocator.free(address, bytes, usedOn);
            }
        }
    }

    CudaStorage(CudaContext context, DType dtype, int size) {
        this.context = context;
        this.dtype = dtype;
        this.size = size;
        long bytes = Math.max(1L, (long) size * dtype.byteSize());
        freeUnreachable();
        this.block = new Block(this, context.allocator(), context.allocator().allocate(bytes, context.stream()), bytes,
                context.stream());
        Allocations.created(this);
    }

    /** Frees the blocks of every storage the collector has found unreachable so far; returns how many. */
    static int freeUnreachable() {
        int n = 0;
        for (Reference<? extends CudaStorage> r = UNREACHABLE.poll(); r != null; r = UNREACHABLE.poll()) {
            ((Block) r).free();
            n++;
        }
        return n;
    }

    /** The device address of element {@code offset}, for work on the calling thread's current stream. */
    long address(int offset) {
        if (block.freed.get()) {
            throw new IllegalStateException(context.device() + ": a " + dtype + " tensor's storage (" + size
                    + " elements) was used after it was closed (Tensor.close() or its MemoryScope ended)");
        }
        block.usedOn.add(context.stream());
        return block.address + (long) offset * dtype.byteSize();
    }

    @Override
    public void release() {
        block.free();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Device device() {
        return context.device();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public synchronized void bumpVersion() {
        version++;
    }
}

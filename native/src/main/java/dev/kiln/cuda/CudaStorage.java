package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.spi.Storage;
import java.lang.ref.Cleaner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Device memory holding {@code size} elements. Freed (back to the caching allocator) by
 * {@link #release()} — {@code Tensor.close()} or a {@link MemoryScope} — or, as a last resort,
 * when it becomes unreachable. It remembers every stream that used it, so the allocator reuses it
 * only once their work is past it.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext context;
    private final DType dtype;
    private final int size;
    private final Block block;
    private final Cleaner.Cleanable cleanable;
    private volatile int version;

    /** The block itself, shared with the Cleaner (which must not reach the storage). */
    private static final class Block implements Runnable {
        final CachingAllocator allocator;
        final long address;
        final long bytes;
        final AtomicBoolean freed = new AtomicBoolean();
        final Set<CudaStream> usedOn = ConcurrentHashMap.newKeySet();

        Block(CachingAllocator allocator, long bytes, CudaStream stream) {
            this.allocator = allocator;
            this.address = allocator.allocate(bytes, stream);
            this.bytes = bytes;
            usedOn.add(stream);
        }

        @Override
        public void run() {
            if (freed.compareAndSet(false, true)) {
                allocator.free(address, bytes, usedOn);
            }
        }
    }

    CudaStorage(CudaContext context, DType dtype, int size) {
        this.context = context;
        this.dtype = dtype;
        this.size = size;
        long bytes = Math.max(1L, (long) size * dtype.byteSize());
        this.block = new Block(context.allocator(), bytes, context.stream());
        this.cleanable = CLEANER.register(this, block);
        MemoryScope.track(this);
    }

    /** The device address of element {@code offset}, for work on the calling thread's current stream. */
    long address(int offset) {
        if (block.freed.get()) {
            throw new IllegalStateException(context.device() + ": this tensor's storage was closed (Tensor.close() or its MemoryScope ended)");
        }
        block.usedOn.add(context.stream());
        return block.address + (long) offset * dtype.byteSize();
    }

    @Override
    public void release() {
        cleanable.clean();
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

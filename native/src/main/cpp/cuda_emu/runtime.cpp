// The emulated device's scheduler: every CUDA thread of a block is a fiber on one worker thread;
// fibers run until they reach a sync point, which is checked and completed here.
#include "runtime.h"

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define KILN_EMU_ASAN 1
#endif

// Dynamic shared memory of the block in flight on this worker (see __shared__ in cuda_emu.h).
KILN_EMU_API thread_local __attribute__((aligned(16))) unsigned char kiln_smem[kiln_emu::kMaxDynamicShared];

namespace kiln_emu {

thread_local const ThreadCoords* current;

namespace {

#if defined(KILN_EMU_ASAN)
constexpr std::size_t kStackSize = 512 * 1024;  // ASan's redzones make frames several times larger
#else
constexpr std::size_t kStackSize = 64 * 1024;
#endif

enum class State { RUNNABLE, AT_BARRIER, AT_WARP, EXITED };

const char* op_name(WarpOp op) {
    switch (op) {
        case WarpOp::SHFL: return "__shfl_sync";
        case WarpOp::SHFL_UP: return "__shfl_up_sync";
        case WarpOp::SHFL_DOWN: return "__shfl_down_sync";
        case WarpOp::SHFL_XOR: return "__shfl_xor_sync";
        case WarpOp::BALLOT: return "__ballot_sync";
        case WarpOp::ANY: return "__any_sync";
        case WarpOp::ALL: return "__all_sync";
        case WarpOp::SYNCWARP: return "__syncwarp";
    }
    return "?";
}

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// "3, 7-31, 40": a list of thread indices, runs compressed.
std::string ranges(const std::vector<int>& xs) {
    std::string out;
    for (std::size_t i = 0; i < xs.size();) {
        std::size_t j = i;
        while (j + 1 < xs.size() && xs[j + 1] == xs[j] + 1) {
            j++;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += j == i ? std::to_string(xs[i]) : std::to_string(xs[i]) + "-" + std::to_string(xs[j]);
        i = j + 1;
    }
    return out;
}

struct Fiber {
    ThreadCoords coords;
    void* sp;
    State state;
    int linear;
    int warp;
    int lane;
    // The sync point it waits at.
    const char* file;
    int line;
    WarpOp op;
    unsigned mask;
    unsigned long long value;
    unsigned long long result;
    int arg;
    int width;
#if defined(KILN_EMU_ASAN)
    void* fake_stack;
#endif
};

// xorshift64*: the random order's source; seeded per block, so a result does not depend on which
// worker ran the block.
struct Rng {
    std::uint64_t s;
    explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
        if (s == 0) {
            s = 1;
        }
    }
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

class BlockRunner;
thread_local BlockRunner* runner;

// Fiber stacks kept from one launch to the next: mapping, guarding and first touching a block's stacks cost
// milliseconds per launch (3 ms for a 1-element add of 256 threads), far more than a small kernel's work.
class StackCache {
public:
    std::unique_ptr<StackPool> take(int n) {
        {
            std::lock_guard<std::mutex> g(lock_);
            for (auto it = free_.begin(); it != free_.end(); ++it) {
                if ((*it)->count() >= n) {
                    std::unique_ptr<StackPool> p = std::move(*it);
                    free_.erase(it);
                    return p;
                }
            }
        }
        return std::make_unique<StackPool>(n, kStackSize);
    }

    void give(std::unique_ptr<StackPool> p) {
        std::lock_guard<std::mutex> g(lock_);
        if (free_.size() < kKept) {
            free_.push_back(std::move(p));
        }
    }

private:
    static constexpr std::size_t kKept = 16;  // more than the workers of any launch
    std::mutex lock_;
    std::vector<std::unique_ptr<StackPool>> free_;
};

StackCache stack_cache;

// Runs the blocks one worker thread is given, one block at a time.
class BlockRunner {
public:
    BlockRunner(const KernelEntry& kernel, const LaunchConfig& config, void* const* args)
        : kernel_(kernel), config_(config), args_(args),
          n_(static_cast<int>(config.block.x * config.block.y * config.block.z)),
          warps_((n_ + 31) / 32), stacks_(stack_cache.take(n_)), fibers_(static_cast<std::size_t>(n_)),
          order_(static_cast<std::size_t>(n_)), rng_(0) {}

    ~BlockRunner() { stack_cache.give(std::move(stacks_)); }

    BlockRunner(const BlockRunner&) = delete;
    BlockRunner& operator=(const BlockRunner&) = delete;

    std::string run(uint3 block_idx, std::uint64_t linear_block) {
        runner = this;
        error_.clear();
        rng_ = Rng(config_.seed ^ (linear_block * 0xD1B54A32D192ED03ull));
        std::memset(kiln_smem, 0xFF, config_.shared_bytes);  // NaN in float and double
        const dim3& b = config_.block;
        for (int t = 0; t < n_; t++) {
            Fiber& f = fibers_[static_cast<std::size_t>(t)];
            f.coords = ThreadCoords{uint3{t % b.x, (t / b.x) % b.y, t / (b.x * b.y)}, block_idx, b, config_.grid};
            f.state = State::RUNNABLE;
            f.linear = t;
            f.warp = t / 32;
            f.lane = t % 32;
            f.sp = stacks_->initial_sp(t, &fiber_main);
#if defined(KILN_EMU_ASAN)
            f.fake_stack = nullptr;
            __asan_unpoison_memory_region(stacks_->bottom(t), stacks_->size());
#endif
        }
        block_ = format("block (%u, %u, %u)", block_idx.x, block_idx.y, block_idx.z);
        held_warp_ = pick_held_warp();
        for (;;) {
            bool ran = sweep();
            if (!error_.empty()) {
                return error_;
            }
            if (ran) {
                continue;
            }
            if (held_warp_ >= 0) {
                held_warp_ = -1;  // nothing else can run: now the held-back warp goes
                continue;
            }
            if (!resolve_stall()) {
                return error_;  // empty when every thread has exited
            }
        }
    }

    // Called on the fiber's own stack.
    void suspend(State state) {
        Fiber& f = *running_;
        f.state = state;
        switch_to_scheduler(f, false);
    }

    Fiber& running() { return *running_; }

private:
    static void fiber_main() {
        BlockRunner* r = runner;
#if defined(KILN_EMU_ASAN)
        __sanitizer_finish_switch_fiber(nullptr, &r->sched_bottom_, &r->sched_size_);
#endif
        r->kernel_.invoke(r->kernel_.function, r->args_);
        r->switch_to_scheduler(*r->running_, true);
        __builtin_unreachable();
    }

    void switch_to_scheduler(Fiber& f, bool exiting) {
        if (exiting) {
            f.state = State::EXITED;
        }
#if defined(KILN_EMU_ASAN)
        __sanitizer_start_switch_fiber(exiting ? nullptr : &f.fake_stack, sched_bottom_, sched_size_);
#endif
        kiln_emu_switch(&f.sp, sched_sp_);
#if defined(KILN_EMU_ASAN)
        __sanitizer_finish_switch_fiber(f.fake_stack, &sched_bottom_, &sched_size_);
#endif
        current = &f.coords;
    }

    void resume(Fiber& f) {
        running_ = &f;
        current = &f.coords;
#if defined(KILN_EMU_ASAN)
        void* fake = nullptr;
        __sanitizer_start_switch_fiber(&fake, stacks_->bottom(f.linear), stacks_->size());
#endif
        kiln_emu_switch(&sched_sp_, f.sp);
#if defined(KILN_EMU_ASAN)
        __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
        current = nullptr;
    }

    int pick_held_warp() {
        return config_.order == Order::RANDOM && warps_ > 1 ? rng_.below(warps_) : -1;
    }

    // Runs every runnable fiber (except the held-back warp) once, in the configured order.
    bool sweep() {
        for (int i = 0; i < n_; i++) {
            order_[static_cast<std::size_t>(i)] = config_.order == Order::REVERSE ? n_ - 1 - i : i;
        }
        if (config_.order == Order::RANDOM) {
            for (int i = n_ - 1; i > 0; i--) {
                std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(rng_.below(i + 1))]);
            }
        }
        bool ran = false;
        for (int t : order_) {
            Fiber& f = fibers_[static_cast<std::size_t>(t)];
            if (f.state != State::RUNNABLE || f.warp == held_warp_) {
                continue;
            }
            resume(f);
            ran = true;
            if (f.state == State::AT_WARP) {
                try_warp_op(f);
            }
            if (!error_.empty()) {
                return false;
            }
        }
        return ran;
    }

    std::string where(const Fiber& f) const {
        const char* what = f.state == State::AT_BARRIER ? "__syncthreads" : op_name(f.op);
        return format("%s (%s:%d)", what, f.file, f.line);
    }

    void fail(const std::string& message) {
        if (error_.empty()) {
            error_ = block_ + ": " + message;
        }
    }

    // f has just arrived at a warp intrinsic: complete it once every lane in its mask is there.
    void try_warp_op(const Fiber& f) {
        const unsigned mask = f.mask;
        const int lanes_in_warp = std::min(32, n_ - f.warp * 32);
        if (!(mask >> f.lane & 1u)) {
            fail(format("thread %d (lane %d of warp %d) calls %s with mask 0x%08x, which does not include its own lane",
                        f.linear, f.lane, f.warp, where(f).c_str(), mask));
            return;
        }
        if (f.op != WarpOp::BALLOT && f.op != WarpOp::ANY && f.op != WarpOp::ALL && f.op != WarpOp::SYNCWARP
            && (f.width < 1 || f.width > 32 || (f.width & (f.width - 1)) != 0)) {
            fail(format("thread %d calls %s with width %d; it must be a power of two up to 32",
                        f.linear, where(f).c_str(), f.width));
            return;
        }
        for (int lane = 0; lane < 32; lane++) {
            if (!(mask >> lane & 1u)) {
                continue;
            }
            if (lane >= lanes_in_warp) {
                fail(format("%s at thread %d: mask 0x%08x names lane %d, but warp %d has only %d lanes (block of %d threads)",
                            where(f).c_str(), f.linear, mask, lane, f.warp, lanes_in_warp, n_));
                return;
            }
            const Fiber& g = lane_fiber(f.warp, lane);
            switch (g.state) {
                case State::RUNNABLE:
                    return;  // not arrived yet
                case State::EXITED:
                    fail(format("%s at thread %d: lane %d (thread %d) is in mask 0x%08x but has already exited",
                                where(f).c_str(), f.linear, lane, g.linear, mask));
                    return;
                case State::AT_BARRIER:
                    fail(format("lanes of warp %d are at different sync points: lane %d at %s, lane %d at %s",
                                f.warp, f.lane, where(f).c_str(), lane, where(g).c_str()));
                    return;
                case State::AT_WARP:
                    if (g.op != f.op || g.mask != f.mask) {
                        fail(format("lanes of warp %d are at different intrinsics: lane %d at %s with mask 0x%08x, "
                                    "lane %d at %s with mask 0x%08x",
                                    f.warp, f.lane, where(f).c_str(), f.mask, lane, where(g).c_str(), g.mask));
                        return;
                    }
                    break;
            }
        }
        complete_warp_op(f.warp, mask, f.op);
    }

    Fiber& lane_fiber(int warp, int lane) { return fibers_[static_cast<std::size_t>(warp * 32 + lane)]; }

    void complete_warp_op(int warp, unsigned mask, WarpOp op) {
        unsigned long long ballot = 0;
        for (int lane = 0; lane < 32; lane++) {
            if (mask >> lane & 1u) {
                ballot |= (lane_fiber(warp, lane).value != 0 ? 1ull : 0ull) << lane;
            }
        }
        for (int lane = 0; lane < 32; lane++) {
            if (!(mask >> lane & 1u)) {
                continue;
            }
            Fiber& f = lane_fiber(warp, lane);
            switch (op) {
                case WarpOp::BALLOT: f.result = ballot; break;
                case WarpOp::ANY: f.result = ballot != 0; break;
                case WarpOp::ALL: f.result = ballot == mask; break;
                case WarpOp::SYNCWARP: f.result = 0; break;
                default: {
                    int src = source_lane(op, lane, f.arg, f.width);
                    if (src != lane && !(mask >> src & 1u)) {
                        fail(format("%s: lane %d (thread %d) reads lane %d, which is not in mask 0x%08x (its value is undefined)",
                                    where(f).c_str(), lane, f.linear, src, mask));
                        return;
                    }
                    f.result = lane_fiber(warp, src).value;
                }
            }
        }
        for (int lane = 0; lane < 32; lane++) {
            if (mask >> lane & 1u) {
                lane_fiber(warp, lane).state = State::RUNNABLE;
            }
        }
    }

    // The lane a shuffle reads (its own lane where CUDA defines the result as the caller's value).
    static int source_lane(WarpOp op, int lane, int arg, int width) {
        const int base = lane & ~(width - 1);
        switch (op) {
            case WarpOp::SHFL: return base + (arg & (width - 1));
            case WarpOp::SHFL_UP: return lane - arg >= base ? lane - arg : lane;
            case WarpOp::SHFL_DOWN: return lane + arg < base + width ? lane + arg : lane;
            case WarpOp::SHFL_XOR: return (lane ^ arg) < base + width ? lane ^ arg : lane;
            default: return lane;
        }
    }

    // No fiber can run: release a complete barrier, or explain why the block is stuck. Returns
    // false when the block is finished (error_ empty) or failed.
    bool resolve_stall() {
        std::vector<int> exited;
        std::vector<int> at_barrier;
        for (const Fiber& f : fibers_) {
            if (f.state == State::EXITED) {
                exited.push_back(f.linear);
            } else if (f.state == State::AT_BARRIER) {
                at_barrier.push_back(f.linear);
            }
        }
        if (static_cast<int>(exited.size()) == n_) {
            return false;
        }
        for (const Fiber& f : fibers_) {
            if (f.state == State::AT_WARP) {
                try_warp_op(f);  // cannot complete now, so this names the lane it waits for
                if (error_.empty()) {
                    fail(format("deadlock: thread %d waits at %s and no thread can run", f.linear, where(f).c_str()));
                }
                return false;
            }
        }
        const Fiber& first = fibers_[static_cast<std::size_t>(at_barrier.front())];
        if (!exited.empty()) {
            fail(format("%s reached by %zu of %d threads while threads %s have exited (a return before the barrier?)",
                        where(first).c_str(), at_barrier.size(), n_, ranges(exited).c_str()));
            return false;
        }
        for (int t : at_barrier) {
            const Fiber& f = fibers_[static_cast<std::size_t>(t)];
            if (f.line != first.line || std::strcmp(f.file, first.file) != 0) {
                fail(format("threads wait at different barriers: thread %d at %s, thread %d at %s",
                            first.linear, where(first).c_str(), f.linear, where(f).c_str()));
                return false;
            }
        }
        for (Fiber& f : fibers_) {
            f.state = State::RUNNABLE;
        }
        held_warp_ = pick_held_warp();
        return true;
    }

    const KernelEntry& kernel_;
    const LaunchConfig& config_;
    void* const* args_;
    const int n_;
    const int warps_;
    std::unique_ptr<StackPool> stacks_;
    std::vector<Fiber> fibers_;
    std::vector<int> order_;
    Rng rng_;
    Fiber* running_ = nullptr;
    void* sched_sp_ = nullptr;
    int held_warp_ = -1;
    std::string block_;
    std::string error_;
#if defined(KILN_EMU_ASAN)
    const void* sched_bottom_ = nullptr;
    std::size_t sched_size_ = 0;
#endif
};

}  // namespace

void syncthreads(const char* file, int line) {
    Fiber& f = runner->running();
    f.file = file;
    f.line = line;
    runner->suspend(State::AT_BARRIER);
}

unsigned long long warp_op(WarpOp op, unsigned mask, unsigned long long value, int arg, int width,
                           const char* file, int line) {
    Fiber& f = runner->running();
    f.op = op;
    f.mask = mask;
    f.value = value;
    f.arg = arg;
    f.width = width;
    f.file = file;
    f.line = line;
    runner->suspend(State::AT_WARP);
    return runner->running().result;
}

std::string launch(const KernelEntry& kernel, const LaunchConfig& config, void* const* args) {
    const std::uint64_t blocks = std::uint64_t{config.grid.x} * config.grid.y * config.grid.z;
    std::vector<std::uint64_t> sequence(blocks);
    for (std::uint64_t i = 0; i < blocks; i++) {
        sequence[i] = config.order == Order::REVERSE ? blocks - 1 - i : i;
    }
    if (config.order == Order::RANDOM) {
        Rng rng(config.seed);
        for (std::uint64_t i = blocks; i > 1; i--) {
            std::swap(sequence[i - 1], sequence[rng.next() % i]);
        }
    }
    std::atomic<std::uint64_t> next{0};
    std::mutex lock;
    std::string first_error;
    auto work = [&] {
        try {
            BlockRunner r(kernel, config, args);
            for (std::uint64_t i; (i = next.fetch_add(1)) < blocks;) {
                const std::uint64_t b = sequence[i];
                const uint3 idx{static_cast<unsigned>(b % config.grid.x),
                                static_cast<unsigned>(b / config.grid.x % config.grid.y),
                                static_cast<unsigned>(b / (std::uint64_t{config.grid.x} * config.grid.y))};
                std::string e = r.run(idx, b);
                if (!e.empty()) {
                    std::lock_guard<std::mutex> g(lock);
                    if (first_error.empty()) {
                        first_error = e;
                    }
                    next.store(blocks);  // stop the other workers at their next block
                }
            }
        } catch (const std::bad_alloc&) {
            std::lock_guard<std::mutex> g(lock);
            first_error = "out of host memory for the fiber stacks of one block";
        }
    };
    const int workers = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(1, config.workers)), blocks));
    // Fresh threads even for one worker: the caller's (JVM) thread and its stack are never used.
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; w++) {
        pool.emplace_back(work);
    }
    for (std::thread& t : pool) {
        t.join();
    }
    return first_error;
}

}  // namespace kiln_emu

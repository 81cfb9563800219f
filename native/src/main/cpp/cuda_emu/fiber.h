// Fiber stacks and the x86-64 context switch: only the System V callee-saved registers and the
// stack pointer are saved, which is all a cooperative switch between C functions needs.
#pragma once

#include <cstddef>

extern "C" void kiln_emu_switch(void** save_sp, void* next_sp);

namespace kiln_emu {

// n stacks of `size` bytes, each above a PROT_NONE guard page, so an overflow faults at once.
class StackPool {
public:
    StackPool(int n, std::size_t size);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    char* bottom(int i) const { return base_ + static_cast<std::size_t>(i) * stride_ + kGuard; }
    std::size_t size() const { return size_; }
    int count() const { return count_; }

    // The initial stack pointer of a fiber on stack i that starts in entry() (which never returns).
    void* initial_sp(int i, void (*entry)()) const;

private:
    static constexpr std::size_t kGuard = 4096;
    char* base_;
    int count_;
    std::size_t size_;
    std::size_t stride_;
    std::size_t total_;
};

}  // namespace kiln_emu

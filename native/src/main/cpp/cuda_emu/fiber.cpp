#include "fiber.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

// kiln_emu_switch(save_sp, next_sp): push the callee-saved registers, store rsp in *save_sp,
// load next_sp, pop the registers saved there and return into the other fiber.
asm(R"(
    .text
    .globl kiln_emu_switch
    .type kiln_emu_switch, @function
kiln_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size kiln_emu_switch, .-kiln_emu_switch
)");

namespace kiln_emu {

StackPool::StackPool(int n, std::size_t size) : count_(n), size_(size), stride_(size + kGuard) {
    total_ = stride_ * static_cast<std::size_t>(n);
    void* p = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        throw std::bad_alloc();
    }
    base_ = static_cast<char*>(p);
    for (int i = 0; i < n; i++) {
        mprotect(base_ + static_cast<std::size_t>(i) * stride_, kGuard, PROT_NONE);
    }
}

StackPool::~StackPool() {
    munmap(base_, total_);
}

void* StackPool::initial_sp(int i, void (*entry)()) const {
    // After the six pops and the ret into entry, rsp = top - 8: the alignment of a called function.
    auto top = reinterpret_cast<std::uintptr_t>(bottom(i) + size_) & ~std::uintptr_t{15};
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;                           // entry's return address: it never returns
    *--sp = reinterpret_cast<void*>(entry);    // where kiln_emu_switch's ret goes
    for (int r = 0; r < 6; r++) {
        *--sp = nullptr;                       // rbp, rbx, r12-r15
    }
    return sp;
}

}  // namespace kiln_emu

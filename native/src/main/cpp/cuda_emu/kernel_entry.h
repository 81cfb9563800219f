// A kernel as the emulator's module table describes it: name, entry, and the byte size and type of
// every parameter, so a launch whose arguments do not match is refused before the kernel runs.
#pragma once

#include <cstddef>

namespace kiln_emu {

constexpr int kMaxParams = 32;

struct KernelEntry {
    const char* name;
    void* function;
    // Calls `function` with the parameters unpacked from args[i] (one pointer per parameter).
    void (*invoke)(void* function, void* const* args);
    int param_count;
    std::size_t param_sizes[kMaxParams];
    const char* param_types[kMaxParams];
};

}  // namespace kiln_emu

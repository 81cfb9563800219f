// Appended (by the build's generated module source) after a .cu file: the table of its extern "C"
// kernels that the runtime reads with dlsym("kiln_emu_module"), like cuModuleGetFunction.
#pragma once

#include <type_traits>
#include <utility>

#include "kernel_entry.h"

namespace kiln_emu {

// "T = const float*" out of the function signature g++ prints.
template <class T>
constexpr const char* type_name() {
    return __PRETTY_FUNCTION__;
}

template <class... A, std::size_t... I>
void call(void* function, void* const* args, std::index_sequence<I...>) {
    reinterpret_cast<void (*)(A...)>(function)(*static_cast<std::remove_reference_t<A>*>(args[I])...);
}

template <class... A>
void invoke(void* function, void* const* args) {
    call<A...>(function, args, std::index_sequence_for<A...>{});
}

template <class... A>
KernelEntry entry(const char* name, void (*function)(A...)) {
    static_assert(sizeof...(A) <= kMaxParams, "too many kernel parameters");
    KernelEntry e{name, reinterpret_cast<void*>(function), &invoke<A...>, sizeof...(A), {sizeof(A)...}, {type_name<A>()...}};
    return e;
}

}  // namespace kiln_emu

#define KILN_EMU_MODULE_BEGIN                                                                   \
    extern "C" __attribute__((visibility("default"))) const kiln_emu::KernelEntry* kiln_emu_module(int* count) { \
        static const kiln_emu::KernelEntry table[] = {
#define KILN_EMU_KERNEL(name) kiln_emu::entry(#name, &name),
#define KILN_EMU_MODULE_END                        \
        };                                         \
        *count = sizeof table / sizeof table[0];   \
        return table;                              \
    }

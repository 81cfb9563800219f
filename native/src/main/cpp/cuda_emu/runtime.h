// The emulated device's launch entry point (used by the JNI layer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cuda_emu.h"
#include "kernel_entry.h"

namespace kiln_emu {

// The order in which a block's runnable fibers (and the grid's blocks) are run. RANDOM also
// holds one warp back in every barrier phase, until nothing else can run.
enum class Order : int { FORWARD = 0, REVERSE = 1, RANDOM = 2 };

constexpr std::size_t kMaxDynamicShared = 48 * 1024;  // the default per-block limit on sm_80/sm_90
constexpr unsigned kMaxThreadsPerBlock = 1024;

struct LaunchConfig {
    dim3 grid;
    dim3 block;
    std::size_t shared_bytes;
    Order order;
    std::uint64_t seed;
    int workers;
};

// Runs kernel over the grid; returns an empty string, or the first diagnostic of the launch.
std::string launch(const KernelEntry& kernel, const LaunchConfig& config, void* const* args);

}  // namespace kiln_emu

// JNI entry points of dev.kiln.cuda.EmuNative: device memory (host memory here), copies, module
// loading and kernel launch for the emulated device. Errors become dev.kiln.cuda.EmulatorException.
#include <dlfcn.h>
#include <jni.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime.h"

namespace {

struct Module {
    void* handle;
    const kiln_emu::KernelEntry* table;
    int count;
};

void throw_emulator(JNIEnv* env, const std::string& message) {
    jclass c = env->FindClass("dev/kiln/cuda/EmulatorException");
    if (c != nullptr) {
        env->ThrowNew(c, message.c_str());
    }
}

std::string java_string(JNIEnv* env, jstring s) {
    const char* c = env->GetStringUTFChars(s, nullptr);
    std::string out(c);
    env->ReleaseStringUTFChars(s, c);
    return out;
}

// "const float*" out of "... [with T = const float*]".
std::string type_of(const char* pretty) {
    std::string s(pretty);
    std::size_t at = s.find("T = ");
    if (at == std::string::npos) {
        return s;
    }
    at += 4;
    std::size_t end = s.find_first_of(";]", at);
    return s.substr(at, end - at);
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_kiln_cuda_EmuNative_malloc(JNIEnv*, jclass, jlong bytes) {
    void* p = nullptr;
    // 256-byte aligned like cudaMalloc; the exact size, so the ASan build sees overruns.
    if (posix_memalign(&p, 256, static_cast<std::size_t>(bytes > 0 ? bytes : 1)) != 0) {
        return 0;
    }
    std::memset(p, 0xFF, static_cast<std::size_t>(bytes));  // uninitialised device memory reads as NaN
    return reinterpret_cast<jlong>(p);
}

JNIEXPORT void JNICALL Java_dev_kiln_cuda_EmuNative_free(JNIEnv*, jclass, jlong ptr) {
    std::free(reinterpret_cast<void*>(ptr));
}

JNIEXPORT void JNICALL Java_dev_kiln_cuda_EmuNative_copyFromArray(JNIEnv* env, jclass, jlong dst, jobject array,
                                                                   jlong byte_offset, jlong bytes) {
    if (void* b = env->GetDirectBufferAddress(array)) {  // a direct ByteBuffer (collectives' staging)
        std::memcpy(reinterpret_cast<void*>(dst), static_cast<char*>(b) + byte_offset, static_cast<std::size_t>(bytes));
        return;
    }
    void* a = env->GetPrimitiveArrayCritical(static_cast<jarray>(array), nullptr);
    std::memcpy(reinterpret_cast<void*>(dst), static_cast<char*>(a) + byte_offset, static_cast<std::size_t>(bytes));
    env->ReleasePrimitiveArrayCritical(static_cast<jarray>(array), a, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_dev_kiln_cuda_EmuNative_copyToArray(JNIEnv* env, jclass, jobject array, jlong byte_offset,
                                                                 jlong src, jlong bytes) {
    if (void* b = env->GetDirectBufferAddress(array)) {  // a direct ByteBuffer (collectives' staging)
        std::memcpy(static_cast<char*>(b) + byte_offset, reinterpret_cast<void*>(src), static_cast<std::size_t>(bytes));
        return;
    }
    void* a = env->GetPrimitiveArrayCritical(static_cast<jarray>(array), nullptr);
    std::memcpy(static_cast<char*>(a) + byte_offset, reinterpret_cast<void*>(src), static_cast<std::size_t>(bytes));
    env->ReleasePrimitiveArrayCritical(static_cast<jarray>(array), a, 0);
}

JNIEXPORT void JNICALL Java_dev_kiln_cuda_EmuNative_memset(JNIEnv*, jclass, jlong dst, jint value, jlong bytes) {
    std::memset(reinterpret_cast<void*>(dst), value, static_cast<std::size_t>(bytes));
}

JNIEXPORT jlong JNICALL Java_dev_kiln_cuda_EmuNative_loadModuleFile(JNIEnv* env, jclass, jstring path) {
    std::string p = java_string(env, path);
    // The module's DT_NEEDED on libkiln_cuda_emu.so is met by this (already loaded) library.
    void* h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        throw_emulator(env, "cuda-emu: cannot load kernel module " + p + ": " + dlerror());
        return 0;
    }
    using TableFn = const kiln_emu::KernelEntry* (*)(int*);
    auto fn = reinterpret_cast<TableFn>(dlsym(h, "kiln_emu_module"));
    if (fn == nullptr) {
        throw_emulator(env, "cuda-emu: " + p + " is not a kernel module (no kiln_emu_module table)");
        dlclose(h);
        return 0;
    }
    auto* m = new Module{h, nullptr, 0};
    m->table = fn(&m->count);
    return reinterpret_cast<jlong>(m);
}

JNIEXPORT jlong JNICALL Java_dev_kiln_cuda_EmuNative_function(JNIEnv* env, jclass, jlong module, jstring name) {
    auto* m = reinterpret_cast<Module*>(module);
    std::string n = java_string(env, name);
    for (int i = 0; i < m->count; i++) {
        if (n == m->table[i].name) {
            return reinterpret_cast<jlong>(&m->table[i]);
        }
    }
    throw_emulator(env, "cuda-emu: no kernel named " + n + " in the module");
    return 0;
}

JNIEXPORT jstring JNICALL Java_dev_kiln_cuda_EmuNative_signature(JNIEnv* env, jclass, jlong function) {
    const auto& k = *reinterpret_cast<const kiln_emu::KernelEntry*>(function);
    std::string s = std::string(k.name) + "(";
    for (int i = 0; i < k.param_count; i++) {
        s += (i > 0 ? ", " : "") + type_of(k.param_types[i]);
    }
    return env->NewStringUTF((s + ")").c_str());
}

JNIEXPORT void JNICALL Java_dev_kiln_cuda_EmuNative_launch(JNIEnv* env, jclass, jlong function, jint gx, jint gy,
                                                            jint gz, jint bx, jint by, jint bz, jint shared_bytes,
                                                            jbyteArray args, jintArray arg_sizes, jint order,
                                                            jlong seed, jint workers) {
    const auto& k = *reinterpret_cast<const kiln_emu::KernelEntry*>(function);
    const std::string name = k.name;
    const jsize count = env->GetArrayLength(arg_sizes);
    std::vector<jint> sizes(static_cast<std::size_t>(count));
    env->GetIntArrayRegion(arg_sizes, 0, count, sizes.data());
    if (count != k.param_count) {
        throw_emulator(env, "cuda-emu: kernel " + name + " takes " + std::to_string(k.param_count)
                                + " parameters but was launched with " + std::to_string(count) + " arguments");
        return;
    }
    for (int i = 0; i < count; i++) {
        if (static_cast<std::size_t>(sizes[static_cast<std::size_t>(i)]) != k.param_sizes[i]) {
            throw_emulator(env, "cuda-emu: kernel " + name + ": argument " + std::to_string(i) + " is "
                                    + std::to_string(sizes[static_cast<std::size_t>(i)]) + " bytes but parameter "
                                    + std::to_string(i) + " (" + type_of(k.param_types[i]) + ") is "
                                    + std::to_string(k.param_sizes[i]) + " bytes");
            return;
        }
    }
    const long long threads = static_cast<long long>(bx) * by * bz;
    if (bx < 1 || by < 1 || bz < 1 || threads > kiln_emu::kMaxThreadsPerBlock || bz > 64) {
        throw_emulator(env, "cuda-emu: kernel " + name + ": invalid block (" + std::to_string(bx) + ", "
                                + std::to_string(by) + ", " + std::to_string(bz) + "): at most 1024 threads, z <= 64");
        return;
    }
    if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535) {
        throw_emulator(env, "cuda-emu: kernel " + name + ": invalid grid (" + std::to_string(gx) + ", "
                                + std::to_string(gy) + ", " + std::to_string(gz) + ")");
        return;
    }
    if (shared_bytes < 0 || static_cast<std::size_t>(shared_bytes) > kiln_emu::kMaxDynamicShared) {
        throw_emulator(env, "cuda-emu: kernel " + name + ": " + std::to_string(shared_bytes)
                                + " bytes of dynamic shared memory requested, the limit is "
                                + std::to_string(kiln_emu::kMaxDynamicShared));
        return;
    }
    // Each argument in its own 16-byte aligned slot, as the kernel's parameters expect.
    const jsize total = env->GetArrayLength(args);
    std::vector<unsigned char> packed(static_cast<std::size_t>(total));
    env->GetByteArrayRegion(args, 0, total, reinterpret_cast<jbyte*>(packed.data()));
    std::vector<void*> argv(static_cast<std::size_t>(count));
    std::size_t at = 0;
    for (int i = 0; i < count; i++) {
        const std::size_t n = static_cast<std::size_t>(sizes[static_cast<std::size_t>(i)]);
        void* slot = nullptr;
        if (posix_memalign(&slot, 16, n > 0 ? n : 1) != 0) {
            throw_emulator(env, "cuda-emu: out of host memory for kernel arguments");
            return;
        }
        std::memcpy(slot, packed.data() + at, n);
        argv[static_cast<std::size_t>(i)] = slot;
        at += n;
    }
    kiln_emu::LaunchConfig config{dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(gz)),
                                  dim3(static_cast<unsigned>(bx), static_cast<unsigned>(by), static_cast<unsigned>(bz)),
                                  static_cast<std::size_t>(shared_bytes), static_cast<kiln_emu::Order>(order),
                                  static_cast<std::uint64_t>(seed), workers};
    std::string error = kiln_emu::launch(k, config, argv.data());
    for (void* slot : argv) {
        std::free(slot);
    }
    if (!error.empty()) {
        throw_emulator(env, "cuda-emu: kernel " + name + ", " + error);
    }
}

}  // extern "C"

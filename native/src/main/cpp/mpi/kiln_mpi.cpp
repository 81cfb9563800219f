// JNI binding of the MPI calls Kiln's process groups need (dev.kiln.mpi.MpiNative): init/finalize,
// rank/size, non-blocking all-reduce / broadcast / all-gather / barrier on direct buffers, test and
// abort, and point-to-point status messages for diagnosing a time-out. Every collective is non-blocking so that Java can wait with a timeout and keep progressing
// MPI (MPI_Test) while backward runs. Errors return (MPI_ERRORS_RETURN) and become Java exceptions.
#include <dlfcn.h>
#include <jni.h>
#define OMPI_SKIP_MPICXX 1 // the C API only: the deprecated C++ bindings do not build warning-free
#include <mpi.h>

#include <cstdio>
#include <initializer_list>
#include <new>

namespace {

MPI_Comm comm = MPI_COMM_NULL; // a duplicate of MPI_COMM_WORLD: Kiln's collectives never mix with a user's
MPI_Comm status = MPI_COMM_NULL; // another: after a time-out, ranks tell each other where they are stuck

// Java-side codes (MpiNative): dtype 0 float32, 1 float64, 2 int64; op 0 sum, 1 max, 2 min, 3 product.
MPI_Datatype datatype(jint code) {
    switch (code) {
        case 0: return MPI_FLOAT;
        case 1: return MPI_DOUBLE;
        default: return MPI_INT64_T;
    }
}

MPI_Op reduction(jint code) {
    switch (code) {
        case 0: return MPI_SUM;
        case 1: return MPI_MAX;
        case 2: return MPI_MIN;
        default: return MPI_PROD;
    }
}

void throwState(JNIEnv* env, const char* what, int code) {
    char text[MPI_MAX_ERROR_STRING + 128];
    char reason[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, reason, &length) != MPI_SUCCESS) {
        std::snprintf(reason, sizeof reason, "MPI error code %d", code);
    }
    std::snprintf(text, sizeof text, "mpi: %s failed: %s", what, reason);
    jclass cls = env->FindClass("java/lang/IllegalStateException");
    if (cls != nullptr) {
        env->ThrowNew(cls, text);
    }
}

void* address(JNIEnv* env, jobject buffer) {
    return buffer == nullptr ? nullptr : env->GetDirectBufferAddress(buffer);
}

// Starts a request with start(request*) and returns it as a handle, or 0 after throwing.
template <typename Start>
jlong begin(JNIEnv* env, const char* what, Start start) {
    MPI_Request* request = new (std::nothrow) MPI_Request(MPI_REQUEST_NULL);
    if (request == nullptr) {
        throwState(env, what, MPI_ERR_NO_MEM);
        return 0;
    }
    int rc = start(request);
    if (rc != MPI_SUCCESS) {
        delete request;
        throwState(env, what, rc);
        return 0;
    }
    return reinterpret_cast<jlong>(request);
}

} // namespace

extern "C" {

// Open MPI loads its components with dlopen and they need libmpi's symbols global; the JVM's
// System.load opened this library (and libmpi with it) RTLD_LOCAL, so promote libmpi first.
JNIEXPORT jint JNICALL Java_dev_kiln_mpi_MpiNative_init(JNIEnv* env, jclass) {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &info) != 0 && info.dli_fname != nullptr) {
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    }
    int initialized = 0;
    MPI_Initialized(&initialized);
    int provided = MPI_THREAD_SINGLE;
    if (!initialized) {
        int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
        if (rc != MPI_SUCCESS) {
            throwState(env, "MPI_Init_thread", rc);
            return -1;
        }
    } else {
        MPI_Query_thread(&provided);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    for (MPI_Comm* c : {&comm, &status}) {
        int rc = MPI_Comm_dup(MPI_COMM_WORLD, c);
        if (rc != MPI_SUCCESS) {
            throwState(env, "MPI_Comm_dup", rc);
            return -1;
        }
        MPI_Comm_set_errhandler(*c, MPI_ERRORS_RETURN);
    }
    return provided;
}

JNIEXPORT jint JNICALL Java_dev_kiln_mpi_MpiNative_rank(JNIEnv*, jclass) {
    int rank = -1;
    MPI_Comm_rank(comm, &rank);
    return rank;
}

JNIEXPORT jint JNICALL Java_dev_kiln_mpi_MpiNative_size(JNIEnv*, jclass) {
    int size = 0;
    MPI_Comm_size(comm, &size);
    return size;
}

JNIEXPORT jstring JNICALL Java_dev_kiln_mpi_MpiNative_library(JNIEnv* env, jclass) {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    for (int i = 0; i < length; i++) { // the first line is enough
        if (version[i] == '\n' || version[i] == ',') {
            version[i] = '\0';
            break;
        }
    }
    return env->NewStringUTF(version);
}

JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_allReduce(JNIEnv* env, jclass, jobject buffer, jint count,
                                                              jint dtype, jint op) {
    void* data = address(env, buffer);
    return begin(env, "MPI_Iallreduce", [&](MPI_Request* r) {
        return MPI_Iallreduce(MPI_IN_PLACE, data, count, datatype(dtype), reduction(op), comm, r);
    });
}

JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_broadcast(JNIEnv* env, jclass, jobject buffer, jint count,
                                                              jint dtype, jint root) {
    void* data = address(env, buffer);
    return begin(env, "MPI_Ibcast", [&](MPI_Request* r) {
        return MPI_Ibcast(data, count, datatype(dtype), root, comm, r);
    });
}

JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_allGather(JNIEnv* env, jclass, jobject send, jobject receive,
                                                              jint count, jint dtype) {
    void* in = address(env, send);
    void* out = address(env, receive);
    return begin(env, "MPI_Iallgather", [&](MPI_Request* r) {
        return MPI_Iallgather(in, count, datatype(dtype), out, count, datatype(dtype), comm, r);
    });
}

JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_barrier(JNIEnv* env, jclass) {
    return begin(env, "MPI_Ibarrier", [&](MPI_Request* r) { return MPI_Ibarrier(comm, r); });
}

// One int64 to or from another rank on the status communicator, non-blocking.
JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_sendStatus(JNIEnv* env, jclass, jobject buffer, jint dest) {
    void* data = address(env, buffer);
    return begin(env, "MPI_Isend", [&](MPI_Request* r) { return MPI_Isend(data, 1, MPI_INT64_T, dest, 0, status, r); });
}

JNIEXPORT jlong JNICALL Java_dev_kiln_mpi_MpiNative_receiveStatus(JNIEnv* env, jclass, jobject buffer, jint source) {
    void* data = address(env, buffer);
    return begin(env, "MPI_Irecv", [&](MPI_Request* r) { return MPI_Irecv(data, 1, MPI_INT64_T, source, 0, status, r); });
}

// Gives up on a request that has not completed (a status message no one answers) and frees it.
JNIEXPORT void JNICALL Java_dev_kiln_mpi_MpiNative_cancel(JNIEnv*, jclass, jlong handle) {
    MPI_Request* request = reinterpret_cast<MPI_Request*>(handle);
    MPI_Cancel(request);
    MPI_Request_free(request);
    delete request;
}

// True once the request has completed (its handle is then freed); progresses MPI either way.
JNIEXPORT jboolean JNICALL Java_dev_kiln_mpi_MpiNative_test(JNIEnv* env, jclass, jlong handle) {
    MPI_Request* request = reinterpret_cast<MPI_Request*>(handle);
    int done = 0;
    int rc = MPI_Test(request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) {
        delete request;
        throwState(env, "MPI_Test", rc);
        return JNI_FALSE;
    }
    if (done) {
        delete request;
    }
    return done ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_dev_kiln_mpi_MpiNative_abort(JNIEnv*, jclass, jint code) {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
}

JNIEXPORT void JNICALL Java_dev_kiln_mpi_MpiNative_finish(JNIEnv* env, jclass) {
    for (MPI_Comm* c : {&comm, &status}) {
        if (*c != MPI_COMM_NULL) {
            MPI_Comm_free(c);
        }
    }
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) {
        int rc = MPI_Finalize();
        if (rc != MPI_SUCCESS) {
            throwState(env, "MPI_Finalize", rc);
        }
    }
}

} // extern "C"

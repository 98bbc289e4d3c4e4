// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loading the shim is all a program does to be tracked. It registers its
// processor as soon as libtt_metal.so is in the process: at once if it is
// already loaded (ctypes.CDLL after `import ttnn`, or a program linked with
// it), else right after the dlopen that brings it in (LD_PRELOAD).
//
// GraphTracker's processor stack is per thread, so the processor is pushed
// on every thread the first time that thread uses GraphTracker with an empty
// stack: libtt_metal.so's calls to GraphTracker::instance() are routed
// through attach_this_thread() by rewriting its PLT entry. First on an empty
// stack, so that push/pop pairs of others (ttnn's graph capture) stay
// balanced and no one is iterating the stack while it changes.
#include <dlfcn.h>
#include <tt_track.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plt_hook.hpp"
#include "processor.hpp"

namespace tt_track_shim {

namespace {

enum State { kWaiting, kTracking, kInert };
std::atomic<int> state{kWaiting};
std::mutex attach_lock;
TtMetal* metal = nullptr;
std::shared_ptr<TrackProcessor> processor;

void say(const char* fmt, ...) {
    std::va_list args;
    va_start(args, fmt);
    std::fputs("tt-track shim: ", stderr);
    std::vfprintf(stderr, fmt, args);
    std::fputc('\n', stderr);
    va_end(args);
}

void attach_this_thread() {
    thread_local bool attached = false;
    if (attached) return;
    const auto& stack = metal->thread_processors();
    for (const auto& p : stack)
        if (p.get() == processor.get()) {  // handed over by TT-Metal with a task
            attached = true;
            return;
        }
    // Only onto an empty stack: then nobody is iterating it, and every other
    // push/pop pair on this thread comes after ours. Else: at a later call.
    if (!stack.empty()) return;
    metal->push_processor(processor);
    attached = true;
}

void* instance_hook() {
    if (state.load(std::memory_order_acquire) == kTracking) attach_this_thread();
    return metal->tracker();
}

void try_attach() {
    if (state.load(std::memory_order_acquire) != kWaiting) return;
    std::lock_guard<std::mutex> guard(attach_lock);
    if (state.load(std::memory_order_relaxed) != kWaiting) return;
    std::string why;
    TtMetal* found = TtMetal::find(why);
    if (found == nullptr) {
        if (!why.empty()) {
            say("unknown TT-Metal interface (%s); not tracking", why.c_str());
            state.store(kInert, std::memory_order_release);
        }
        return;
    }
    if (!tt_track_available()) {
        say("tt_track is not available (module not loaded, or TT_TRACK_DISABLE=1); not tracking");
        state.store(kInert, std::memory_order_release);
        return;
    }
    metal = found;
    processor = std::make_shared<TrackProcessor>(*metal);
    state.store(kTracking, std::memory_order_release);
    attach_this_thread();
    if (!hook_plt(metal->path(), sym::kTrackerInstance, reinterpret_cast<void*>(instance_hook)))
        say("cannot follow GraphTracker into other threads; tracking the loading thread only");
}

__attribute__((constructor)) void on_load() { try_attach(); }

}  // namespace

}  // namespace tt_track_shim

// For loaders that cannot rely on the constructor having seen libtt_metal.so
// (the tttrack Python package, which may load the shim before `import ttnn`):
// attach now if TT-Metal is in the process. Idempotent.
extern "C" void tt_track_shim_attach(void) { tt_track_shim::try_attach(); }

// Under LD_PRELOAD this stands in for libc's dlopen, to notice libtt_metal.so
// arriving. Loaded any other way it is never called.
extern "C" void* dlopen(const char* file, int mode) {
    using Fn = void* (*)(const char*, int);
    static Fn next = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "dlopen"));
    // Attaching reopens libtt_metal.so with dlopen, which lands here again.
    thread_local bool attaching = false;
    void* handle = next(file, mode);
    if (handle != nullptr && !attaching) {
        attaching = true;
        tt_track_shim::try_attach();
        attaching = false;
    }
    return handle;
}

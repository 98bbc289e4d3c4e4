// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loading the shim is all a program does to be tracked. It hooks TT-Metal as
// soon as libtt_metal.so is in the process: at once if it is already loaded
// (ctypes.CDLL after `import ttnn`, or a program linked with it), else right
// after the dlopen that brings it in (LD_PRELOAD).
//
// libtt_metal.so announces every allocation and free by calling GraphTracker's
// track_* entry points through its PLT, on whatever thread it runs, once per
// event. The shim points those PLT entries at its own functions, which report
// the event and then call TT-Metal's, so GraphTracker's processors (ttnn's
// graph capture, TT-Metal's own) see every event as before. It registers no
// GraphTracker processor: one would be called for every ttnn op
// (track_function_start/end) and on each is_enabled() check, and would have to
// be pushed on each thread's stack.
#include <dlfcn.h>
#include <tt_track.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

#include "plt_hook.hpp"
#include "reporter.hpp"

namespace tt_track_shim {

namespace {

std::atomic<bool> settled{false};  // attached, or decided not to
std::mutex attach_lock;
// Set once, before the hooks are installed; never freed (TT-Metal may call
// the hooks until the process ends).
const TtMetal* metal = nullptr;
Reporter* reporter = nullptr;

void say(const char* fmt, ...) {
    std::va_list args;
    va_start(args, fmt);
    std::fputs("tt-track shim: ", stderr);
    std::vfprintf(stderr, fmt, args);
    std::fputc('\n', stderr);
    va_end(args);
}

// GraphTracker's entry points, as libtt_metal.so calls them (the tracker
// first), reported and then handed to TT-Metal's own.
void on_allocate(void* tracker, const Buffer* buffer) {
    reporter->allocate(buffer);
    metal->tracker_entries().allocate(tracker, buffer);
}
void on_deallocate(void* tracker, Buffer* buffer) {
    reporter->deallocate(buffer);
    metal->tracker_entries().deallocate(tracker, buffer);
}
void on_allocate_cb(void* tracker, const CoreRangeSet& cores, uint64_t addr, uint64_t size, bool global,
                    const IDevice* device) {
    reporter->allocate_cb(size, device);
    metal->tracker_entries().allocate_cb(tracker, cores, addr, size, global, device);
}
void on_deallocate_cb(void* tracker, const IDevice* device) {
    reporter->deallocate_cb(device);
    metal->tracker_entries().deallocate_cb(tracker, device);
}

void try_attach() {
    if (settled.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> guard(attach_lock);
    if (settled.load(std::memory_order_relaxed)) return;
    std::string why;
    TtMetal* found = TtMetal::find(why);
    if (found == nullptr) {
        if (!why.empty()) {
            say("unknown TT-Metal interface (%s); not tracking", why.c_str());
            settled.store(true, std::memory_order_release);
        }
        return;
    }
    if (!tt_track_available()) {
        say("tt_track is not available (module not loaded, or TT_TRACK_DISABLE=1); not tracking");
        settled.store(true, std::memory_order_release);
        return;
    }
    metal = found;
    reporter = new Reporter(*metal);
    // Frees first: a buffer reported allocated always has its free hooked.
    const PltHook hooks[] = {
        {sym::kTrackDeallocate, reinterpret_cast<void*>(on_deallocate)},
        {sym::kTrackDeallocateCb, reinterpret_cast<void*>(on_deallocate_cb)},
        {sym::kTrackAllocate, reinterpret_cast<void*>(on_allocate)},
        {sym::kTrackAllocateCb, reinterpret_cast<void*>(on_allocate_cb)},
    };
    if (!hook_plt(metal->path(), hooks, sizeof(hooks) / sizeof(hooks[0])))
        say("unknown TT-Metal interface (%s calls GraphTracker's track_* entry points some other way); "
            "not tracking", metal->path().c_str());
    settled.store(true, std::memory_order_release);
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

// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "processor.hpp"

#include <tt_track.h>

#include <memory>

namespace tt_track_shim {

namespace {

// tt_track's device for a TT-Metal chip id: chip N is /dev/tenstorrent/N
// (tt-umd numbers the chips it reaches over PCI first, in PCI order).
struct Where {
    uint32_t device;
    uint32_t chip;
};
Where where(int chip_id) { return {static_cast<uint32_t>(chip_id), 0}; }

}  // namespace

bool TrackProcessor::first_call_for_event() const {
    thread_local unsigned skip = 0;
    if (skip > 0) {
        --skip;
        return false;
    }
    unsigned copies = 0;
    for (const auto& p : metal_.thread_processors()) copies += p.get() == this;
    skip = copies > 1 ? copies - 1 : 0;
    return true;
}

void TrackProcessor::track_allocate(const Buffer* buffer) {
    BufferInfo info;
    if (!first_call_for_event() || !metal_.buffer_info(buffer, info)) return;
    for (int chip : metal_.chip_ids(info.device)) {
        Where w = where(chip);
        tt_track_alloc(w.device, w.chip, info.type, info.id, info.size);
    }
}

void TrackProcessor::track_deallocate(Buffer* buffer) {
    BufferInfo info;
    if (!first_call_for_event() || !metal_.buffer_info(buffer, info)) return;
    for (int chip : metal_.chip_ids(info.device)) {
        Where w = where(chip);
        tt_track_free(w.device, w.chip, info.type, info.id);
    }
}

void TrackProcessor::track_allocate_cb(const CoreRangeSet&, uint64_t, uint64_t size, bool, const IDevice* device) {
    if (!first_call_for_event()) return;
    // A CB reserves `size` bytes of L1 at the same address on each core of its
    // range; reported as TT-Metal (and ttnn's graph capture) counts it.
    for (int chip : metal_.chip_ids(device)) {
        Where w = where(chip);
        uint64_t id = next_cb_id_.fetch_add(1, std::memory_order_relaxed);
        if (tt_track_alloc(w.device, w.chip, TT_TRACK_TYPE_CB, id, size) != TT_TRACK_OK) continue;
        std::lock_guard<std::mutex> guard(lock_);
        live_cbs_[chip].push_back(id);
    }
}

void TrackProcessor::track_deallocate_cb(const IDevice* device) {
    if (!first_call_for_event()) return;
    for (int chip : metal_.chip_ids(device)) {
        std::vector<uint64_t> ids;
        {
            std::lock_guard<std::mutex> guard(lock_);
            auto it = live_cbs_.find(chip);
            if (it == live_cbs_.end()) continue;
            ids.swap(it->second);
        }
        Where w = where(chip);
        for (uint64_t id : ids) tt_track_free(w.device, w.chip, TT_TRACK_TYPE_CB, id);
    }
}

void TrackProcessor::workload_finalized(void* workload, const IDevice* mesh) {
    uint64_t bytes = metal_.workload_config_bytes(workload);
    if (bytes == 0) return;
    // The binaries stay loaded while TT-Metal caches the workload (until the
    // device closes or the process exits): reported once, with the workload's
    // address as its id.
    for (int chip : metal_.chip_ids(mesh)) {
        {
            std::lock_guard<std::mutex> guard(lock_);
            if (!workloads_.emplace(chip, workload).second) continue;
        }
        Where w = where(chip);
        tt_track_alloc_kernel(w.device, w.chip, TT_TRACK_KERNEL_APPLICATION, reinterpret_cast<uintptr_t>(workload),
                              bytes);
    }
}

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
// TT-Metal's memory events, forwarded to tt_track through libtttrack: one
// BATCH call per event, whatever the number of chips it touches.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "placement.hpp"
#include "tt_metal_runtime.hpp"

namespace tt_track_shim {

// Called from any thread, at the same points as TT-Metal's GraphTracker
// (once per event).
class Reporter {
public:
    explicit Reporter(const TtMetal& metal) : metal_(metal), placement_(metal) {}

    void allocate(const Buffer* buffer);
    void deallocate(Buffer* buffer);
    void allocate_cb(uint64_t size, const IDevice* device);
    void deallocate_cb(const IDevice* device);

private:
    // KERNEL is the kernel-config ring each Tensix core reserves while the
    // device is open (programs take turns in it; it does not grow with the
    // program cache): reported once per chip, with its first buffer, until
    // the process exits, as this id.
    static constexpr uint64_t kRingId = 0;

    const TtMetal& metal_;
    Placement placement_;
    std::atomic<uint64_t> next_cb_id_{1};
    std::mutex lock_;
    // CBs have no per-CB free, only "free all CBs on this device": the live ones, by chip.
    std::unordered_map<int, std::vector<uint64_t>> live_cbs_;
};

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
// The GraphTracker processor: TT-Metal's allocation events, forwarded to
// tt_track through libtttrack.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "placement.hpp"
#include "tt_metal_runtime.hpp"

namespace tt_track_shim {

class TrackProcessor final : public GraphProcessorSlots {
public:
    explicit TrackProcessor(const TtMetal& metal) : metal_(metal), placement_(metal) {}

    void track_allocate(const Buffer* buffer) override;
    void track_deallocate(Buffer* buffer) override;
    void track_allocate_cb(const CoreRangeSet& cores, uint64_t addr, uint64_t size, bool global,
                           const IDevice* device) override;
    void track_deallocate_cb(const IDevice* device) override;

private:
    // TT-Metal may hand a thread's processors to its workers, so a thread can
    // hold this processor twice; each event is then reported once.
    bool first_call_for_event() const;
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

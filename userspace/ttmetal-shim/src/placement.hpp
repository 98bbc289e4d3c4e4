// SPDX-License-Identifier: GPL-2.0 OR MIT
// Where a TT-Metal chip is to tt_track: the card (tt_track's ordinal of the
// PCI function of the chip's MMIO gateway) and the chip's number on it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "tt_metal_runtime.hpp"

namespace tt_track_shim {

struct Where {
    uint32_t device;
    uint32_t chip;
};

class Placement {
public:
    explicit Placement(const TtMetal& metal) : metal_(metal) {}

    // Where TT-Metal's chip `chip_id` (IDevice::id()) is; nullopt for a chip
    // that cannot be placed, said once on stderr and then not reported.
    std::optional<Where> of(int chip_id);
    // True once per placed chip, for what a chip reports once. No lock.
    bool first_use(int chip_id);

private:
    // Reads the cluster once (the first event comes with the device open).
    bool build();
    // The PCI address of the card behind MMIO chip `mmio`, or why there is none.
    std::string card_address(const ClusterView& cluster, int mmio, std::string& why) const;
    void unplaced(int chip_id, const std::string& why);

    const TtMetal& metal_;
    std::atomic<bool> built_{false};
    std::mutex lock_;  // building and the unplaced set; never on the placed path
    std::unordered_map<int, Where> placed_;  // immutable once built_
    std::unordered_map<int, std::atomic<bool>> used_;  // its keys too: placed_'s
    std::unordered_map<int, std::string> unplaced_why_;
    std::set<int> told_;  // chip ids said once; -1: the cluster could not be read
};

}  // namespace tt_track_shim

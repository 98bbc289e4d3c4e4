// SPDX-License-Identifier: GPL-2.0 OR MIT
// A GraphTracker processor that forwards TT-Metal's allocation events to
// tt_track through libtttrack. See docs/tt-metal-integration.md.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tt_metal_decls.hpp"

namespace tt_track {

// Where a TT-Metal chip is, as tt-umd reports it.
struct ChipLocation {
    uint32_t pci_ordinal;    // N of /dev/tenstorrent/N of the MMIO chip it is reached through
    bool has_mmio;           // this chip owns that PCI function
    uint32_t tray;           // Galaxy tray (0 on n150/n300/p150)
    uint32_t asic_location;  // position on its board (n300: 0 = left/MMIO, 1 = right)
};

// tt_track's (device ordinal, chip) for a chip: stable across processes
// because it depends only on board position, never on discovery order.
struct TrackedChip {
    uint32_t device;
    uint32_t chip;
};
TrackedChip tracked_chip(const ChipLocation& loc);

class TrackProcessor : public tt::tt_metal::IGraphProcessor {
public:
    // `locate` maps a TT-Metal chip id to its location (from tt-umd's cluster descriptor).
    explicit TrackProcessor(std::function<ChipLocation(int chip_id)> locate);

    void track_allocate(const tt::tt_metal::Buffer* buffer) override;
    void track_deallocate(tt::tt_metal::Buffer* buffer) override;
    void track_allocate_cb(const tt::tt_metal::CoreRangeSet& cores, uint64_t addr, uint64_t size,
                           bool is_globally_allocated, const tt::tt_metal::IDevice* device) override;
    void track_deallocate_cb(const tt::tt_metal::IDevice* device) override;
    void track_program(tt::tt_metal::Program* program, const tt::tt_metal::IDevice* device) override;

    // Program binaries: TT-Metal reports a load but no unload and no size;
    // call these from where it writes and releases a program's kernel config.
    static void program_loaded(TrackedChip chip, uint64_t program_id, uint64_t binary_bytes);
    static void program_unloaded(TrackedChip chip, uint64_t program_id);

private:
    // Each chip a (mesh) device spans gets its own share.
    std::vector<TrackedChip> chips_of(const tt::tt_metal::IDevice* device) const;

    std::function<ChipLocation(int)> locate_;
    std::mutex cb_lock_;  // CBs are freed all at once per device: remember which are live
    std::unordered_map<const tt::tt_metal::IDevice*, std::vector<uint64_t>> live_cbs_;
};

}  // namespace tt_track

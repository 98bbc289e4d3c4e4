// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "tt_metal_adapter.hpp"

#include <tt_track.h>

namespace tt_track {

using namespace tt::tt_metal;

TrackedChip tracked_chip(const ChipLocation& loc) {
    if (loc.has_mmio) return {loc.pci_ordinal, 0};
    // Chips behind the PCI one: 1 + board position, below TT_TRACK_MAX_CHIPS.
    uint32_t chip = 1 + (loc.tray * 8 + loc.asic_location) % (TT_TRACK_MAX_CHIPS - 1);
    return {loc.pci_ordinal, chip};
}

TrackProcessor::TrackProcessor(std::function<ChipLocation(int)> locate) : locate_(std::move(locate)) {}

std::vector<TrackedChip> TrackProcessor::chips_of(const IDevice* device) const {
    std::vector<TrackedChip> chips;
    if (device == nullptr) return chips;
    for (const IDevice* d : device->get_devices()) chips.push_back(tracked_chip(locate_(d->id())));
    return chips;
}

void TrackProcessor::track_allocate(const Buffer* buffer) {
    if (buffer == nullptr || !buffer->is_allocated()) return;
    // A mesh buffer's size() is its device-local size: every chip holds that much.
    for (TrackedChip c : chips_of(buffer->device()))
        tt_track_alloc(c.device, c.chip, static_cast<uint32_t>(buffer->buffer_type()), buffer->unique_id(),
                       buffer->size());
}

void TrackProcessor::track_deallocate(Buffer* buffer) {
    if (buffer == nullptr) return;
    for (TrackedChip c : chips_of(buffer->device()))
        tt_track_free(c.device, c.chip, static_cast<uint32_t>(buffer->buffer_type()), buffer->unique_id());
}

void TrackProcessor::track_allocate_cb(const CoreRangeSet& cores, uint64_t addr, uint64_t size,
                                       bool /*is_globally_allocated*/, const IDevice* device) {
    // A CB takes `size` bytes of L1 at `addr` on every core of the range.
    const uint64_t bytes = size * cores.num_cores();
    bool tracked = false;
    for (TrackedChip c : chips_of(device))
        tracked |= tt_track_alloc(c.device, c.chip, TT_TRACK_TYPE_CB, addr, bytes) == TT_TRACK_OK;
    if (tracked) {
        std::lock_guard<std::mutex> guard(cb_lock_);
        live_cbs_[device].push_back(addr);
    }
}

void TrackProcessor::track_deallocate_cb(const IDevice* device) {
    std::vector<uint64_t> addrs;
    {
        std::lock_guard<std::mutex> guard(cb_lock_);
        addrs.swap(live_cbs_[device]);
    }
    for (TrackedChip c : chips_of(device))
        for (uint64_t addr : addrs) tt_track_free(c.device, c.chip, TT_TRACK_TYPE_CB, addr);
}

void TrackProcessor::track_program(Program* /*program*/, const IDevice* /*device*/) {
    // No binary size in this event: see program_loaded().
}

void TrackProcessor::program_loaded(TrackedChip c, uint64_t program_id, uint64_t binary_bytes) {
    tt_track_alloc_kernel(c.device, c.chip, TT_TRACK_KERNEL_APPLICATION, program_id, binary_bytes);
}

void TrackProcessor::program_unloaded(TrackedChip c, uint64_t program_id) {
    tt_track_free(c.device, c.chip, TT_TRACK_TYPE_KERNEL, program_id);
}

}  // namespace tt_track

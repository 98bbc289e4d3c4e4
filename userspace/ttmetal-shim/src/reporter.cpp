// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "reporter.hpp"

#include <tt_track.h>

#include <atomic>
#include <cstdio>

namespace tt_track_shim {

namespace {

// One event's operations on every chip it touches, reported with one system
// call. One per thread, emptied at each event and reused, so that an event
// allocates nothing (nothing it calls reports another event on the thread).
struct Batch {
    std::vector<tt_track_op> ops;
    std::vector<int> chips;
    std::vector<Where> first;  // chips seen for the first time

    static Batch& start() {
        thread_local Batch batch;
        batch.ops.clear();
        batch.first.clear();
        return batch;
    }
    void alloc(Where w, uint32_t type, uint32_t category, uint64_t id, uint64_t size) {
        ops.push_back({TT_TRACK_OP_ALLOC, w.device, w.chip, type, category, 0, id, size});
    }
    void free(Where w, uint32_t type, uint64_t id) {
        ops.push_back({TT_TRACK_OP_FREE, w.device, w.chip, type, 0, 0, id, 0});
    }
    // False if the call itself failed (then nothing was applied; said once).
    bool send() {
        if (ops.empty()) return true;
        int status = tt_track_batch(ops.data(), static_cast<uint32_t>(ops.size()));
        static std::atomic<bool> told{false};
        if (status < 0 && !told.exchange(true))
            std::fprintf(stderr, "tt-track shim: tt_track refused a report (%s); such reports are lost\n",
                         tt_track_strerror(status));
        return status == TT_TRACK_OK;
    }
};

}  // namespace

void Reporter::allocate(const Buffer* buffer) {
    BufferInfo info;
    if (!metal_.buffer_info(buffer, info)) return;
    Batch& batch = Batch::start();
    metal_.chip_ids(info.device, batch.chips);
    for (int chip : batch.chips)
        if (auto w = placement_.of(chip)) {
            batch.alloc(*w, info.type, 0, info.id, info.size);
            if (placement_.first_use(chip)) batch.first.push_back(*w);
        }
    if (!batch.first.empty())
        if (uint64_t ring = metal_.kernel_ring_bytes(info.device))
            for (Where w : batch.first) batch.alloc(w, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_APPLICATION, kRingId, ring);
    batch.send();
}

void Reporter::deallocate(Buffer* buffer) {
    BufferInfo info;
    if (!metal_.buffer_info(buffer, info)) return;
    Batch& batch = Batch::start();
    metal_.chip_ids(info.device, batch.chips);
    for (int chip : batch.chips)
        if (auto w = placement_.of(chip)) batch.free(*w, info.type, info.id);
    batch.send();
}

void Reporter::allocate_cb(uint64_t size, const IDevice* device) {
    // A CB reserves `size` bytes of L1 at the same address on each core of its
    // range; reported as TT-Metal (and ttnn's graph capture) counts it.
    Batch& batch = Batch::start();
    metal_.chip_ids(device, batch.chips);
    // Placed chips are moved to the front of batch.chips: chips[i] is ops[i]'s.
    std::size_t placed = 0;
    for (std::size_t i = 0; i < batch.chips.size(); ++i)
        if (auto w = placement_.of(batch.chips[i])) {
            batch.alloc(*w, TT_TRACK_TYPE_CB, 0, next_cb_id_.fetch_add(1, std::memory_order_relaxed), size);
            batch.chips[placed++] = batch.chips[i];
        }
    if (!batch.send()) return;
    std::lock_guard<std::mutex> guard(lock_);
    for (std::size_t i = 0; i < placed; ++i)
        if (batch.ops[i].result == 0) live_cbs_[batch.chips[i]].push_back(batch.ops[i].buffer_id);
}

void Reporter::deallocate_cb(const IDevice* device) {
    Batch& batch = Batch::start();
    metal_.chip_ids(device, batch.chips);
    for (int chip : batch.chips) {
        std::lock_guard<std::mutex> guard(lock_);
        auto it = live_cbs_.find(chip);
        if (it == live_cbs_.end()) continue;
        if (auto w = placement_.of(chip))
            for (uint64_t id : it->second) batch.free(*w, TT_TRACK_TYPE_CB, id);
        it->second.clear();  // keeps its capacity for the next program's CBs
    }
    batch.send();
}

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "processor.hpp"

#include <tt_track.h>

#include <atomic>
#include <cstdio>
#include <memory>

namespace tt_track_shim {

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

namespace {

// One event's operations on every chip it touches, reported with one system call.
struct Batch {
    std::vector<tt_track_op> ops;

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

void TrackProcessor::track_allocate(const Buffer* buffer) {
    BufferInfo info;
    if (!first_call_for_event() || !metal_.buffer_info(buffer, info)) return;
    Batch batch;
    std::vector<Where> first;  // chips seen for the first time: their ring goes along
    for (int chip : metal_.chip_ids(info.device))
        if (auto w = placement_.of(chip)) {
            batch.alloc(*w, info.type, 0, info.id, info.size);
            if (placement_.first_use(chip)) first.push_back(*w);
        }
    if (!first.empty())
        if (uint64_t ring = metal_.kernel_ring_bytes(info.device))
            for (Where w : first) batch.alloc(w, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_APPLICATION, kRingId, ring);
    batch.send();
}

void TrackProcessor::track_deallocate(Buffer* buffer) {
    BufferInfo info;
    if (!first_call_for_event() || !metal_.buffer_info(buffer, info)) return;
    Batch batch;
    for (int chip : metal_.chip_ids(info.device))
        if (auto w = placement_.of(chip)) batch.free(*w, info.type, info.id);
    batch.send();
}

void TrackProcessor::track_allocate_cb(const CoreRangeSet&, uint64_t, uint64_t size, bool, const IDevice* device) {
    if (!first_call_for_event()) return;
    // A CB reserves `size` bytes of L1 at the same address on each core of its
    // range; reported as TT-Metal (and ttnn's graph capture) counts it.
    Batch batch;
    std::vector<int> chips;
    for (int chip : metal_.chip_ids(device))
        if (auto w = placement_.of(chip)) {
            batch.alloc(*w, TT_TRACK_TYPE_CB, 0, next_cb_id_.fetch_add(1, std::memory_order_relaxed), size);
            chips.push_back(chip);
        }
    if (!batch.send()) return;
    std::lock_guard<std::mutex> guard(lock_);
    for (std::size_t i = 0; i < chips.size(); ++i)
        if (batch.ops[i].result == 0) live_cbs_[chips[i]].push_back(batch.ops[i].buffer_id);
}

void TrackProcessor::track_deallocate_cb(const IDevice* device) {
    if (!first_call_for_event()) return;
    Batch batch;
    for (int chip : metal_.chip_ids(device)) {
        std::vector<uint64_t> ids;
        {
            std::lock_guard<std::mutex> guard(lock_);
            auto it = live_cbs_.find(chip);
            if (it == live_cbs_.end()) continue;
            ids.swap(it->second);
        }
        if (auto w = placement_.of(chip))
            for (uint64_t id : ids) batch.free(*w, TT_TRACK_TYPE_CB, id);
    }
    batch.send();
}

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
// The loaded libtt_metal.so, reached through dlsym: finds it, checks that its
// interface is one the shim knows, and wraps the accessors the shim needs.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tt_metal_abi.hpp"

namespace tt_track_shim {

struct BufferInfo {
    uint32_t type;       // TT-Metal BufferType = TT_TRACK_TYPE_* for DRAM..TRACE
    uint64_t id;         // Buffer::unique_id()
    uint64_t size;       // per chip
    const IDevice* device;
};

// What UMD's cluster descriptor says about the chips (logical chip ids, as
// IDevice::id() gives them), borrowed from it: valid while the device is open.
struct ClusterView {
    const std::unordered_map<int, int>* mmio_ordinals;             // MMIO chip -> /dev/tenstorrent/N
    const std::unordered_map<int, std::string>* pci_addresses;     // MMIO chip -> PCI address (may be empty)
    const std::unordered_map<int, EthCoord>* locations;            // chip -> place
    const std::unordered_map<int, std::unordered_set<int>>* by_mmio;  // MMIO chip -> chips it reaches
};

// GraphTracker's memory-event entry points in libtt_metal.so (a member
// function takes the object as its first argument).
struct TrackerEntries {
    void (*allocate)(void* tracker, const Buffer* buffer);
    void (*deallocate)(void* tracker, Buffer* buffer);
    void (*allocate_cb)(void* tracker, const CoreRangeSet& cores, uint64_t addr, uint64_t size, bool global,
                        const IDevice* device);
    void (*deallocate_cb)(void* tracker, const IDevice* device);
};

class TtMetal {
public:
    // The libtt_metal.so mapped into this process, or nullptr if there is none yet.
    // On an unknown interface `why` says what did not match.
    static TtMetal* find(std::string& why);

    // The path of the library found (for messages).
    const std::string& path() const { return path_; }

    // Buffer accessors; false if the buffer is not allocated.
    bool buffer_info(const Buffer* buffer, BufferInfo& out) const;
    // The chip ids a device stands for, into `out`: itself, or every chip of a mesh.
    void chip_ids(const IDevice* device, std::vector<int>& out) const;
    // The kernel-config ring each Tensix core of a mesh's chips reserves for
    // program binaries, runtime arguments and CB configuration while the
    // device is open (bytes per core; 0 if `device` is not a mesh).
    uint64_t kernel_ring_bytes(const IDevice* device) const;

    // The cluster of the running MetalContext; false if there is none yet.
    bool cluster(ClusterView& out) const;

    // TT-Metal's own definitions of the entry points the shim hooks.
    const TrackerEntries& tracker_entries() const { return entries_; }

private:
    bool resolve(void* handle, std::string& why);

    std::string path_;
    TrackerEntries entries_{};
    uint64_t (*buffer_size_)(const Buffer*) = nullptr;
    int (*buffer_type_)(const Buffer*) = nullptr;
    const IDevice* (*buffer_device_)(const Buffer*) = nullptr;
    std::size_t (*buffer_unique_id_)(const Buffer*) = nullptr;
    bool (*buffer_is_allocated_)(const Buffer*) = nullptr;
    const void* mesh_vptr_ = nullptr;
    std::vector<const IDevice*> (*mesh_get_devices_)(const IDevice*) = nullptr;
    uint32_t (*max_worker_l1_unreserved_)() = nullptr;
    uint32_t (*mesh_l1_size_per_core_)(const IDevice*) = nullptr;
    void* const* (*mesh_allocator_)(const IDevice*) = nullptr;  // a const std::unique_ptr<Allocator>&
    uint64_t (*allocator_base_)(const void*, const uint8_t*) = nullptr;  // HalMemType by reference
    // StrongType<int, ContextIdTag> is passed as an int.
    bool (*context_exists_)(int) = nullptr;
    void* (*context_)(int) = nullptr;
    void* (*context_cluster_)(void*) = nullptr;
    const void* (*cluster_descriptor_)(const void*) = nullptr;
    const std::unordered_map<int, int>& (*mmio_ordinals_)(const void*) = nullptr;
    const std::unordered_map<int, std::string>& (*pci_addresses_)(const void*) = nullptr;
    const std::unordered_map<int, EthCoord>& (*locations_)(const void*) = nullptr;
    const std::unordered_map<int, std::unordered_set<int>>& (*by_mmio_)(const void*) = nullptr;
};

}  // namespace tt_track_shim

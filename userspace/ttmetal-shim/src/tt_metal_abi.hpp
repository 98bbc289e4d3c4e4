// SPDX-License-Identifier: GPL-2.0 OR MIT
// What the shim knows about TT-Metal's binary interface, with no TT-Metal
// headers: mangled names of the exported functions it calls or hooks (a
// name carries the parameter types, so a changed signature is a missing
// name), and the one vtable slot it calls through. tt_metal_runtime.cpp
// checks these against the loaded library before anything is hooked.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tt_track_shim {

// TT-Metal types the shim only passes around by pointer.
struct Buffer;
struct IDevice;
struct CoreRangeSet;

// IDevice::id() is slot 3 of IDevice's vtable (Device and MeshDevice alike).
constexpr std::size_t kDeviceIdSlot = 3;

// UMD's EthCoord (a chip's place in the cluster), as laid out since 2024.
struct EthCoord {
    int cluster_id;
    int x;
    int y;
    int rack;
    int shelf;
};

namespace sym {
// GraphTracker's entry points for memory events. libtt_metal.so calls each
// through its PLT, once per event, whatever processors are registered.
constexpr const char* kTrackAllocate = "_ZN2tt8tt_metal12GraphTracker14track_allocateEPKNS0_6BufferE";
constexpr const char* kTrackDeallocate = "_ZN2tt8tt_metal12GraphTracker16track_deallocateEPNS0_6BufferE";
constexpr const char* kTrackAllocateCb =
    "_ZN2tt8tt_metal12GraphTracker17track_allocate_cbERKNS0_12CoreRangeSetEmmbPKNS0_7IDeviceE";
constexpr const char* kTrackDeallocateCb = "_ZN2tt8tt_metal12GraphTracker19track_deallocate_cbEPKNS0_7IDeviceE";
constexpr const char* kBufferSize = "_ZNK2tt8tt_metal6Buffer4sizeEv";
constexpr const char* kBufferType = "_ZNK2tt8tt_metal6Buffer11buffer_typeEv";
constexpr const char* kBufferDevice = "_ZNK2tt8tt_metal6Buffer6deviceEv";
constexpr const char* kBufferUniqueId = "_ZNK2tt8tt_metal6Buffer9unique_idEv";
constexpr const char* kBufferIsAllocated = "_ZNK2tt8tt_metal6Buffer12is_allocatedEv";
constexpr const char* kMeshDeviceVtable = "_ZTVN2tt8tt_metal11distributed10MeshDeviceE";
constexpr const char* kMeshDeviceId = "_ZNK2tt8tt_metal11distributed10MeshDevice2idEv";
constexpr const char* kMeshDeviceGetDevices = "_ZNK2tt8tt_metal11distributed10MeshDevice11get_devicesEv";
// The kernel-config ring: from the HAL's KERNEL_CONFIG base (top of L1 minus
// the largest unreserved size) to the L1 allocator's base.
constexpr const char* kMaxWorkerL1Unreserved = "_ZN2tt8tt_metal3hal33get_max_worker_l1_unreserved_sizeEv";
constexpr const char* kMeshL1SizePerCore = "_ZNK2tt8tt_metal11distributed10MeshDevice16l1_size_per_coreEv";
constexpr const char* kMeshAllocator = "_ZNK2tt8tt_metal11distributed10MeshDevice9allocatorEv";
constexpr const char* kAllocatorBase = "_ZNK2tt8tt_metal9Allocator23get_base_allocator_addrERKNS0_10HalMemTypeE";
// The cluster: MetalContext (context 0) -> tt::Cluster -> UMD's ClusterDescriptor.
constexpr const char* kContextExists =
    "_ZN2tt8tt_metal12MetalContext15instance_existsEN4ttsl10StrongTypeIiNS0_12ContextIdTagEEE";
constexpr const char* kContextInstance =
    "_ZN2tt8tt_metal12MetalContext8instanceEN4ttsl10StrongTypeIiNS0_12ContextIdTagEEE";
constexpr const char* kContextCluster = "_ZN2tt8tt_metal12MetalContext11get_clusterEv";
constexpr const char* kClusterDescriptor = "_ZNK2tt7Cluster16get_cluster_descEv";
constexpr const char* kChipsWithMmio = "_ZNK2tt3umd17ClusterDescriptor19get_chips_with_mmioEv";
constexpr const char* kChipPciBdfs = "_ZNK2tt3umd17ClusterDescriptor17get_chip_pci_bdfsB5cxx11Ev";
constexpr const char* kChipLocations = "_ZNK2tt3umd17ClusterDescriptor18get_chip_locationsEv";
constexpr const char* kChipsByMmio = "_ZNK2tt3umd17ClusterDescriptor33get_chips_grouped_by_closest_mmioEv";
}  // namespace sym

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
// What the shim knows about TT-Metal's binary interface, with no TT-Metal
// headers: mangled names of the exported functions it calls, and a class
// whose vtable has the same slots as IGraphProcessor in the ttnn 0.81.1
// wheel. tt_metal_runtime.cpp checks these against the loaded library
// before anything is registered.
#pragma once

#include <cstdint>
#include <string_view>

namespace tt_track_shim {

// TT-Metal types the shim only passes around by pointer.
struct Buffer;
struct IDevice;
struct CoreRangeSet;
struct Program;

// A std::span<TrackedArgument> passed by value: two words, never read.
struct ArgSpan {
    void* data;
    std::size_t size;
};

// nlohmann::json, returned by value from end_capture: a type tag and a
// value word. A null json is {0, 0}. The destructor makes it non-trivial so
// it is returned through memory, as the real type is.
struct NullJson {
    uint8_t type = 0;
    uint64_t value = 0;
    ~NullJson() {}
};

// IGraphProcessor in ttnn 0.81.1 (it differs from the public header: slots
// 4 and 5 are new). Only the slot order must match; names are ours.
class GraphProcessorSlots {
public:
    virtual bool is_capture_processor() const { return false; }                                            // 0
    virtual void track_allocate(const Buffer*) {}                                                           // 1
    virtual void track_deallocate(Buffer*) {}                                                               // 2
    virtual void track_allocate_cb(const CoreRangeSet&, uint64_t, uint64_t, bool, const IDevice*) {}      // 3
    virtual void track_allocate_dataflow_buffer(const CoreRangeSet&, uint64_t, uint64_t, bool, const IDevice*) {}  // 4
    virtual void track_allocate_scratchpad(const CoreRangeSet&, uint64_t, uint64_t, const IDevice*) {}    // 5
    virtual void track_deallocate_cb(const IDevice*) {}                                                     // 6
    virtual void track_program(Program*, const IDevice*) {}                                                 // 7
    virtual void track_function_start(std::string_view, ArgSpan) {}                                         // 8
    virtual void track_function_end() {}                                                                    // 9
    virtual void track_function_end(const void* /* const std::any& */) {}                                   // 10
    virtual void begin_capture(int /* RunMode */) {}                                                        // 11
    virtual NullJson end_capture() { return {}; }                                                           // 12
    virtual ~GraphProcessorSlots() = default;                                                               // 13, 14
};

// The layout above, as it shows in libtt_metal.so: IGraphProcessor's vtable
// symbol is 2 header words + 15 slots, and slot 12 is the one out-of-line
// default (end_capture).
constexpr std::size_t kProcessorSlots = 15;
constexpr std::size_t kEndCaptureSlot = 12;
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
constexpr const char* kProcessorVtable = "_ZTVN2tt8tt_metal15IGraphProcessorE";
constexpr const char* kProcessorTypeinfo = "_ZTIN2tt8tt_metal15IGraphProcessorE";
constexpr const char* kEndCapture = "_ZN2tt8tt_metal15IGraphProcessor11end_captureB5cxx11Ev";
constexpr const char* kTrackerInstance = "_ZN2tt8tt_metal12GraphTracker8instanceEv";
constexpr const char* kPushProcessor =
    "_ZN2tt8tt_metal12GraphTracker14push_processorERKSt10shared_ptrINS0_15IGraphProcessorEE";
constexpr const char* kGetProcessors = "_ZNK2tt8tt_metal12GraphTracker14get_processorsEv";
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

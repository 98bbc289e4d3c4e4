// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "tt_metal_runtime.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cstring>
#include <memory>

namespace tt_track_shim {

namespace {

// The first loaded object whose file name is libtt_metal.so.
int find_library(struct dl_phdr_info* info, size_t, void* data) {
    const char* name = info->dlpi_name;
    const char* base = name ? std::strrchr(name, '/') : nullptr;
    if (base && std::strcmp(base + 1, "libtt_metal.so") == 0) {
        *static_cast<std::string*>(data) = name;
        return 1;
    }
    return 0;
}

template <typename Fn>
bool lookup(void* handle, const char* name, Fn& out, std::string& why) {
    void* p = dlsym(handle, name);
    if (p == nullptr) {
        why = std::string("missing symbol ") + name;
        return false;
    }
    out = reinterpret_cast<Fn>(p);
    return true;
}

// A vtable symbol's address and size in bytes (0 if unknown).
const void* const* vtable_of(void* handle, const char* name, std::size_t& bytes) {
    void* p = dlsym(handle, name);
    Dl_info info;
    void* sym = nullptr;
    bytes = 0;
    if (p && dladdr1(p, &info, &sym, RTLD_DL_SYMENT) && sym) bytes = static_cast<const ElfW(Sym)*>(sym)->st_size;
    return static_cast<const void* const*>(p);
}

}  // namespace

TtMetal* TtMetal::find(std::string& why) {
    std::string path;
    if (!dl_iterate_phdr(find_library, &path)) return nullptr;
    // Python loads extensions RTLD_LOCAL: look the symbols up in the library itself.
    void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) {
        why = "cannot reopen " + path;
        return nullptr;
    }
    auto lib = std::make_unique<TtMetal>();
    lib->path_ = path;
    if (!lib->resolve(handle, why)) return nullptr;  // the handle stays: the library is in use anyway
    return lib.release();
}

bool TtMetal::resolve(void* h, std::string& why) {
    if (!(lookup(h, sym::kTrackAllocate, entries_.allocate, why) &&
          lookup(h, sym::kTrackDeallocate, entries_.deallocate, why) &&
          lookup(h, sym::kTrackAllocateCb, entries_.allocate_cb, why) &&
          lookup(h, sym::kTrackDeallocateCb, entries_.deallocate_cb, why)))
        return false;
    // IDevice::id() at the slot we call it through.
    std::size_t bytes = 0;
    const void* const* mesh_vtable = vtable_of(h, sym::kMeshDeviceVtable, bytes);
    void* mesh_id = dlsym(h, sym::kMeshDeviceId);
    if (mesh_vtable == nullptr || mesh_id == nullptr || bytes < (3 + kDeviceIdSlot) * sizeof(void*) ||
        mesh_vtable[2 + kDeviceIdSlot] != mesh_id) {
        why = "IDevice::id() is not where the 0.81 layout has it";
        return false;
    }
    mesh_vptr_ = mesh_vtable + 2;
    return lookup(h, sym::kBufferSize, buffer_size_, why) && lookup(h, sym::kBufferType, buffer_type_, why) &&
           lookup(h, sym::kBufferDevice, buffer_device_, why) &&
           lookup(h, sym::kBufferUniqueId, buffer_unique_id_, why) &&
           lookup(h, sym::kBufferIsAllocated, buffer_is_allocated_, why) &&
           lookup(h, sym::kMeshDeviceGetDevices, mesh_get_devices_, why) &&
           lookup(h, sym::kMaxWorkerL1Unreserved, max_worker_l1_unreserved_, why) &&
           lookup(h, sym::kMeshL1SizePerCore, mesh_l1_size_per_core_, why) &&
           lookup(h, sym::kMeshAllocator, mesh_allocator_, why) && lookup(h, sym::kAllocatorBase, allocator_base_, why) &&
           lookup(h, sym::kContextExists, context_exists_, why) && lookup(h, sym::kContextInstance, context_, why) &&
           lookup(h, sym::kContextCluster, context_cluster_, why) &&
           lookup(h, sym::kClusterDescriptor, cluster_descriptor_, why) &&
           lookup(h, sym::kChipsWithMmio, mmio_ordinals_, why) && lookup(h, sym::kChipPciBdfs, pci_addresses_, why) &&
           lookup(h, sym::kChipLocations, locations_, why) && lookup(h, sym::kChipsByMmio, by_mmio_, why);
}

bool TtMetal::cluster(ClusterView& out) const {
    constexpr int kDefaultContext = 0;
    if (!context_exists_(kDefaultContext)) return false;
    const void* desc = cluster_descriptor_(context_cluster_(context_(kDefaultContext)));
    if (desc == nullptr) return false;
    out = {&mmio_ordinals_(desc), &pci_addresses_(desc), &locations_(desc), &by_mmio_(desc)};
    return true;
}

bool TtMetal::buffer_info(const Buffer* buffer, BufferInfo& out) const {
    if (buffer == nullptr || !buffer_is_allocated_(buffer)) return false;
    out.type = static_cast<uint32_t>(buffer_type_(buffer));
    out.id = buffer_unique_id_(buffer);
    out.size = buffer_size_(buffer);
    out.device = buffer_device_(buffer);
    return true;
}

// IDevice::id(), through the vtable slot resolve() checked.
static int device_id(const IDevice* device) {
    auto vtable = *reinterpret_cast<int (*const* const*)(const IDevice*)>(device);
    return vtable[kDeviceIdSlot](device);
}

void TtMetal::chip_ids(const IDevice* device, std::vector<int>& out) const {
    out.clear();
    if (device == nullptr) return;
    if (*reinterpret_cast<const void* const*>(device) != mesh_vptr_) {
        out.push_back(device_id(device));
        return;
    }
    // A mesh buffer takes its (device-local) size on every chip of the mesh.
    for (const IDevice* chip : mesh_get_devices_(device))
        if (chip) out.push_back(device_id(chip));
}

uint64_t TtMetal::kernel_ring_bytes(const IDevice* device) const {
    if (device == nullptr || *reinterpret_cast<const void* const*>(device) != mesh_vptr_) return 0;
    const void* allocator = *mesh_allocator_(device);
    if (allocator == nullptr) return 0;
    constexpr uint8_t kHalMemTypeL1 = 0;
    uint64_t config_base = mesh_l1_size_per_core_(device) - uint64_t{max_worker_l1_unreserved_()};
    uint64_t allocator_base = allocator_base_(allocator, &kHalMemTypeL1);
    return allocator_base > config_base ? allocator_base - config_base : 0;
}

}  // namespace tt_track_shim

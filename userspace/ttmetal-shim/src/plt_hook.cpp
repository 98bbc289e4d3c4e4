// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "plt_hook.hpp"

#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace tt_track_shim {

namespace {

struct Request {
    const std::string* path;
    const PltHook* hooks;
    std::size_t count;
    bool done;
};

// glibc relocates the dynamic section's addresses in place on x86-64; other
// loaders leave them as offsets.
template <typename T>
T at(const struct dl_phdr_info* info, ElfW(Addr) ptr) {
    return reinterpret_cast<T>(ptr < info->dlpi_addr ? info->dlpi_addr + ptr : ptr);
}

// The GOT slot of `symbol`'s PLT entry, or nullptr.
void** plt_slot(const struct dl_phdr_info* info, const ElfW(Rela)* rela, std::size_t rela_bytes,
                const ElfW(Sym)* symtab, const char* strtab, const char* symbol) {
    for (std::size_t i = 0; i < rela_bytes / sizeof(ElfW(Rela)); ++i) {
        if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_JUMP_SLOT) continue;
        if (std::strcmp(strtab + symtab[ELF64_R_SYM(rela[i].r_info)].st_name, symbol) == 0)
            return reinterpret_cast<void**>(info->dlpi_addr + rela[i].r_offset);
    }
    return nullptr;
}

bool patch(const struct dl_phdr_info* info, const ElfW(Dyn)* dyn, const Request& req) {
    const ElfW(Rela)* rela = nullptr;
    const ElfW(Sym)* symtab = nullptr;
    const char* strtab = nullptr;
    std::size_t rela_bytes = 0;
    for (; dyn->d_tag != DT_NULL; ++dyn) {
        switch (dyn->d_tag) {
        case DT_JMPREL: rela = at<const ElfW(Rela)*>(info, dyn->d_un.d_ptr); break;
        case DT_PLTRELSZ: rela_bytes = dyn->d_un.d_val; break;
        case DT_SYMTAB: symtab = at<const ElfW(Sym)*>(info, dyn->d_un.d_ptr); break;
        case DT_STRTAB: strtab = at<const char*>(info, dyn->d_un.d_ptr); break;
        }
    }
    if (!rela || !symtab || !strtab) return false;
    std::vector<void**> slots;
    for (std::size_t h = 0; h < req.count; ++h) {
        void** slot = plt_slot(info, rela, rela_bytes, symtab, strtab, req.hooks[h].symbol);
        if (slot == nullptr) return false;
        slots.push_back(slot);
    }
    // With -z now the GOT is read-only after start-up (RELRO).
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    for (void** slot : slots) {
        auto* start = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(slot) & ~(page - 1));
        if (mprotect(start, page, PROT_READ | PROT_WRITE) != 0) return false;
    }
    for (std::size_t h = 0; h < req.count; ++h) __atomic_store_n(slots[h], req.hooks[h].replacement, __ATOMIC_RELEASE);
    return true;
}

int visit(struct dl_phdr_info* info, size_t, void* data) {
    auto* req = static_cast<Request*>(data);
    if (info->dlpi_name == nullptr || *req->path != info->dlpi_name) return 0;
    for (int i = 0; i < info->dlpi_phnum; ++i)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            req->done = patch(info, reinterpret_cast<const ElfW(Dyn)*>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr),
                              *req);
    return 1;
}

}  // namespace

bool hook_plt(const std::string& path, const PltHook* hooks, std::size_t count) {
    Request req{&path, hooks, count, false};
    dl_iterate_phdr(visit, &req);
    return req.done;
}

}  // namespace tt_track_shim

// SPDX-License-Identifier: GPL-2.0 OR MIT
// TT-Metal numbers chips its own way (logical ids; UMD's `chips_with_mmio`
// maps the MMIO ones to /dev/tenstorrent/N, and TT_VISIBLE_DEVICES renumbers
// both). tt_track knows cards by PCI address (GET_INFO), which is the same in
// and out of containers. So: chip -> its closest MMIO chip -> that chip's PCI
// address (UMD's `chip_pci_bdfs`, else the device node UMD opened, through
// its major:minor in sysfs) -> the tt_track card at that address. The MMIO
// chip is chip 0 of its card; the chips reached through it (n300's right chip,
// a T3K board's second chip) are 1, 2, ... in the order of their place in the
// cluster (shelf, rack, y, x), so every process numbers them alike.
#include "placement.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <tt_track.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <tuple>
#include <vector>

namespace tt_track_shim {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The PCI address of the card behind /dev/tenstorrent/N in this mount namespace.
std::string node_address(int ordinal, std::string& why) {
    std::string node = "/dev/tenstorrent/" + std::to_string(ordinal);
    struct stat st;
    if (stat(node.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) {
        why = "no character device " + node;
        return "";
    }
    char link[4096];
    std::string sys = "/sys/dev/char/" + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) +
                      "/device";
    ssize_t n = readlink(sys.c_str(), link, sizeof(link) - 1);
    if (n <= 0) {
        why = "no PCI device behind " + node;
        return "";
    }
    link[n] = '\0';
    const char* base = std::strrchr(link, '/');
    return base ? base + 1 : link;
}

}  // namespace

std::string Placement::card_address(const ClusterView& cluster, int mmio, std::string& why) const {
    auto pci = cluster.pci_addresses->find(mmio);
    if (pci != cluster.pci_addresses->end() && !pci->second.empty()) return pci->second;
    auto ordinal = cluster.mmio_ordinals->find(mmio);
    if (ordinal == cluster.mmio_ordinals->end()) {
        why = "UMD knows no device of MMIO chip " + std::to_string(mmio);
        return "";
    }
    return node_address(ordinal->second, why);
}

bool Placement::build() {
    ClusterView cluster;
    if (!metal_.cluster(cluster)) return false;
    auto info = std::make_unique<tt_track_get_info>();
    if (tt_track_devices(info.get()) != TT_TRACK_OK) return false;
    std::unordered_map<std::string, uint32_t> ordinal_at;
    for (uint32_t i = 0; i < info->device_count && i < TT_TRACK_MAX_DEVICES; ++i)
        ordinal_at[lower(info->devices[i].pci_address)] = info->devices[i].ordinal;

    for (const auto& [mmio, _] : *cluster.mmio_ordinals) {
        std::string why;
        std::string address = lower(card_address(cluster, mmio, why));
        auto card = ordinal_at.find(address);
        if (card == ordinal_at.end() && why.empty()) why = "no tt_track card at PCI address " + address;
        // The chips it reaches, MMIO chip first, the others by place.
        std::vector<int> chips;
        auto group = cluster.by_mmio->find(mmio);
        if (group != cluster.by_mmio->end())
            for (int c : group->second)
                if (c != mmio) chips.push_back(c);
        auto place = [&](int c) {
            auto at = cluster.locations->find(c);
            EthCoord p = at == cluster.locations->end() ? EthCoord{0, 0, 0, 0, 0} : at->second;
            return std::make_tuple(p.shelf, p.rack, p.y, p.x, c);
        };
        std::sort(chips.begin(), chips.end(), [&](int a, int b) { return place(a) < place(b); });
        chips.insert(chips.begin(), mmio);
        for (std::size_t n = 0; n < chips.size(); ++n) {
            if (card == ordinal_at.end())
                unplaced_why_[chips[n]] = why;
            else if (n >= TT_TRACK_MAX_CHIPS)
                unplaced_why_[chips[n]] = "more chips behind one card than tt_track counts";
            else {
                placed_[chips[n]] = {card->second, static_cast<uint32_t>(n)};
                used_[chips[n]];  // not yet used
            }
        }
    }
    return true;
}

std::optional<Where> Placement::of(int chip_id) {
    if (!built_.load(std::memory_order_acquire)) {
        std::lock_guard<std::mutex> guard(lock_);
        if (!built_.load(std::memory_order_relaxed) && !build()) {
            // Tried again at the next event; said once.
            if (told_.insert(-1).second)
                std::fprintf(stderr, "tt-track shim: cannot read TT-Metal's cluster or tt_track's cards; "
                                     "nothing is placed yet\n");
            return std::nullopt;
        }
        built_.store(true, std::memory_order_release);
    }
    auto it = placed_.find(chip_id);
    if (it != placed_.end()) return it->second;
    auto why = unplaced_why_.find(chip_id);
    unplaced(chip_id, why == unplaced_why_.end() ? "not in UMD's cluster descriptor" : why->second);
    return std::nullopt;
}

bool Placement::first_use(int chip_id) {
    auto it = used_.find(chip_id);  // only after of() placed the chip: the map is built
    return it != used_.end() && !it->second.load(std::memory_order_relaxed) &&
           !it->second.exchange(true, std::memory_order_relaxed);
}

void Placement::unplaced(int chip_id, const std::string& why) {
    std::lock_guard<std::mutex> guard(lock_);
    if (!told_.insert(chip_id).second) return;
    std::fprintf(stderr, "tt-track shim: TT-Metal chip %d is not tracked: %s\n", chip_id, why.c_str());
}

}  // namespace tt_track_shim

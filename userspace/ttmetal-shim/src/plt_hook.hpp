// SPDX-License-Identifier: GPL-2.0 OR MIT
#pragma once

#include <cstddef>
#include <string>

namespace tt_track_shim {

struct PltHook {
    const char* symbol;
    void* replacement;
};

// Points the loaded object `path`'s PLT entries for the hooks' symbols at
// their replacements, in the order given, so its calls to those functions go
// there. All or nothing: false, with nothing changed, if one is missing.
bool hook_plt(const std::string& path, const PltHook* hooks, std::size_t count);

}  // namespace tt_track_shim

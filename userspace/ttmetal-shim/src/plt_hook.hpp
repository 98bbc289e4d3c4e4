// SPDX-License-Identifier: GPL-2.0 OR MIT
#pragma once

#include <string>

namespace tt_track_shim {

// Points the loaded object `path`'s PLT entry for `symbol` at `replacement`,
// so its calls to that function go there; false if it has no such entry.
bool hook_plt(const std::string& path, const char* symbol, void* replacement);

}  // namespace tt_track_shim

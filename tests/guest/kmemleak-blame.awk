# Reads a kmemleak report; prints how many leaked objects each module
# allocated: "TT_TRACK TT_KMD".
#
# A leak is blamed on the module of the innermost module frame of its
# allocation backtrace, except that module frames called straight from the PCI
# core's probe or remove are a PCI driver's probe or remove: tt-kmd's, whatever
# they resolve to. kmemleak names frames when the report is read, and the
# suite unloads and reloads both modules many times, so a frame of a tt-kmd
# instance gone since resolves to whatever module sits at its address now
# (often tt_track); tt_track registers no PCI driver, so no frame of its own is
# ever called from there.
function finish() {
    if (module != "") {
        if (caller ~ /^(pci_device_probe|pci_device_remove|local_pci_probe)\+/)
            module = "tenstorrent"
        count[module]++
    }
    module = ""; caller = ""; in_trace = 0; in_module = 0
}
{ sub(/\r$/, "") }  # a report copied from a serial console
/^unreferenced object/ { finish(); next }
/^  backtrace/ { in_trace = 1; next }
in_trace && match($0, /\[(tt_track|tenstorrent)\]$/) {
    if (module == "")
        module = substr($0, RSTART + 1, RLENGTH - 2)
    if (caller == "")
        in_module = 1
    next
}
in_trace && in_module && caller == "" { caller = $1 }
END { finish(); printf "%d %d\n", count["tt_track"], count["tenstorrent"] }

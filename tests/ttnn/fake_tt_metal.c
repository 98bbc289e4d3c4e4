// SPDX-License-Identifier: GPL-2.0 OR MIT
// A libtt_metal.so whose GraphTracker is not the interface the shim knows
// (track_allocate takes a Buffer*, not a const Buffer*): loaded next to the
// shim, the shim must log one line and stay out of the way.
void _ZN2tt8tt_metal12GraphTracker14track_allocateEPNS0_6BufferE(void) {}

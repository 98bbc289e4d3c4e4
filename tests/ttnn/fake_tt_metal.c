// SPDX-License-Identifier: GPL-2.0 OR MIT
// A libtt_metal.so whose IGraphProcessor is not the layout the shim knows
// (18 slots instead of 15): loaded next to the shim, the shim must log one
// line and stay out of the way.
void _ZN2tt8tt_metal15IGraphProcessor11end_captureB5cxx11Ev(void) {}
extern const void *_ZTIN2tt8tt_metal15IGraphProcessorE[2];
const void *_ZTIN2tt8tt_metal15IGraphProcessorE[2];
const void *_ZTVN2tt8tt_metal15IGraphProcessorE[2 + 18] = {
    0, _ZTIN2tt8tt_metal15IGraphProcessorE,
};

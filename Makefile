# Out-of-tree build of tt_track.ko against a Rust-enabled 7.x kernel tree:
# `make KDIR=<dir>`, with the rustc, bindgen and C compiler that kernel was
# built with. scripts/trixie.sh prepares Debian's stock 7.3.4 tree and its
# toolchain (a trixie chroot); scripts/build.sh builds everything in it.
#   make KDIR=...           tt_track.ko
#   make KDIR=... standin   tests/ttkmd-standin/tenstorrent.ko (test-only tt-kmd stand-in)
#   make KDIR=... ttcard    tests/ttcard/ttcard.ko (test-only: QEMU functions as Tenstorrent cards)
#   make soak MINUTES=N / make fuzz MINUTES=N   long reliability runs in the VM
KDIR ?= /lib/modules/$(shell uname -r)/build
MINUTES ?= 10

# Objects and generated bindings are only valid for the kernel they were built
# against (struct layouts change with its config): switching KDIR cleans first.
define build
	@if [ "$$(cat $(1)/.kdir 2>/dev/null)" != "$(KDIR)" ]; then \
		$(MAKE) -s -C $(KDIR) M=$(1) clean; \
		rm -f $(1)/rust/tt_track/sys/bindings_generated.rs; \
		echo "$(KDIR)" > $(1)/.kdir; \
	fi
	$(MAKE) -C $(KDIR) M=$(1) modules
endef

all:
	$(call build,$(CURDIR))

standin:
	$(call build,$(CURDIR)/tests/ttkmd-standin)

ttcard:
	$(call build,$(CURDIR)/tests/ttcard)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -f rust/tt_track/sys/bindings_generated.rs .kdir tests/ttkmd-standin/.kdir tests/ttcard/.kdir

soak:
	scripts/qemu-test.sh --soak $(MINUTES)

fuzz:
	scripts/qemu-test.sh --fuzz $(MINUTES)

.PHONY: all standin ttcard clean soak fuzz

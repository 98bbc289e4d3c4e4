# Out-of-tree build of tt_track.ko: `make KDIR=<6.12 build dir with CONFIG_RUST>`.
# scripts/build-kernel.sh builds such a kernel and prints its directory.
#   make KDIR=...           tt_track.ko
#   make KDIR=... standin   tests/ttkmd-standin/tenstorrent.ko (test-only tt-kmd stand-in)
#   make soak MINUTES=N / make fuzz MINUTES=N   long reliability runs in the VM
KDIR ?= /lib/modules/$(shell uname -r)/build
TOOLCHAIN := LLVM=-16 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	BINDGEN=$(or $(BINDGEN),$(HOME)/.cache/tt-track/bindgen/bin/bindgen)
MINUTES ?= 10

# Objects and generated bindings are only valid for the kernel they were built
# against (struct layouts change with its config): switching KDIR cleans first.
define build
	@if [ "$$(cat $(1)/.kdir 2>/dev/null)" != "$(KDIR)" ]; then \
		$(MAKE) -s -C $(KDIR) M=$(1) $(TOOLCHAIN) clean; \
		rm -f $(1)/rust/tt_track/sys/bindings_generated.rs; \
		echo "$(KDIR)" > $(1)/.kdir; \
	fi
	$(MAKE) -C $(KDIR) M=$(1) $(TOOLCHAIN) modules
endef

all:
	$(call build,$(CURDIR))

standin:
	$(call build,$(CURDIR)/tests/ttkmd-standin)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(TOOLCHAIN) clean
	rm -f rust/tt_track/sys/bindings_generated.rs .kdir tests/ttkmd-standin/.kdir

soak:
	scripts/qemu-test.sh --soak $(MINUTES)

fuzz:
	scripts/qemu-test.sh --fuzz $(MINUTES)

.PHONY: all standin clean soak fuzz

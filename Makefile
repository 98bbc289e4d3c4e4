# Out-of-tree build of tt_track.ko: `make KDIR=<6.12 build dir with CONFIG_RUST>`.
# scripts/build-kernel.sh builds such a kernel and prints its directory.
KDIR ?= /lib/modules/$(shell uname -r)/build
TOOLCHAIN := LLVM=-16 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	BINDGEN=$(or $(BINDGEN),$(HOME)/.cache/tt-track/bindgen/bin/bindgen)

all:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(TOOLCHAIN) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(TOOLCHAIN) clean
	rm -f rust/tt_track/sys/bindings_generated.rs

.PHONY: all clean

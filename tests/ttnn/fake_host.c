// SPDX-License-Identifier: GPL-2.0 OR MIT
// A host program that loads a libtt_metal.so at run time, as Python does.
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *lib = dlopen(argc > 1 ? argv[1] : "libtt_metal.so", RTLD_NOW | RTLD_LOCAL);
	printf("host program: libtt_metal.so %s, ran to the end\n", lib ? "loaded" : dlerror());
	return lib ? 0 : 1;
}

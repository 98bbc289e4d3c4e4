//! The shared library's SONAME: programs linked with -ltttrack record
//! libtttrack.so.1 (bumped only with an incompatible C ABI), as any C library.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtttrack.so.1");
}

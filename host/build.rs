//! Nothing to build: this script exists so that `[build-dependencies]` in Cargo.toml gives
//! the build-time copy of `wasmparser` the features of the run-time one, and cargo compiles
//! it once (issue 14: suite time).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}

//! On-disk cache of compiled components, so a restart (or another test binary) skips
//! Cranelift: `<cache dir>/<sha256 of the wasm bytes, wasmtime version and engine settings>.cwasm`.

use anyhow::{anyhow, Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::Path;
use wasmtime::component::Component;
use wasmtime::Engine;

/// The cache file name for `wasm` compiled by `engine`. Wasmtime's
/// `precompile_compatibility_hash` covers the wasmtime version, target and settings.
pub fn cache_key(engine: &Engine, wasm: &[u8]) -> String {
    let mut settings = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    let mut h = Sha256::new();
    h.update(wasm);
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(settings.finish().to_le_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.cwasm")
}

/// Loads the component at `wasm_path`, from `cache_dir` when it was compiled before;
/// otherwise compiles it and stores the artefact (best effort: a cache write failure only
/// costs the next start a compile).
pub fn load_component(engine: &Engine, wasm_path: &Path, cache_dir: &Path) -> Result<Component> {
    let wasm = std::fs::read(wasm_path).with_context(|| format!("cannot read component {}", wasm_path.display()))?;
    let cached = cache_dir.join(cache_key(engine, &wasm));
    if cached.is_file() {
        // SAFETY: the file was written by `Component::serialize` of this very host (its name
        // binds the wasm bytes, the wasmtime version and the engine settings) into a cache
        // directory this host owns; wasmtime still checks the header and engine
        // compatibility, and any failure falls back to compiling.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(c) => return Ok(c),
            Err(e) => eprintln!("zhicheng-host: ignoring unusable cache entry {}: {e}", cached.display()),
        }
    }
    let component = Component::new(engine, &wasm)
        .map_err(|e| anyhow!("cannot compile component {}: {e:#}", wasm_path.display()))?;
    if let Err(e) = store(&component, cache_dir, &cached) {
        eprintln!("zhicheng-host: could not cache {}: {e:#}", wasm_path.display());
    }
    Ok(component)
}

fn store(component: &Component, dir: &Path, target: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize()?;
    // Write to a unique temporary name then rename, so concurrent hosts never read a partial file.
    let tmp = dir.join(format!(".tmp-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, target)?;
    Ok(())
}

//! Embeds the built front end (`web/dist/**`, made by `npm run build --prefix web`) into
//! the component: generates `$OUT_DIR/assets.rs` with one `include_bytes!` per file, so
//! the wasm carries its files and needs no file-system grant. Without a `dist` (the front
//! end not built yet) it embeds a one-page notice instead, so the workspace still builds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dist = manifest_dir.join("web").join("dist");
    println!("cargo:rerun-if-changed=web/dist");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    walk(&dist, &mut files);
    let mut code =
        String::from("/// Every file of `web/dist`: (URL path, bytes).\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    if files.is_empty() {
        println!(
            "cargo:warning=functions/portal/web/dist is missing: embedding a placeholder (run scripts/build-wasm)"
        );
        code.push_str("    (\"/index.html\", b\"<!doctype html><meta charset=utf-8><title>portal</title><p>front end not built: run scripts/build-wasm</p>\"),\n");
    }
    for f in &files {
        let rel = f.strip_prefix(&dist).unwrap().to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({:?}, include_bytes!({:?})),", format!("/{rel}"), f.to_string_lossy()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("assets.rs");
    std::fs::write(out, code).unwrap();
}

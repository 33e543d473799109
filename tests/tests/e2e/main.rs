//! The end-to-end suite, one test binary (each binary links wasmtime again, so one
//! binary builds once): every module drives the built `.wasm` components over HTTP
//! through the local host on real SQLite files.

mod access;
mod admin;
mod applications;
mod certificates;
mod chain;
mod evaluation;
mod host;
mod limits;
mod manifest;
mod openapi;
mod paths;
mod pii;
mod portal;
mod public;
mod rules;
mod session;
mod supervision;
mod transitions;

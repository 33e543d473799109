//! `zhicheng-host`: a Spin-compatible local host built on wasmtime. It serves a Spin
//! manifest (v2) and its WebAssembly components the way `spin up` does (HTTP and cron
//! triggers, `fermyon:spin/sqlite@2.0.0`, `fermyon:spin/variables@2.0.0`, outbound HTTP
//! restricted to `allowed_outbound_hosts`), for development and CI where Spin itself is
//! not installed.
//!
//! Load an [`App`] once (compiling its components, or reading them from the disk cache),
//! then start any number of hosts from it with [`App::serve_in_background`].

#![warn(missing_docs)]

pub mod app;
mod bindings;
pub mod cache;
pub mod clock;
pub mod cron;
pub mod limits;
pub mod manifest;
pub mod outbound;
pub mod pg;
pub mod router;
mod server;
pub mod sqlite;
mod state;
pub mod variables;

pub use app::{runtime, App, RunningHost, ServeOptions};
pub use limits::Limits;
pub use manifest::Manifest;
pub use server::INTERNAL_ERROR_BODY;
pub use sqlite::migrate;

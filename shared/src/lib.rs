//! The shared crate of the professional-title (职称) evaluation app: the domain (plain
//! Rust, no I/O), the store behind one `Db` trait, the audit chain, the working-day
//! calendar, tokens, errors, and an HTTP layer independent of Spin.
//!
//! Rules cite the notice 湘人社函〔2024〕72号 (`../shared/spec`) by clause.

pub mod access;
pub mod admin;
pub mod api;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod certificates;
pub mod credit;
pub mod domain;
pub mod error;
pub mod excel;
pub mod identity;
pub mod pii;
#[cfg(feature = "spin")]
pub mod spin;
pub mod store;
pub mod workflow;

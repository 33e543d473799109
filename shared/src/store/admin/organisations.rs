//! Organisations (lookup).

#[allow(unused_imports)]
use super::*;

pub use crate::store::chain::{organisation, ORG_COLUMNS as ORG_SELECT};

//! The domain: newtypes parsed once, the application state machine, the rules.

pub mod application;
pub mod citizen_id;
pub mod commitment;
pub mod evaluation;
pub mod inspection;
pub mod institution;
pub mod limits;
pub mod path;
pub mod rules;
pub mod upload;

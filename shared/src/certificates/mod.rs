//! From result to certificate (issue 5), the parts without I/O: canonical JSON, the SM2
//! seal, certificate numbers and their pools, the certificate's face and HTML, the
//! registry's interface and the outbox's rules. The operations that use them are in
//! [`crate::workflow::certificates`] and [`crate::workflow::mohrss`].

pub mod canonical;
pub mod face;
pub mod imports;
pub mod numbering;
pub mod outbox;
pub mod registry;
pub mod seal;
#[cfg(feature = "spin")]
pub mod spin;

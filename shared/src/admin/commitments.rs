//! The commitment text of a batch year (告知承诺, notice 四(一)): the province words it,
//! audited, compare-and-set; a year without its own wording uses the notice's.

use super::{event, require_province, stale};
use crate::audit;
use crate::domain::commitment::{self, Commitment};
use crate::error::DomainError;
use crate::store::commitments as store;
use crate::store::{with_tx, Db};
use crate::workflow::{stamp, OpCtx};
use serde::{Deserialize, Serialize};

/// A year's commitment as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    #[serde(flatten)]
    pub commitment: Commitment,
    /// Whether the text is the notice's default wording (no row of its own).
    pub default_text: bool,
    /// Compare-and-set version (0: the default, never set).
    pub version: i64,
}

/// The commitment that applies to `year`.
pub fn current(db: &dyn Db, year: i32) -> Result<CommitmentView, DomainError> {
    Ok(match store::commitment_text(db, year)? {
        Some((text, version)) => {
            CommitmentView { commitment: Commitment::new(year, &text), default_text: false, version }
        }
        None => CommitmentView {
            commitment: Commitment::new(year, commitment::DEFAULT_TEXT),
            default_text: true,
            version: 0,
        },
    })
}

/// Reads `year`'s commitment (any signed-in caller: the text is public).
pub fn get(ctx: &OpCtx<'_>, year: i32) -> Result<CommitmentView, DomainError> {
    current(ctx.db, year)
}

/// Body of "set the commitment text".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetText {
    /// The wording (at most 2,000 characters).
    pub text: String,
    /// The version the caller read (0 for the default wording).
    #[serde(default)]
    pub version: Option<i64>,
}

/// The province words `year`'s commitment; the change is audited with both hashes.
pub fn set(ctx: &OpCtx<'_>, year: i32, body: SetText) -> Result<CommitmentView, DomainError> {
    require_province(ctx)?;
    let text = commitment::check_text(&body.text)?;
    with_tx(ctx.db, |db| {
        let before = current(db, year)?;
        let expected = body.version.unwrap_or(before.version);
        if expected != before.version {
            return Err(stale("承诺书"));
        }
        let hash = commitment::text_sha256(&text);
        if !store::set_commitment_text(db, year, &text, &hash, &ctx.who.sub, &stamp(ctx.now), expected)? {
            return Err(stale("承诺书"));
        }
        audit::record(
            db,
            &event(
                ctx,
                "batch_commitment",
                &year.to_string(),
                "set_commitment_text",
                serde_json::json!({ "from_sha256": before.commitment.text_sha256, "to_sha256": hash }),
            ),
        )?;
        current(db, year)
    })
}

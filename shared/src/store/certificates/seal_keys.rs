//! Seal keys.

#[allow(unused_imports)]
use super::*;

pub(super) const INSERT_KEY: &str =
    "INSERT OR IGNORE INTO seal_keys (key_id, algorithm, distid, public_key, first_used_at) \
     VALUES (?, ?, ?, ?, ?)";

/// Publishes a seal key's public half (once).
pub fn publish_key(
    db: &dyn Db,
    key_id: &str,
    algorithm: &str,
    distid: &str,
    public_key: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(INSERT_KEY, &[key_id.into(), algorithm.into(), distid.into(), public_key.into(), now.into()])
}

/// A published key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedKey {
    pub key_id: String,
    pub algorithm: String,
    pub distid: String,
    pub public_key: String,
    pub first_used_at: String,
}

/// Every published key, oldest first.
pub fn published_keys(db: &dyn Db) -> Result<Vec<PublishedKey>, StoreError> {
    db.query(
        "SELECT key_id, algorithm, distid, public_key, first_used_at FROM seal_keys ORDER BY first_used_at, key_id",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PublishedKey {
            key_id: r.text(0)?,
            algorithm: r.text(1)?,
            distid: r.text(2)?,
            public_key: r.text(3)?,
            first_used_at: r.text(4)?,
        })
    })
    .collect()
}

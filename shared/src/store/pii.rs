//! The vault of sealed ID numbers (`pii_vault`, migration 0013) and the statements of the
//! clear-to-token migration (`crate::pii::reseal`).

use super::{Db, StoreError, Value};

const VAULT_HAS: &str = "SELECT 1 FROM pii_vault WHERE id_index = ?";
const VAULT_GET: &str = "SELECT sealed FROM pii_vault WHERE id_index = ?";
const VAULT_PUT: &str = "INSERT INTO pii_vault (id_index, sealed) VALUES (?, ?) ON CONFLICT (id_index) DO NOTHING";
const VAULT_SET: &str = "UPDATE pii_vault SET sealed = ? WHERE id_index = ?";
const VAULT_NOT_UNDER: &str = "SELECT id_index, sealed FROM pii_vault WHERE sealed NOT LIKE ?";
const REHASH_PEOPLE: &str = "UPDATE people SET id_hash = ? WHERE id_hash = ? RETURNING 1";
const REHASH_EXPERTS: &str = "UPDATE experts SET person_hash = ? WHERE person_hash = ? RETURNING 1";

/// Columns that hold one ID number each: (table, column, row key).
pub const CLEAR_COLUMNS: &[(&str, &str, &str)] = &[
    ("people", "citizen_id", "id"),
    ("applications", "citizen_id", "id"),
    ("blacklist", "citizen_id", "id"),
    ("certificates", "citizen_id", "id"),
    ("committee_details", "operator_citizen_id", "committee_id"),
];

/// JSON columns whose `citizen_id` fields hold ID numbers: (table, column, row key).
pub const JSON_COLUMNS: &[(&str, &str, &str)] = &[
    ("applications", "form", "id"),
    ("mohrss_outbox", "payload", "id"),
    ("certificate_imports", "rows", "id"),
    ("admin_imports", "rows", "id"),
];

/// Whether the vault holds a value for `index`.
pub fn vault_has(db: &dyn Db, index: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(VAULT_HAS, &[index.into()])?.is_some())
}

/// The sealed value for `index`.
pub fn vault_get(db: &dyn Db, index: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(VAULT_GET, &[index.into()])?.map(|r| r.text(0)).transpose()
}

/// Stores a sealed value (the first one of a person stays).
pub fn vault_put(db: &dyn Db, index: &str, sealed: &str) -> Result<(), StoreError> {
    db.execute(VAULT_PUT, &[index.into(), sealed.into()])
}

/// Replaces a sealed value (rekeying).
pub fn vault_set(db: &dyn Db, index: &str, sealed: &str) -> Result<(), StoreError> {
    db.execute(VAULT_SET, &[sealed.into(), index.into()])
}

/// Vault values sealed under another key than `kid`: (index, sealed).
pub fn vault_not_under(db: &dyn Db, kid: &str) -> Result<Vec<(String, String)>, StoreError> {
    db.query(VAULT_NOT_UNDER, &[format!("{kid}:%").into()])?.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

/// Rows whose `column` holds something other than a token: (row key, value).
pub fn clear_values(db: &dyn Db, table: &str, column: &str, key: &str) -> Result<Vec<(Value, String)>, StoreError> {
    let sql = format!("SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE 'pii1:%'");
    db.query(&sql, &[])?.iter().map(|r| Ok((r.0[0].clone(), r.text(1)?))).collect()
}

/// Rows whose JSON `column` has a `citizen_id` field: (row key, JSON). The caller keeps
/// those with a clear value (a document may mix tokens and numbers).
pub fn json_values(db: &dyn Db, table: &str, column: &str, key: &str) -> Result<Vec<(Value, String)>, StoreError> {
    let sql = format!("SELECT {key}, {column} FROM {table} WHERE {column} LIKE '%citizen_id\"%'");
    db.query(&sql, &[])?.iter().map(|r| Ok((r.0[0].clone(), r.text(1)?))).collect()
}

/// Writes one value back.
pub fn set_value(
    db: &dyn Db,
    table: &str,
    column: &str,
    key: &str,
    row: &Value,
    value: &str,
) -> Result<(), StoreError> {
    let sql = format!("UPDATE {table} SET {column} = ? WHERE {key} = ?");
    db.execute(&sql, &[value.into(), row.clone()])
}

/// Replaces a plain SHA-256 of a number by its index in `people` and `experts`.
pub fn rehash(db: &dyn Db, sha: &str, index: &str) -> Result<u64, StoreError> {
    let a = db.query(REHASH_PEOPLE, &[index.into(), sha.into()])?.len();
    let b = db.query(REHASH_EXPERTS, &[index.into(), sha.into()])?.len();
    Ok((a + b) as u64)
}

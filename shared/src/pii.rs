//! Personal data at rest (issue 10): the resident ID number (公民身份号码) is sensitive
//! personal information (PIPL art. 28, GB/T 35273), so no table holds it in clear.
//!
//! - Every column and JSON field that used to hold the number holds a **token**
//!   `pii1:<masked>:<index>`: the masked form (what [`mask_str`] shows) and the index, an
//!   HMAC-SHA256 of the number under the index key (`pii_index_key`). Tokens of one number
//!   are equal, so equality look-ups (blacklist R5, duplicates, experts' recusal, sign-in
//!   by ID number) compare tokens or indexes — never the number.
//! - The number itself is sealed once per person in `pii_vault` (migration 0013) with
//!   AES-256-GCM under the current key (`pii_key`, `<kid>:<64 hex>`), a random 96-bit
//!   nonce per value and the index as associated data; the stored value starts with the
//!   key id, so old keys (`pii_old_keys`) still open it and [`reseal`] moves it to the
//!   current key (README "Operations: personal-data keys").
//! - [`reveal`] opens a token only where the full number is needed: the registry report
//!   sent to MOHRSS, the certificate record's own fields (gender), the holder's own
//!   application form, the password rule. Everything else shows the masked part.

use crate::domain::application::ApplicationForm;
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::DomainError;
use crate::store::pii as store;
use crate::store::Db;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use std::rc::Rc;

/// Spin variable: the current encryption key, `<kid>:<64 hex digits>` (secret, required).
pub const VAR_PII_KEY: &str = "pii_key";
/// Spin variable: retired keys that still open old values, comma-separated `<kid>:<hex>`.
pub const VAR_PII_OLD_KEYS: &str = "pii_old_keys";
/// Spin variable: the HMAC-SHA256 key of the look-up index, 64 hex digits (secret, required).
pub const VAR_PII_INDEX_KEY: &str = "pii_index_key";
/// The token prefix (version 1 of the format).
pub const TOKEN_PREFIX: &str = "pii1:";

const INDEX_HEX: usize = 64;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;

/// The keys of one component instance, from its variables.
pub struct Keys {
    current: (String, [u8; 32]),
    old: Vec<(String, [u8; 32])>,
    index: [u8; 32],
}

fn key32(hex: &str, what: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{what}: expected 64 hex digits"));
    }
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| format!("{what}: not hex"))?;
    }
    Ok(k)
}

fn kid_key(s: &str, what: &str) -> Result<(String, [u8; 32]), String> {
    let (kid, hex) = s.trim().split_once(':').ok_or_else(|| format!("{what}: expected <kid>:<64 hex>"))?;
    if kid.is_empty() || kid.len() > 16 || !kid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("{what}: the key id is 1-16 letters or digits"));
    }
    Ok((kid.to_owned(), key32(hex, what)?))
}

impl Keys {
    /// Parses the three variables (`old` may be empty). Errors name the variable, never
    /// echo a key.
    pub fn parse(current: &str, old: &str, index: &str) -> Result<Keys, String> {
        let current = kid_key(current, VAR_PII_KEY)?;
        let old = old
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| kid_key(s, VAR_PII_OLD_KEYS))
            .collect::<Result<Vec<_>, _>>()?;
        let index = key32(index, VAR_PII_INDEX_KEY)?;
        if index == current.1 || old.iter().any(|(_, k)| *k == index) {
            return Err(format!("{VAR_PII_INDEX_KEY}: must differ from the encryption keys"));
        }
        Ok(Keys { current, old, index })
    }

    /// The key id new values are sealed with.
    pub fn current_kid(&self) -> &str {
        &self.current.0
    }

    /// The look-up index of a number: HMAC-SHA256 under the index key, lowercase hex.
    pub fn index(&self, id: &CitizenId) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index).expect("any key length");
        mac.update(id.as_str().as_bytes());
        crate::audit::hex(&mac.finalize().into_bytes())
    }

    /// The token stored in place of the number.
    pub fn token(&self, id: &CitizenId) -> String {
        format!("{TOKEN_PREFIX}{}:{}", id.mask(), self.index(id))
    }

    /// `<kid>:<base64(nonce ‖ ciphertext ‖ tag)>`, AES-256-GCM with a random nonce and
    /// the index as associated data (a sealed value cannot be moved to another person).
    pub fn seal(&self, id: &CitizenId, index: &str) -> Result<String, DomainError> {
        let cipher = Aes256Gcm::new((&self.current.1).into());
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| DomainError::Internal(format!("random nonce: {e}")))?;
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: id.as_str().as_bytes(), aad: index.as_bytes() })
            .map_err(|_| DomainError::Internal("pii seal failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(format!("{}:{}", self.current.0, B64.encode(out)))
    }

    /// Opens a sealed value with the key its id names (current or old).
    pub fn open(&self, sealed: &str, index: &str) -> Result<CitizenId, DomainError> {
        let fail = |why: &str| DomainError::Internal(format!("pii vault: {why}"));
        let (kid, b64) = sealed.split_once(':').ok_or_else(|| fail("malformed value"))?;
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|(k, _)| k == kid)
            .ok_or_else(|| fail(&format!("no key with id {kid} (pii_key / pii_old_keys)")))?;
        let bytes = B64.decode(b64).map_err(|_| fail("malformed value"))?;
        if bytes.len() < 12 + 16 {
            return Err(fail("malformed value"));
        }
        let (nonce, ct) = bytes.split_at(12);
        let clear = Aes256Gcm::new((&key.1).into())
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: index.as_bytes() })
            .map_err(|_| fail("authentication failed"))?;
        let s = String::from_utf8(clear).map_err(|_| fail("not text"))?;
        CitizenId::parse(&s).map_err(|_| fail("not an ID number"))
    }
}

thread_local! {
    static KEYS: RefCell<Option<Rc<Keys>>> = const { RefCell::new(None) };
}

/// Installs (or clears) the keys of this instance; `shared::spin::serve` does it per
/// request from the component's variables.
pub fn install(keys: Option<Keys>) {
    KEYS.with(|k| *k.borrow_mut() = keys.map(Rc::new));
}

/// The installed keys; a component without `pii_key` / `pii_index_key` gets a 500.
pub fn keys() -> Result<Rc<Keys>, DomainError> {
    #[cfg(test)]
    if KEYS.with(|k| k.borrow().is_none()) {
        install(Some(test_keys()));
    }
    KEYS.with(|k| k.borrow().clone())
        .ok_or_else(|| DomainError::Internal("variables pii_key / pii_index_key are not configured".into()))
}

/// Whether `s` is a token (not a clear number).
pub fn is_token(s: &str) -> bool {
    s.starts_with(TOKEN_PREFIX)
}

/// The masked part of a token (or `None` for anything else).
pub fn masked_of_token(s: &str) -> Option<&str> {
    let rest = s.strip_prefix(TOKEN_PREFIX)?;
    rest.rsplit_once(':').map(|(m, _)| m)
}

/// The index part of a token (or `None` for anything else).
pub fn index_of_token(s: &str) -> Option<&str> {
    let rest = s.strip_prefix(TOKEN_PREFIX)?;
    rest.rsplit_once(':').map(|(_, i)| i).filter(|i| i.len() == INDEX_HEX)
}

/// The token of a number, for look-ups (nothing is written).
pub fn token_for(id: &CitizenId) -> Result<String, DomainError> {
    Ok(keys()?.token(id))
}

/// The index of a number, for look-ups by index (`people.id_hash`, `experts.person_hash`).
pub fn index_for(id: &CitizenId) -> Result<String, DomainError> {
    Ok(keys()?.index(id))
}

/// The token to compare a user-typed search string with: a valid number becomes its
/// token; anything else stays as typed (it matches no stored token).
pub fn search_token(typed: &str) -> Result<String, DomainError> {
    match CitizenId::parse(typed) {
        Ok(id) => token_for(&id),
        Err(_) => Ok(typed.to_owned()),
    }
}

/// The index behind a stored value: a token's own, or (for a value not yet resealed)
/// the number's.
pub fn index_of_stored(s: &str) -> Result<String, DomainError> {
    if let Some(i) = index_of_token(s) {
        return Ok(i.to_owned());
    }
    let id = CitizenId::parse(s).map_err(|e| DomainError::Internal(format!("stored ID number: {}", e.0)))?;
    index_for(&id)
}

/// Seals `id` into the vault (once per person) and returns its token, for storing.
pub fn protect(db: &dyn Db, id: &CitizenId) -> Result<String, DomainError> {
    let keys = keys()?;
    let index = keys.index(id);
    if !store::vault_has(db, &index)? {
        store::vault_put(db, &index, &keys.seal(id, &index)?)?;
    }
    Ok(format!("{TOKEN_PREFIX}{}:{index}", id.mask()))
}

/// [`protect`] for a stored or typed string: a token stays as it is, a valid number is
/// protected, anything else is an internal error.
pub fn protect_str(db: &dyn Db, s: &str) -> Result<String, DomainError> {
    if is_token(s) {
        return Ok(s.to_owned());
    }
    let id = CitizenId::parse(s).map_err(|e| DomainError::Internal(format!("ID number: {}", e.0)))?;
    protect(db, &id)
}

/// The full number behind a stored value — only where it is needed (module docs). A clear
/// value not yet resealed is parsed as it is.
pub fn reveal(db: &dyn Db, stored: &str) -> Result<CitizenId, DomainError> {
    let Some(index) = index_of_token(stored) else {
        return CitizenId::parse(stored).map_err(|e| DomainError::Internal(format!("stored ID number: {}", e.0)));
    };
    let sealed = store::vault_get(db, index)?
        .ok_or_else(|| DomainError::Internal("pii vault: no sealed value for a stored token".into()))?;
    keys()?.open(&sealed, index)
}

/// The masked form of any stored value (token or clear).
pub fn masked(stored: &str) -> String {
    mask_str(stored)
}

/// An application form as stored (its `citizen_id` a token) made whole again for the
/// rules: the number revealed.
pub fn open_form(db: &dyn Db, json: &str) -> Result<ApplicationForm, DomainError> {
    let mut v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| DomainError::Internal(format!("stored form: {e}")))?;
    if let Some(s) = v.get("citizen_id").and_then(|c| c.as_str()).filter(|s| is_token(s)) {
        let id = reveal(db, s)?;
        v["citizen_id"] = id.as_str().into();
    }
    serde_json::from_value(v).map_err(|e| DomainError::Internal(format!("stored form: {e}")))
}

/// A stored form read for anything but its ID number (which is left out, not opened).
pub fn form_without_id(json: &str) -> Result<ApplicationForm, DomainError> {
    let mut v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| DomainError::Internal(format!("stored form: {e}")))?;
    if let Some(m) = v.as_object_mut() {
        m.remove("citizen_id");
    }
    serde_json::from_value(v).map_err(|e| DomainError::Internal(format!("stored form: {e}")))
}

/// A form for storing: its JSON with the number replaced by its token, and the token.
pub fn protect_form(db: &dyn Db, form: &ApplicationForm) -> Result<(String, Option<String>), DomainError> {
    let mut v = serde_json::to_value(form).map_err(|e| DomainError::Internal(e.to_string()))?;
    let token = match &form.citizen_id {
        Some(id) => {
            let t = protect(db, id)?;
            v["citizen_id"] = t.clone().into();
            Some(t)
        }
        None => None,
    };
    let json = serde_json::to_string(&v).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok((json, token))
}

/// [`protect_form`] with the queried columns of the form (its `citizen_id` the token).
pub fn protect_form_columns(
    db: &dyn Db,
    form: &ApplicationForm,
) -> Result<(crate::store::applications::FormColumns, String), DomainError> {
    let (json, token) = protect_form(db, form)?;
    let mut cols = crate::store::applications::FormColumns::of(form);
    cols.citizen_id = token;
    Ok((cols, json))
}

/// Replaces every string field named `citizen_id` (or `….citizen_id`, an import cell) in a JSON document (e.g. an outbox
/// payload) by `f` of it.
pub fn map_citizen_ids(
    v: &mut serde_json::Value,
    f: &mut dyn FnMut(&str) -> Result<String, DomainError>,
) -> Result<(), DomainError> {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    serde_json::Value::String(s) if k == "citizen_id" || k.ends_with(".citizen_id") => *s = f(s)?,
                    _ => map_citizen_ids(x, f)?,
                }
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                map_citizen_ids(x, f)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Opens every sealed `citizen_id` of a JSON document in place: what leaves the system for a
/// national platform (the MOHRSS registry, the credit platform) carries the full number,
/// opened in memory for that one send; the stored document keeps its tokens.
pub fn open_citizen_ids(db: &dyn Db, v: &mut serde_json::Value) -> Result<(), DomainError> {
    map_citizen_ids(v, &mut |s| if is_token(s) { Ok(reveal(db, s)?.as_str().to_owned()) } else { Ok(s.to_owned()) })
}

/// What one [`reseal`] run changed.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ResealReport {
    /// Clear numbers replaced by tokens (all tables and JSON fields).
    pub tokenised: u64,
    /// Vault values moved from an old key to the current one.
    pub rekeyed: u64,
    /// Plain SHA-256 hashes (`people.id_hash`, `experts.person_hash`) replaced by indexes.
    pub rehashed: u64,
}

/// The idempotent migration, run with the keys (at host start, by the daily job, or by
/// hand): every clear number left in a table (old rows, the demo seed) becomes a token;
/// plain SHA-256 hashes become indexes; vault values under an old key are resealed under
/// the current one. A second run changes nothing.
pub fn reseal(db: &dyn Db) -> Result<ResealReport, DomainError> {
    let keys = keys()?;
    let mut out = ResealReport::default();
    crate::store::with_tx(db, |db| -> Result<(), DomainError> {
        for (table, column, key) in store::CLEAR_COLUMNS {
            for (rowid, clear) in store::clear_values(db, table, column, key)? {
                let Ok(id) = CitizenId::parse(&clear) else { continue };
                let token = protect(db, &id)?;
                store::set_value(db, table, column, key, &rowid, &token)?;
                out.tokenised += 1;
                // The plain SHA-256 that stood for this number (people, experts).
                let sha = crate::audit::hex(&<Sha256 as sha2::Digest>::digest(id.as_str().as_bytes()));
                out.rehashed += store::rehash(db, &sha, &keys.index(&id))?;
            }
        }
        for (table, column, key) in store::JSON_COLUMNS {
            for (rowid, json) in store::json_values(db, table, column, key)? {
                let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&json) else { continue };
                let mut changed = false;
                map_citizen_ids(&mut v, &mut |s| {
                    if is_token(s) {
                        return Ok(s.to_owned());
                    }
                    match CitizenId::parse(s) {
                        Ok(id) => {
                            changed = true;
                            protect(db, &id)
                        }
                        Err(_) => Ok(s.to_owned()),
                    }
                })?;
                if changed {
                    store::set_value(db, table, column, key, &rowid, &v.to_string())?;
                    out.tokenised += 1;
                }
            }
        }
        for (index, sealed) in store::vault_not_under(db, keys.current_kid())? {
            let id = keys.open(&sealed, &index)?;
            store::vault_set(db, &index, &keys.seal(&id, &index)?)?;
            out.rekeyed += 1;
        }
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
pub(crate) fn test_keys() -> Keys {
    Keys::parse(
        "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    #[test]
    fn a_sealed_number_opens_only_with_its_key_and_its_index() {
        let k = test_keys();
        let id = CitizenId::parse(ID).unwrap();
        let index = k.index(&id);
        let sealed = k.seal(&id, &index).unwrap();
        assert!(sealed.starts_with("t1:"));
        assert!(!sealed.contains(ID));
        assert_eq!(k.open(&sealed, &index).unwrap(), id);
        assert!(k.open(&sealed, &"0".repeat(64)).is_err(), "bound to its index");
        let mut bytes = B64.decode(sealed.split_once(':').unwrap().1).unwrap();
        bytes[20] ^= 1;
        assert!(k.open(&format!("t1:{}", B64.encode(bytes)), &index).is_err(), "tampering is detected");
    }

    #[test]
    fn two_seals_of_one_number_differ_but_its_token_is_stable() {
        let k = test_keys();
        let id = CitizenId::parse(ID).unwrap();
        let index = k.index(&id);
        assert_ne!(k.seal(&id, &index).unwrap(), k.seal(&id, &index).unwrap(), "random nonce per value");
        assert_eq!(k.token(&id), k.token(&id));
        assert_eq!(k.token(&id), format!("pii1:110***********002X:{index}"));
        assert_eq!(mask_str(&k.token(&id)), "110***********002X");
        assert_eq!(index_of_token(&k.token(&id)), Some(index.as_str()));
    }

    #[test]
    fn the_index_is_keyed_not_a_plain_hash() {
        let k = test_keys();
        let id = CitizenId::parse(ID).unwrap();
        let plain = crate::audit::hex(&<Sha256 as sha2::Digest>::digest(ID.as_bytes()));
        assert_ne!(k.index(&id), plain);
        let other = Keys::parse(
            "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "",
            "e0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
        )
        .unwrap();
        assert_ne!(k.index(&id), other.index(&id));
    }

    #[test]
    fn a_rotated_key_still_opens_old_values() {
        let old = test_keys();
        let id = CitizenId::parse(ID).unwrap();
        let index = old.index(&id);
        let sealed = old.seal(&id, &index).unwrap();
        let rotated = Keys::parse(
            "t2:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
            "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
        )
        .unwrap();
        assert_eq!(rotated.open(&sealed, &index).unwrap(), id);
        assert!(rotated.seal(&id, &index).unwrap().starts_with("t2:"));
        assert_eq!(rotated.index(&id), index, "the index key does not rotate with the cipher key");
        let without_old = Keys::parse(
            "t2:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
            "",
            "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
        )
        .unwrap();
        assert!(without_old.open(&sealed, &index).is_err());
    }

    #[test]
    fn bad_key_variables_are_refused_without_echoing_them() {
        let e = Keys::parse("nokid", "", &"a".repeat(64)).err().unwrap();
        assert!(e.contains("pii_key"));
        let e = Keys::parse(&format!("k1:{}", "a".repeat(64)), "", &"a".repeat(64)).err().unwrap();
        assert!(e.contains("pii_index_key") && !e.contains(&"a".repeat(64)));
        assert!(Keys::parse(&format!("k1:{}", "a".repeat(63)), "", &"b".repeat(64)).is_err());
    }
}

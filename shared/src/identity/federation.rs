//! Federated sign-in (issue 11): tokens of the province's unified identity service,
//! verified against its published keys (a JWKS document configured as the Spin variable
//! `federation_issuers`), RS256 or ES256 only. The verified token names a person by ID
//! number; the sign-in then proceeds as with a password (a session of ours, bound to that
//! person). No I/O here.
//!
//! Configuration (JSON array, one entry per issuer):
//! `[{"issuer": "https://id.hunan.gov.cn", "audience": "zhicheng",
//!    "jwks": {"keys": [...]}, "citizen_id_claim": "id_card", "name_claim": "name",
//!    "org_claim": "org"}]` — the three claim names default to those shown.

use crate::domain::citizen_id::CitizenId;
use crate::error::{DomainError, ErrorCode};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

/// Seconds of clock difference tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: i64 = 60;

/// One configured identity provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// The `aud` its tokens must carry for this system.
    pub audience: String,
    /// Its public keys (RFC 7517 JWK Set).
    pub jwks: JwkSet,
    /// The claim with the person's ID number.
    #[serde(default = "citizen_id_claim")]
    pub citizen_id_claim: String,
    /// The claim with the person's name.
    #[serde(default = "name_claim")]
    pub name_claim: String,
    /// The claim naming the organisation the person acts for (optional in tokens).
    #[serde(default = "org_claim")]
    pub org_claim: String,
}

fn citizen_id_claim() -> String {
    "id_card".into()
}
fn name_claim() -> String {
    "name".into()
}
fn org_claim() -> String {
    "org".into()
}

/// The configured issuers; none configured (empty or `[]`) is `FEDERATION_NOT_CONFIGURED`.
/// A configuration that does not parse is a deployment fault (500, logged).
pub fn issuers(config: &str) -> Result<Vec<Issuer>, DomainError> {
    let config = config.trim();
    if config.is_empty() {
        return Err(DomainError::conflict(ErrorCode::FederationNotConfigured, &[]));
    }
    let list: Vec<Issuer> = serde_json::from_str(config)
        .map_err(|e| DomainError::Internal(format!("federation_issuers does not parse: {e}")))?;
    if list.is_empty() {
        return Err(DomainError::conflict(ErrorCode::FederationNotConfigured, &[]));
    }
    Ok(list)
}

/// Who a verified federated token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedIdentity {
    /// The issuer (`iss`).
    pub issuer: String,
    /// The provider's subject (`sub`).
    pub subject: String,
    /// The person's ID number (GB 11643, check digit verified).
    pub citizen_id: CitizenId,
    /// The person's name.
    pub name: String,
    /// The organisation the token says the person acts for, if any.
    pub org: Option<String>,
}

/// Verifies a federated token: RS256 / ES256 only, signed by a key of the issuer its `iss`
/// names (by `kid`, or the issuer's only key of that algorithm family), `aud` this system,
/// not expired and already valid at `now_unix` (±60 s), with a subject, a valid ID number and
/// a name. Every fault is `UNAUTHENTICATED` (which one is not told).
pub fn verify(issuers: &[Issuer], token: &str, now_unix: i64) -> Result<FederatedIdentity, DomainError> {
    let bad = |_| DomainError::Unauthenticated;
    let header = jsonwebtoken::decode_header(token).map_err(bad)?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
        return Err(DomainError::Unauthenticated);
    }
    // The issuer is read before the signature only to choose whose keys verify it.
    let unverified: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(token).map_err(bad)?.claims;
    let iss = unverified.get("iss").and_then(Value::as_str).ok_or(DomainError::Unauthenticated)?;
    let cfg = issuers.iter().find(|i| i.issuer == iss).ok_or(DomainError::Unauthenticated)?;
    let family = |jwk: &&jsonwebtoken::jwk::Jwk| {
        matches!(
            (&jwk.algorithm, header.alg),
            (jsonwebtoken::jwk::AlgorithmParameters::RSA(_), Algorithm::RS256)
                | (jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
        )
    };
    let jwk = match &header.kid {
        Some(kid) => cfg.jwks.find(kid).filter(family),
        None => {
            let mut same: Vec<_> = cfg.jwks.keys.iter().filter(family).collect();
            if same.len() == 1 {
                same.pop()
            } else {
                None
            }
        }
    }
    .ok_or(DomainError::Unauthenticated)?;
    let key = DecodingKey::from_jwk(jwk).map_err(bad)?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&cfg.issuer]);
    validation.set_audience(&[&cfg.audience]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    // Expiry is judged on the caller's clock (the test clock in tests), below.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let claims: Value = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(bad)?.claims;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(DomainError::Unauthenticated)?;
    if exp + LEEWAY_SECONDS <= now_unix {
        return Err(DomainError::Unauthenticated);
    }
    if let Some(nbf) = claims.get("nbf") {
        if nbf.as_i64().is_none_or(|nbf| nbf > now_unix + LEEWAY_SECONDS) {
            return Err(DomainError::Unauthenticated);
        }
    }
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let subject = text("sub").ok_or(DomainError::Unauthenticated)?.to_owned();
    let citizen_id = CitizenId::parse(text(&cfg.citizen_id_claim).ok_or(DomainError::Unauthenticated)?)
        .map_err(|_| DomainError::Unauthenticated)?;
    let name = text(&cfg.name_claim).ok_or(DomainError::Unauthenticated)?.to_owned();
    let org = text(&cfg.org_claim).map(str::to_owned);
    Ok(FederatedIdentity { issuer: cfg.issuer.clone(), subject, citizen_id, name, org })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_configuration_means_federation_is_off_and_a_broken_one_is_a_fault() {
        assert_eq!(issuers("").unwrap_err().code(), ErrorCode::FederationNotConfigured);
        assert_eq!(issuers(" [] ").unwrap_err().code(), ErrorCode::FederationNotConfigured);
        assert_eq!(issuers("{").unwrap_err().code(), ErrorCode::Internal);
        let one = issuers(r#"[{"issuer": "https://id.example", "audience": "zc", "jwks": {"keys": []}}]"#).unwrap();
        assert_eq!((one[0].citizen_id_claim.as_str(), one[0].name_claim.as_str()), ("id_card", "name"));
    }

    #[test]
    fn an_hs256_or_unsigned_token_is_never_a_federated_one() {
        let cfg = issuers(r#"[{"issuer": "https://id.example", "audience": "zc", "jwks": {"keys": []}}]"#).unwrap();
        // {"alg":"none"} and {"alg":"HS256"} headers with an iss of the configured issuer.
        let payload = "eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUifQ";
        for header in ["eyJhbGciOiJub25lIn0", "eyJhbGciOiJIUzI1NiJ9"] {
            assert_eq!(verify(&cfg, &format!("{header}.{payload}.c2ln"), 0), Err(DomainError::Unauthenticated));
        }
    }
}

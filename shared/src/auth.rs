//! Bearer tokens: HS256 JWTs (HMAC-SHA256, base64url without padding), verified in
//! constant time, `exp` checked against the caller's `now`.
//!
//! Identity, role and organisation come only from a verified token, never from the path
//! or the body (GUIDE: IDOR prevented by construction).

use crate::error::DomainError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The roles of the notice's actors (SPEC "Actors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 申报人
    Applicant,
    /// 用人单位
    Unit,
    /// 主管部门 / 市州人社局 / 公共人力资源服务机构
    Dept,
    /// 高评会组建单位
    CommitteeOrg,
    /// 评委
    Judge,
    /// 省人社厅
    Province,
}

impl Role {
    /// The wire name of the role, as in the token.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Unit => "unit",
            Role::Dept => "dept",
            Role::CommitteeOrg => "committee_org",
            Role::Judge => "judge",
            Role::Province => "province",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "applicant" => Role::Applicant,
            "unit" => Role::Unit,
            "dept" => Role::Dept,
            "committee_org" => Role::CommitteeOrg,
            "judge" => Role::Judge,
            "province" => Role::Province,
            _ => return None,
        })
    }
}

/// The claims a token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user's display name.
    pub name: String,
    /// The user's role.
    pub role: Role,
    /// The user's organisation id (empty for applicants without one).
    #[serde(default)]
    pub org: String,
    /// Expiry, seconds since the Unix epoch (UTC).
    pub exp: i64,
    /// The sign-in session the token belongs to (absent: a development token minted on
    /// the host). A signed-out session's tokens are refused at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The operator record the token acts through, for an organisation role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<i64>,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Signs `claims` into a compact HS256 token.
pub fn mint(secret: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signing_input = format!("{header}.{payload}");
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

/// Verifies a compact token and returns its claims; any fault is `UNAUTHENTICATED`.
pub fn verify(secret: &[u8], token: &str, now_unix: i64) -> Result<Claims, DomainError> {
    let bad = || DomainError::Unauthenticated;
    let mut parts = token.split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => return Err(bad()),
    };
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| bad())?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sig).map_err(|_| bad())?;
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| bad())?).map_err(|_| bad())?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(bad());
    }
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).map_err(|_| bad())?).map_err(|_| bad())?;
    if claims.exp <= now_unix {
        return Err(bad());
    }
    Ok(claims)
}

/// Extracts the token from an `Authorization: Bearer …` header value.
pub fn bearer(header: Option<&str>) -> Result<&str, DomainError> {
    header
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(DomainError::Unauthenticated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u1".into(),
            name: "张三".into(),
            role: Role::Applicant,
            org: String::new(),
            exp,
            sid: None,
            op: None,
        }
    }

    #[test]
    fn a_minted_token_verifies_with_the_same_secret() {
        let t = mint(b"k", &claims(100));
        assert_eq!(verify(b"k", &t, 99).unwrap(), claims(100));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let t = mint(b"k", &claims(100));
        assert_eq!(verify(b"other", &t, 0), Err(DomainError::Unauthenticated));
    }

    #[test]
    fn an_expired_token_is_refused() {
        let t = mint(b"k", &claims(100));
        assert_eq!(verify(b"k", &t, 100), Err(DomainError::Unauthenticated));
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let t = mint(b"k", &claims(100));
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Claims { role: Role::Province, ..claims(100) }).unwrap());
        parts[1] = &forged;
        assert_eq!(verify(b"k", &parts.join("."), 0), Err(DomainError::Unauthenticated));
    }

    #[test]
    fn a_missing_or_malformed_bearer_header_is_unauthenticated() {
        assert!(bearer(None).is_err());
        assert!(bearer(Some("Basic abc")).is_err());
        assert_eq!(bearer(Some("Bearer abc")).unwrap(), "abc");
    }
}

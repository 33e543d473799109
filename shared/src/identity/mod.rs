//! People and sign-in (issue 11): the rules, with no I/O. Passwords (GB/T 22239-2019
//! §8.1.4.1: complexity, failure handling, session timeout), Argon2id hashing, and the
//! hashed look-up key of an account (ID number or phone).

use crate::error::DomainError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
pub mod federation;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// Consecutive failed sign-ins of one account before it is locked.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);
/// Failed sign-ins from one client address per [`THROTTLE_WINDOW`] before it is refused.
pub const THROTTLE_FAILURES: i64 = 20;
/// The window of [`THROTTLE_FAILURES`].
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Lifetime of an access token.
pub const ACCESS_TTL: Duration = Duration::minutes(15);
/// A session ends after this long without a refresh (idle timeout).
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);

/// Checks a new password against the complexity rules: 8 to 64 characters, at least three
/// of upper case, lower case, digits and symbols, and not containing the person's ID
/// number or phone. The message names every rule it breaks.
pub fn check_password(password: &str, citizen_id: &str, phone: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let mut problems = Vec::new();
    if !(8..=64).contains(&n) {
        problems.push("长度须为8到64位");
    }
    if classes < 3 {
        problems.push("须包含大写字母、小写字母、数字、符号中的至少三类");
    }
    let lower = password.to_ascii_lowercase();
    if (!citizen_id.is_empty()
        && lower.contains(&citizen_id.to_ascii_lowercase()[citizen_id.len().saturating_sub(6)..]))
        || (!phone.is_empty() && phone.len() >= 6 && lower.contains(&phone[phone.len() - 6..]))
    {
        problems.push("不得包含身份证号码或手机号码");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(DomainError::invalid("password", format!("密码不符合要求：{}", problems.join("；"))))
    }
}

fn hasher() -> Argon2<'static> {
    // OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id and the given 16 random bytes of salt (PHC string).
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, DomainError> {
    let salt = SaltString::encode_b64(salt).map_err(|e| DomainError::Internal(format!("salt: {e}")))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches a stored PHC string (constant-time comparison inside).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// The look-up key of an account string (an ID number or a phone), normalised and hashed:
/// what failure counters are kept under, whether or not the account exists.
pub fn account_key(account: &str) -> String {
    hex(&Sha256::digest(account.trim().to_ascii_uppercase().as_bytes()))
}

/// The stored look-up hash of an ID number (`people.id_hash`, `experts.person_hash`): the
/// keyed index of [`crate::pii`] (HMAC-SHA256, issue 10), of a number or of a stored token.
pub fn id_hash(citizen_id: &str) -> Result<String, crate::error::DomainError> {
    crate::pii::index_of_stored(citizen_id)
}

/// The stored hash of a refresh token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A mainland mobile number: 11 digits starting with 1.
pub fn valid_phone(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// After a failure: the new count and, when it reaches [`MAX_FAILURES`], the lock's end.
pub fn after_failure(failures: i64, now: DateTime<Utc>) -> (i64, Option<DateTime<Utc>>) {
    let n = failures + 1;
    (n, (n >= MAX_FAILURES).then(|| now + LOCKOUT))
}

/// Whether a session last seen at `last_seen` and ending at `expires` is still alive.
pub fn session_alive(last_seen: DateTime<Utc>, expires: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < expires && now < last_seen + IDLE_TIMEOUT
}

/// The duty of an operator in its organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// 经办人
    Clerk,
    /// 审核人
    Reviewer,
    /// 管理员: adds, disables, re-enables operators and delegates.
    Admin,
}

impl Duty {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Duty::Clerk => "clerk",
            Duty::Reviewer => "reviewer",
            Duty::Admin => "admin",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Duty::Clerk => "经办人",
            Duty::Reviewer => "审核人",
            Duty::Admin => "管理员",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Duty> {
        Some(match s {
            "clerk" => Duty::Clerk,
            "reviewer" => Duty::Reviewer,
            "admin" => Duty::Admin,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_needs_eight_characters_of_three_classes_and_not_the_id_number() {
        assert!(check_password("Abcdef12", "430102198503151236", "13800000000").is_ok());
        assert!(check_password("abcdefgh", "", "").is_err());
        assert!(check_password("Ab1!", "", "").is_err());
        let e = check_password("Xx151236!", "430102198503151236", "13800000000").unwrap_err();
        assert!(format!("{e:?}").contains("身份证"), "{e:?}");
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_password("Correct-Horse-9", &[7; 16]).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Correct-Horse-9", &h));
        assert!(!verify_password("Correct-Horse-8", &h));
        assert!(!verify_password("Correct-Horse-9", "not a hash"));
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let now: DateTime<Utc> = "2026-11-28T01:00:00Z".parse().unwrap();
        assert_eq!(after_failure(3, now), (4, None));
        assert_eq!(after_failure(4, now), (5, Some(now + LOCKOUT)));
    }

    #[test]
    fn a_session_ends_when_idle_or_at_its_absolute_end() {
        let t = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
        let seen = t("2026-11-28T01:00:00Z");
        let end = t("2026-11-28T13:00:00Z");
        assert!(session_alive(seen, end, t("2026-11-28T01:29:00Z")));
        assert!(!session_alive(seen, end, t("2026-11-28T01:31:00Z")));
        assert!(!session_alive(t("2026-11-28T12:59:00Z"), end, t("2026-11-28T13:00:00Z")));
    }
}

//! The resident identity card number (公民身份号码, GB 11643-1999): 18 characters,
//! 6-digit region code, 8-digit birth date, 3-digit order code (odd = male), and an
//! ISO 7064 MOD 11-2 check character. Parsed once; shown only through [`CitizenId::mask`].

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// A valid citizen ID number. Its `Debug` and `Display` show only the masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

/// Why a string is not a citizen ID number (the message is shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenIdError(pub &'static str);

impl std::fmt::Display for CitizenIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl CitizenId {
    /// Parses and validates: length, digits, birth date, check character.
    /// A lowercase `x` is accepted and stored as `X`.
    pub fn parse(s: &str) -> Result<CitizenId, CitizenIdError> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(CitizenIdError("身份证号码应为18位"));
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(CitizenIdError("身份证号码只能包含数字，末位可为X"));
        }
        if &s[..2] == "00" {
            return Err(CitizenIdError("身份证号码地址码无效"));
        }
        if NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").is_err() {
            return Err(CitizenIdError("身份证号码中的出生日期无效"));
        }
        let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        if CHECK[(sum % 11) as usize] != b[17] {
            return Err(CitizenIdError("身份证号码校验位错误"));
        }
        Ok(CitizenId(s))
    }

    /// The full number, for storage and matching only — never for display or logs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The one display form: first 3 and last 4 characters, the rest `*`
    /// (e.g. `110***********002X`). Birth date and region stay hidden.
    pub fn mask(&self) -> String {
        mask_str(&self.0)
    }

    /// Date of birth, from characters 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated at parse")
    }

    /// 男 or 女, from the parity of the order code.
    pub fn gender(&self) -> &'static str {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            "男"
        } else {
            "女"
        }
    }
}

/// Masks any stored ID-number string the same way as [`CitizenId::mask`]; used for
/// values read back from the store.
pub fn mask_str(s: &str) -> String {
    // A stored token (`pii1:<masked>:<index>`, see `crate::pii`) carries its masked form.
    if let Some((masked, _)) = s.strip_prefix("pii1:").and_then(|r| r.rsplit_once(':')) {
        return masked.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..3].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 7));
    out.extend(&chars[chars.len() - 4..]);
    out
}

impl std::fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CitizenId({})", self.mask())
    }
}

impl std::fmt::Display for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.mask())
    }
}

impl Serialize for CitizenId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CitizenId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CitizenId::parse(&s).map_err(|e| serde::de::Error::custom(e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example number printed in GB 11643-1999 itself.
    const STANDARD_EXAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_standards_own_example_is_valid() {
        let id = CitizenId::parse(STANDARD_EXAMPLE).unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender(), "女");
    }

    #[test]
    fn a_lowercase_x_is_accepted_and_normalised() {
        assert_eq!(CitizenId::parse("11010519491231002x").unwrap().as_str(), STANDARD_EXAMPLE);
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(CitizenId::parse("110105194912310021"), Err(CitizenIdError("身份证号码校验位错误")));
    }

    #[test]
    fn an_impossible_birth_date_is_refused() {
        // 1949-02-30 does not exist; check digit irrelevant because the date fails first.
        assert!(CitizenId::parse("110105194902300021").is_err());
    }

    #[test]
    fn wrong_length_and_letters_are_refused() {
        assert!(CitizenId::parse("1101051949123100").is_err());
        assert!(CitizenId::parse("11010519491231A02X").is_err());
    }

    #[test]
    fn check_characters_computed_for_every_remainder_are_accepted() {
        // Build a valid number for each possible check character from one body.
        for order in 0..40u32 {
            let body = format!("43010219800101{order:03}");
            let sum: u32 = body.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
            let full = format!("{body}{}", CHECK[(sum % 11) as usize] as char);
            assert!(CitizenId::parse(&full).is_ok(), "{full}");
        }
    }

    #[test]
    fn the_mask_hides_birth_date_and_region() {
        let id = CitizenId::parse(STANDARD_EXAMPLE).unwrap();
        assert_eq!(id.mask(), "110***********002X");
        assert_eq!(format!("{id:?}"), "CitizenId(110***********002X)");
        assert!(!id.to_string().contains("19491231"));
    }
}

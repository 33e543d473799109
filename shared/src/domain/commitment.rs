//! 告知承诺 (notice 四(一)): senior-title evaluation works by notification and commitment.
//! Before submitting, the applicant reads the batch's commitment text and accepts it; the
//! submission records which text (its SHA-256) was accepted and when. The province may
//! word the text per year; the notice's wording is the default.

use crate::error::{DomainError, ErrorCode, Violation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The commitment's title, as the refusal names it.
pub const TITLE: &str = "职称评审个人承诺书";

/// The default text: the notice's 四(一) and the 评审表's 个人承诺 column in its words.
pub const DEFAULT_TEXT: &str = "本人郑重承诺：高级职称评审实行告知承诺制，本人已知悉申报条件和评审要求，诚信参评职称，\
所提供的申报材料真实、准确、有效，并将在《专业技术职称评审表》“个人承诺”栏内亲笔签名确认。\
如有弄虚作假，本人自愿承担撤销取得的职称、记入职称申报评审失信黑名单等相应责任。";

/// The commitment text of a batch year, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commitment {
    /// The batch year.
    pub batch_year: i32,
    /// 《职称评审个人承诺书》.
    pub title: &'static str,
    /// The text the applicant accepts.
    pub text: String,
    /// SHA-256 of the text's UTF-8 bytes (lower-case hex): what the acceptance names.
    pub text_sha256: String,
}

impl Commitment {
    /// The commitment of `batch_year` worded `text`.
    pub fn new(batch_year: i32, text: &str) -> Commitment {
        Commitment { batch_year, title: TITLE, text: text.to_owned(), text_sha256: text_sha256(text) }
    }
}

/// SHA-256 of a commitment text (lower-case hex).
pub fn text_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The applicant's acceptance, as the submit body carries it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Ticked: 本人已阅读并承诺.
    pub accepted: bool,
    /// The hash of the text that was shown (from the commitment's `text_sha256`).
    pub text_sha256: String,
}

/// Checks an acceptance against the batch's current text: absent or unticked is refused
/// naming `commitment.accepted`; a hash of another wording (the text changed since it was
/// shown) is refused naming `commitment.text_sha256`.
pub fn check(given: Option<&Acceptance>, current: &Commitment) -> Result<(), DomainError> {
    let refuse = |code: ErrorCode, field: &str| {
        Err(DomainError::RuleRefused(Violation::new(None, code, &[&TITLE], Some(field))))
    };
    match given {
        Some(a) if !a.accepted => refuse(ErrorCode::CommitmentRequired, "commitment.accepted"),
        None => refuse(ErrorCode::CommitmentRequired, "commitment.accepted"),
        Some(a) if !a.text_sha256.eq_ignore_ascii_case(&current.text_sha256) => {
            refuse(ErrorCode::CommitmentTextChanged, "commitment.text_sha256")
        }
        Some(_) => Ok(()),
    }
}

/// Checks a text the province sets: not blank, at most 2,000 characters.
pub fn check_text(text: &str) -> Result<String, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("text", "请填写承诺书内容"));
    }
    if t.chars().count() > 2000 {
        return Err(DomainError::invalid("text", "承诺书内容不得超过2000字"));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Commitment {
        Commitment::new(2026, DEFAULT_TEXT)
    }

    fn code_and_field(r: Result<(), DomainError>) -> (ErrorCode, Option<String>) {
        match r {
            Err(DomainError::RuleRefused(v)) => (v.code, v.field),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_submission_without_the_commitment_is_refused_naming_the_field() {
        assert_eq!(
            code_and_field(check(None, &current())),
            (ErrorCode::CommitmentRequired, Some("commitment.accepted".into()))
        );
        let unticked = Acceptance { accepted: false, text_sha256: current().text_sha256 };
        assert_eq!(code_and_field(check(Some(&unticked), &current())).0, ErrorCode::CommitmentRequired);
    }

    #[test]
    fn an_acceptance_of_another_wording_is_refused_and_of_this_one_passes() {
        let old = Acceptance { accepted: true, text_sha256: text_sha256("旧的承诺书") };
        assert_eq!(
            code_and_field(check(Some(&old), &current())),
            (ErrorCode::CommitmentTextChanged, Some("commitment.text_sha256".into()))
        );
        let ok = Acceptance { accepted: true, text_sha256: current().text_sha256.to_uppercase() };
        assert_eq!(check(Some(&ok), &current()), Ok(()));
    }

    #[test]
    fn the_hash_is_sha256_of_the_utf8_text() {
        // echo -n abc | sha256sum
        assert_eq!(text_sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(check_text("  ").is_err());
        assert!(check_text(&"承".repeat(2001)).is_err());
        assert_eq!(check_text(" 承诺 ").unwrap(), "承诺");
    }
}

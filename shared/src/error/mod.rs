//! The domain error: stable English codes ([`ErrorCode`]), Chinese messages, mapped to
//! HTTP in one place.

mod codes;

pub use codes::ErrorCode;
use serde::Serialize;

/// One failed rule or invalid field, reported alongside others (一次性告知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The notice's rule (R1…R22) when the violation is a rule, else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Stable code, e.g. `R1_LOWER_TITLE_REQUIRED`.
    pub code: ErrorCode,
    /// User-facing message in Chinese.
    pub message: String,
    /// The field at fault, in dotted/indexed form (`achievements[2].date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Violation {
    /// A violation of `code`, its message the code's template filled with `args`.
    pub fn new(
        rule: Option<&'static str>,
        code: ErrorCode,
        args: &[&dyn std::fmt::Display],
        field: Option<&str>,
    ) -> Self {
        Violation { rule, code, message: code.render(args), field: field.map(str::to_owned) }
    }
}

/// Every way a request can fail that the caller should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainError {
    /// No token, a bad signature, or an expired token.
    Unauthenticated,
    /// The role may not perform this operation at all.
    Forbidden,
    /// The object does not exist, or belongs to someone else (never reveal which).
    NotFound(&'static str),
    /// A field is missing or malformed.
    Invalid { field: String, message: String },
    /// The request body is not the JSON the operation takes.
    MalformedBody(String),
    /// Upload bigger than the limit.
    PayloadTooLarge { field: String, limit: usize },
    /// Upload of a type we do not accept.
    UnsupportedMediaType { field: String, message: String },
    /// The notice's rules refused the submission; all failures are listed.
    RulesFailed(Vec<Violation>),
    /// One rule of the notice refused the operation (a late plan, a vote after the
    /// deadline): the rule's own code and message, and the violation listed.
    RuleRefused(Violation),
    /// The object changed since the caller read it, or the state does not allow the action.
    /// The message is the code's template filled in ([`DomainError::conflict`]).
    Conflict { code: ErrorCode, message: String },
    /// A deadline computation reached a year whose official calendar is not loaded.
    CalendarYearNotPublished(i32),
    /// The store is busy; retry.
    Busy,
    /// Anything else; the cause goes to the log, never to the caller.
    Internal(String),
}

impl DomainError {
    /// An invalid-field error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid { field: field.into(), message: message.into() }
    }

    /// A conflict of code `code` (its status, usually 409): the code's one message
    /// template filled with `args`, in order.
    pub fn conflict(code: ErrorCode, args: &[&dyn std::fmt::Display]) -> Self {
        DomainError::Conflict { code, message: code.render(args) }
    }

    /// One rule's refusal (status of its code, 422): `args` fill the code's template;
    /// `rule` is the notice's rule (`R17`), `field` the field at fault when there is one.
    pub fn rule(rule: &'static str, code: ErrorCode, args: &[&dyn std::fmt::Display], field: Option<&str>) -> Self {
        DomainError::RuleRefused(Violation::new(Some(rule), code, args, field))
    }

    /// A break of the audit path (or of the committee's recognition, R20) refusing the
    /// operation: the break's code, its message and who must fix it (处理方).
    pub fn path_break(b: &crate::domain::path::PathBreak) -> Self {
        DomainError::Conflict { code: b.code, message: format!("{}。处理方：{}", b.message, b.fixer) }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Unauthenticated => ErrorCode::Unauthenticated,
            DomainError::Forbidden => ErrorCode::Forbidden,
            DomainError::NotFound(_) => ErrorCode::NotFound,
            DomainError::Invalid { .. } => ErrorCode::InvalidField,
            DomainError::MalformedBody(_) => ErrorCode::MalformedBody,
            DomainError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            DomainError::UnsupportedMediaType { .. } => ErrorCode::UnsupportedMediaType,
            DomainError::RulesFailed(_) => ErrorCode::RulesFailed,
            DomainError::RuleRefused(v) => v.code,
            DomainError::Conflict { code, .. } => *code,
            DomainError::CalendarYearNotPublished(_) => ErrorCode::CalendarYearNotPublished,
            DomainError::Busy => ErrorCode::StoreBusy,
            DomainError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The HTTP status this error maps to: its code's.
    pub fn status(&self) -> u16 {
        self.code().status()
    }

    /// The user-facing message, in Chinese: the code's template, filled in.
    pub fn message(&self) -> String {
        let code = self.code();
        match self {
            DomainError::NotFound(what) => code.render(&[what]),
            DomainError::Invalid { message, .. } | DomainError::UnsupportedMediaType { message, .. } => {
                code.render(&[message])
            }
            DomainError::MalformedBody(m) => code.render(&[m]),
            DomainError::PayloadTooLarge { limit, .. } => code.render(&[limit]),
            DomainError::RulesFailed(v) => code.render(&[&v.len()]),
            DomainError::RuleRefused(v) => v.message.clone(),
            DomainError::Conflict { message, .. } => message.clone(),
            DomainError::CalendarYearNotPublished(y) => code.render(&[y]),
            DomainError::Unauthenticated | DomainError::Forbidden | DomainError::Busy | DomainError::Internal(_) => {
                code.render(&[])
            }
        }
    }

    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. }
            | DomainError::PayloadTooLarge { field, .. }
            | DomainError::UnsupportedMediaType { field, .. } => Some(field),
            DomainError::RuleRefused(v) => v.field.as_deref(),
            DomainError::MalformedBody(_) => Some("body"),
            _ => None,
        }
    }

    /// The JSON body: `{"code","message","field"?,"violations"?}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({ "code": self.code().as_str(), "message": self.message() });
        if let Some(f) = self.field() {
            body["field"] = f.into();
        }
        match self {
            DomainError::RulesFailed(v) => body["violations"] = serde_json::to_value(v).unwrap_or_default(),
            DomainError::RuleRefused(v) => body["violations"] = serde_json::json!([v]),
            _ => {}
        }
        body
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for DomainError {}

impl From<crate::store::StoreError> for DomainError {
    fn from(e: crate::store::StoreError) -> Self {
        if e.is_busy() {
            DomainError::Busy
        } else {
            DomainError::Internal(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_a_4xx_or_5xx_with_a_chinese_message() {
        let all = [
            DomainError::Unauthenticated,
            DomainError::Forbidden,
            DomainError::NotFound("申报"),
            DomainError::invalid("citizen_id", "身份证号码校验位错误"),
            DomainError::MalformedBody("x".into()),
            DomainError::PayloadTooLarge { field: "body".into(), limit: 1 },
            DomainError::UnsupportedMediaType { field: "content-type".into(), message: "m".into() },
            DomainError::RulesFailed(vec![]),
            DomainError::conflict(ErrorCode::ApplicationStale, &[]),
            DomainError::rule("R17", ErrorCode::R17VotingClosed, &[&"2024-12-15"], Some("voted_on")),
            DomainError::CalendarYearNotPublished(2027),
            DomainError::Busy,
            DomainError::Internal("disk".into()),
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
            assert!(!e.message().is_empty());
            assert_eq!(e.body()["code"], e.code().as_str());
        }
    }

    #[test]
    fn a_rule_refusal_carries_its_own_code_not_rules_failed() {
        let e = DomainError::rule("R17", ErrorCode::R17VotingClosed, &[&"2024-12-15"], Some("voted_on"));
        let body = e.body();
        assert_eq!(body["code"], "R17_VOTING_CLOSED");
        assert_eq!(body["message"], "评议投票须在 2024-12-15 前完成（R17）");
        assert_eq!(body["field"], "voted_on");
        assert_eq!(body["violations"][0]["code"], "R17_VOTING_CLOSED");
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn an_internal_error_never_leaks_its_cause() {
        let e = DomainError::Internal("near \"SELEC\": syntax error".into());
        assert!(!e.body().to_string().contains("SELEC"));
    }
}

//! The domain error: stable English codes, Chinese messages, mapped to HTTP in one place.

use serde::Serialize;

/// One failed rule or invalid field, reported alongside others (一次性告知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The notice's rule (R1…R22) when the violation is a rule, else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Stable code, e.g. `R1_LOWER_TITLE_REQUIRED`.
    pub code: &'static str,
    /// User-facing message in Chinese.
    pub message: String,
    /// The field at fault, in dotted/indexed form (`achievements[2].date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
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
    /// The notice's rules refused the operation; all failures are listed.
    RulesFailed(Vec<Violation>),
    /// The object changed since the caller read it, or the state does not allow the action.
    Conflict { code: &'static str, message: String },
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

    /// A conflict: the state or the version does not allow the action.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict { code, message: message.into() }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Unauthenticated => "UNAUTHENTICATED",
            DomainError::Forbidden => "FORBIDDEN",
            DomainError::NotFound(_) => "NOT_FOUND",
            DomainError::Invalid { .. } => "INVALID_FIELD",
            DomainError::MalformedBody(_) => "MALFORMED_BODY",
            DomainError::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            DomainError::UnsupportedMediaType { .. } => "UNSUPPORTED_MEDIA_TYPE",
            DomainError::RulesFailed(_) => "RULES_FAILED",
            DomainError::Conflict { code, .. } => code,
            DomainError::CalendarYearNotPublished(_) => "CALENDAR_YEAR_NOT_PUBLISHED",
            DomainError::Busy => "STORE_BUSY",
            DomainError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            DomainError::Unauthenticated => 401,
            DomainError::Forbidden => 403,
            DomainError::NotFound(_) => 404,
            DomainError::Invalid { .. } | DomainError::MalformedBody(_) => 400,
            DomainError::PayloadTooLarge { .. } => 413,
            DomainError::UnsupportedMediaType { .. } => 415,
            DomainError::RulesFailed(_) | DomainError::CalendarYearNotPublished(_) => 422,
            DomainError::Conflict { .. } => 409,
            DomainError::Busy => 503,
            DomainError::Internal(_) => 500,
        }
    }

    /// The user-facing message, in Chinese.
    pub fn message(&self) -> String {
        match self {
            DomainError::Unauthenticated => "未登录或登录已失效，请重新登录".into(),
            DomainError::Forbidden => "当前角色无权执行此操作".into(),
            DomainError::NotFound(what) => format!("{what}不存在"),
            DomainError::Invalid { message, .. } => message.clone(),
            DomainError::MalformedBody(m) => format!("请求内容格式错误：{m}"),
            DomainError::PayloadTooLarge { limit, .. } => {
                format!("上传内容超过大小上限（{limit} 字节）")
            }
            DomainError::UnsupportedMediaType { message, .. } => message.clone(),
            DomainError::RulesFailed(v) => format!("不符合申报条件（共 {} 项）", v.len()),
            DomainError::Conflict { message, .. } => message.clone(),
            DomainError::CalendarYearNotPublished(y) => {
                format!("{y} 年的法定节假日安排尚未发布或未导入，无法计算工作日")
            }
            DomainError::Busy => "系统繁忙，请稍后重试".into(),
            DomainError::Internal(_) => "服务器内部错误".into(),
        }
    }

    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. }
            | DomainError::PayloadTooLarge { field, .. }
            | DomainError::UnsupportedMediaType { field, .. } => Some(field),
            DomainError::MalformedBody(_) => Some("body"),
            _ => None,
        }
    }

    /// The JSON body: `{"code","message","field"?,"violations"?}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({ "code": self.code(), "message": self.message() });
        if let Some(f) = self.field() {
            body["field"] = f.into();
        }
        if let DomainError::RulesFailed(v) = self {
            body["violations"] = serde_json::to_value(v).unwrap_or_default();
        }
        body
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
            DomainError::conflict("APPLICATION_STALE", "已变更"),
            DomainError::CalendarYearNotPublished(2027),
            DomainError::Busy,
            DomainError::Internal("disk".into()),
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
            assert!(!e.message().is_empty());
            assert_eq!(e.body()["code"], e.code());
        }
    }

    #[test]
    fn an_internal_error_never_leaks_its_cause() {
        let e = DomainError::Internal("near \"SELEC\": syntax error".into());
        assert!(!e.body().to_string().contains("SELEC"));
    }
}

//! Provincial administration (issue 6): the data every other capability runs on, kept by
//! the provincial HR department (省人社厅) and exchanged in Excel.
//!
//! - specialty tree (annex 3 §1.1) and title tree (§1.2) under fixed roots;
//! - acceptance institutions for 初定/认定 (§1.3);
//! - audit-path administration (§1.4–1.8) over the edges the audit chain resolves;
//! - committees in full (§1.10–1.11): specialties, organising units, fees, operator, cancel;
//! - the blacklist (§1.21, 七(一)) with its automatic lift when the record period ends;
//! - unit account registration and its audit (§1.25);
//! - annual batches (annex 2 §1.4.2) and the working-day calendar;
//! - Excel imports (validate, then commit) and exports of whole result sets.
//!
//! Each submodule holds the pure rules of its object (parse a request into a valid value)
//! and its operations (authorise, run the rules and the store in one transaction, audit).
//! SQL lives in [`crate::store::admin`].

pub mod audit_paths;
pub mod batches;
pub mod blacklist;
pub mod calendar;
pub mod commitments;
pub mod committees;
pub mod imports;
pub mod institutions;
pub mod organisations;
pub mod registrations;
pub mod rules;
pub mod specialties;
pub mod titles;

use crate::audit::AuditEvent;
use crate::auth::Role;
use crate::error::{DomainError, ErrorCode};
use crate::workflow::OpCtx;
use chrono::NaiveDate;

/// One value of an enumeration: the wire name in JSON, the Chinese label in Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Wire name (JSON, database).
    pub wire: &'static str,
    /// Chinese label (Excel cells, dropdowns).
    pub label: &'static str,
}

const fn c(wire: &'static str, label: &'static str) -> Choice {
    Choice { wire, label }
}

/// Title levels (职称级别).
pub const LEVELS: &[Choice] = &[
    c("junior", "员级"),
    c("assistant", "助理级"),
    c("intermediate", "中级"),
    c("deputy_senior", "副高级"),
    c("full_senior", "正高级"),
];
/// Senior levels, the ones this system evaluates.
pub const SENIOR_LEVELS: &[Choice] = &[c("deputy_senior", "副高级"), c("full_senior", "正高级")];
/// Acquisition methods of an audit path (取得方式).
pub const METHODS: &[Choice] = &[c("review", "评审"), c("initial", "初定"), c("recognition", "认定")];
/// Acquisition methods an acceptance institution receives (§1.3: 职称初定/认定受理机构).
pub const INSTITUTION_METHODS: &[Choice] = &[c("initial", "初定"), c("recognition", "认定")];
/// What an upper organisation does on an audit path.
pub const STEPS: &[Choice] = &[c("audit", "上级审核"), c("formal_review", "形式审查")];
/// Organisation kinds (机构类型).
pub const ORG_KINDS: &[Choice] = &[
    c("unit", "用人单位"),
    c("dept", "主管部门/省直厅局"),
    c("city_hr", "市州人社局"),
    c("public_hr_service", "公共人力资源服务机构"),
    c("committee_org", "高评会组建单位"),
    c("province", "省人社厅"),
];
/// Node types of an acceptance institution (受理节点类型): the kind of its organisation.
pub const NODE_TYPES: &[Choice] = &[
    c("province", "省人社厅"),
    c("city_hr", "市州人社局"),
    c("dept", "主管部门/省直厅局"),
    c("public_hr_service", "公共人力资源服务机构"),
];
/// Fee items of a committee (缴费项目, §1.10 4.3).
pub const FEE_ITEMS: &[Choice] = &[c("review", "评审费"), c("interview", "面试答辩费"), c("other", "其他费用")];
/// Yes / no cells.
pub const YES_NO: &[Choice] = &[c("true", "是"), c("false", "否")];

/// The labels of an enumeration, for a template's dropdown.
pub fn labels(choices: &[Choice]) -> Vec<&'static str> {
    choices.iter().map(|c| c.label).collect()
}

/// The label of a wire name (the wire name itself if unknown).
pub fn label_of(choices: &[Choice], wire: &str) -> String {
    choices.iter().find(|c| c.wire == wire).map_or_else(|| wire.to_owned(), |c| c.label.to_owned())
}

/// Parses an enumeration value given as its wire name or its Chinese label.
pub fn parse_choice(field: &str, label: &str, choices: &[Choice], v: &str) -> Result<&'static str, DomainError> {
    let v = v.trim();
    choices
        .iter()
        .find(|c| c.wire == v || c.label == v)
        .map(|c| c.wire)
        .ok_or_else(|| DomainError::invalid(field, format!("{label}取值无效，可选：{}", labels(choices).join("、"))))
}

/// A yes/no cell (`是`/`否`, `true`/`false`, `1`/`0`; empty ⇒ no).
pub fn parse_yes_no(field: &str, label: &str, v: &str) -> Result<bool, DomainError> {
    match v.trim() {
        "" | "否" | "false" | "0" | "FALSE" => Ok(false),
        "是" | "true" | "1" | "TRUE" => Ok(true),
        _ => Err(DomainError::invalid(field, format!("{label}请填写“是”或“否”"))),
    }
}

/// A required text field: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &str, label: &str, v: &str, max: usize) -> Result<String, DomainError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, format!("请填写{label}")));
    }
    if v.chars().count() > max {
        return Err(DomainError::invalid(field, format!("{label}不能超过{max}字")));
    }
    Ok(v.to_owned())
}

/// An optional text field: trimmed; empty ⇒ `None`; at most `max` characters.
pub fn optional_text(field: &str, label: &str, v: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, label, v, max).map(Some),
    }
}

/// A date `YYYY-MM-DD` (Excel date cells are read back in that form too).
pub fn parse_date(field: &str, label: &str, v: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(field, format!("{label}须为日期，格式如 2024-09-30")))
}

/// A phone number: 5–20 digits, `-`, `+` or spaces.
pub fn parse_phone(field: &str, label: &str, v: &str) -> Result<String, DomainError> {
    let v = v.trim();
    if (5..=20).contains(&v.len()) && v.chars().all(|c| c.is_ascii_digit() || "-+ ".contains(c)) {
        Ok(v.to_owned())
    } else {
        Err(DomainError::invalid(field, format!("{label}格式不正确")))
    }
}

/// A code: 1..=`max` characters from `[0-9A-Za-z-_.]`.
pub fn parse_code(field: &str, label: &str, v: &str, max: usize) -> Result<String, DomainError> {
    let v = v.trim();
    if v.is_empty() || v.len() > max || !v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(DomainError::invalid(field, format!("{label}须为1到{max}位字母、数字或 - _ .")));
    }
    Ok(v.to_owned())
}

/// Refuses anyone but the province (省人社厅).
pub fn require_province(ctx: &OpCtx<'_>) -> Result<(), DomainError> {
    ctx.require_role(Role::Province)
}

/// The compare-and-set failure of every administered object.
pub fn stale(what: &str) -> DomainError {
    DomainError::conflict(ErrorCode::AdminStale, &[&what])
}

/// An audit event for an administered object, by the caller, now.
pub fn event(ctx: &OpCtx<'_>, kind: &str, id: &str, action: &str, detail: serde_json::Value) -> AuditEvent {
    AuditEvent { detail: Some(detail), ..ctx.event(kind, id, action) }
}

/// Body of every "cancel / lift with a reason" operation.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (注销原因 / 解除原因).
    pub reason: String,
    /// The version the caller read (compare-and-set).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Checks an optional expected version against the stored one.
pub fn check_version(what: &str, stored: i64, expected: Option<i64>) -> Result<(), DomainError> {
    match expected {
        Some(v) if v != stored => Err(stale(what)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enumeration_accepts_its_wire_name_or_its_label_and_names_the_choices_otherwise() {
        assert_eq!(parse_choice("level", "级别", SENIOR_LEVELS, "副高级").unwrap(), "deputy_senior");
        assert_eq!(parse_choice("level", "级别", SENIOR_LEVELS, " full_senior ").unwrap(), "full_senior");
        let e = parse_choice("level", "级别", SENIOR_LEVELS, "高级").unwrap_err();
        assert_eq!(e.field(), Some("level"));
        assert!(e.message().contains("副高级、正高级"), "{}", e.message());
    }

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(required_text("n", "名称", "  内科学 ", 10).unwrap(), "内科学");
        assert!(required_text("n", "名称", "   ", 10).is_err());
        assert!(required_text("n", "名称", "一二三", 2).is_err());
    }

    #[test]
    fn yes_no_cells_accept_chinese_and_english() {
        assert!(parse_yes_no("f", "事业单位", "是").unwrap());
        assert!(!parse_yes_no("f", "事业单位", "").unwrap());
        assert!(parse_yes_no("f", "事业单位", "也许").is_err());
    }
}

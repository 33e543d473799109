//! Committees in full (评委会管理, annex 3 §1.10–1.11): name, series, highest level, final
//! authority, validity (R20: a committee past it is not recognised, 七(四)), the operator
//! (1.2: the 联系人 and ID number are the committee's operator), the specialties it may
//! review, its organising units and fee standards; edit, cancel with a reason, query,
//! export, batch import.
//!
//! Cancelling is refused while applications chosen for the committee are still open: they
//! must first be moved to another committee (§1.27, the audit chain's transfer).

use super::{
    check_version, event, label_of, parse_choice, parse_date, parse_phone, require_province, required_text, stale,
    ReasonBody, FEE_ITEMS, SENIOR_LEVELS,
};
use crate::audit;
use crate::domain::application::ApplicationState;
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, Committee, CommitteeFields, Filter, COMMITTEE_FROM, COMMITTEE_SELECT};
use crate::store::chain::{self as cstore, NewCommittee};
use crate::store::{with_tx, Db};
use crate::workflow::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const WHAT: &str = "评委会";

/// States in which an application is finished for its committee: ended before review,
/// not passed (never re-judged, 五(四)), or filed with the province (the committee's part
/// ends with filing, 六(二)). Cancelling a committee does not wait for these. Drafts are
/// not counted either (they are the applicant's own and are checked against the
/// committee again at submission).
pub const CLOSED_STATES: &[&str] = &["terminated", "rejected", "not_passed", "filed", "certified", "revoked"];
/// States in which an application is on its way to, or still in the hands of, its
/// committee: the chain below it, review, result publicity, filing.
pub const OPEN_STATES: &[&str] = &[
    "unit_review",
    "returned",
    "unit_publicity",
    "recommendable",
    "upper_audit",
    "formal_review",
    "return_descending",
    "returned_to_unit",
    "recheck",
    "qualified",
    "in_plan",
    "passed",
    "result_publicity",
    "result_on_hold",
    "publicity_passed",
    "filing_requested",
];

/// A money amount as JSON gives it: a number or a decimal string.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Amount {
    Number(serde_json::Number),
    Text(String),
}

impl Amount {
    fn text(&self) -> String {
        match self {
            Amount::Number(n) => n.to_string(),
            Amount::Text(s) => s.trim().to_owned(),
        }
    }
}

/// Parses yuan (`300`, `300.5`, `300.50`) into 分 without floating point.
pub fn parse_yuan(field: &str, v: &str) -> Result<i64, DomainError> {
    let bad = || DomainError::invalid(field, "金额须为不超过1000000元、最多两位小数的非负数");
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() || int.len() > 7 || frac.len() > 2 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let fen = int.parse::<i64>().map_err(|_| bad())? * 100 + format!("{frac:0<2}").parse::<i64>().map_err(|_| bad())?;
    if fen > 100_000_000 {
        return Err(bad());
    }
    Ok(fen)
}

/// One fee standard as entered.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeeInput {
    /// 缴费项目 (wire name or label).
    pub item: String,
    /// 缴费金额 in yuan.
    pub amount: Amount,
}

/// The operator (联系人) as entered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorInput {
    pub name: String,
    pub citizen_id: String,
    pub phone: String,
}

/// A new or edited committee.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeInput {
    /// 评委会编号 (create only; ignored on edit).
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// The series it evaluates (a root of the title tree).
    pub series: String,
    /// 评审层级: the highest level it may confer.
    pub max_level: String,
    /// 终审机构.
    #[serde(default = "yes")]
    pub is_final: bool,
    /// 有效期至 (YYYY-MM-DD).
    pub valid_until: String,
    /// 组建单位 (organisation ids), the first being the principal one.
    pub organisers: Vec<String>,
    /// 评审专业 (names in the specialty tree).
    pub specialties: Vec<String>,
    /// 缴费标准.
    #[serde(default)]
    pub fees: Vec<FeeInput>,
    /// 联系人 (the operator).
    pub operator: OperatorInput,
    #[serde(default)]
    pub remarks: String,
    /// The version read (edits only).
    #[serde(default)]
    pub version: Option<i64>,
}

fn yes() -> bool {
    true
}

/// A validated committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCommittee {
    pub id: String,
    pub name: String,
    pub series: String,
    pub max_level: &'static str,
    pub is_final: bool,
    pub valid_until: NaiveDate,
    pub organisers: Vec<String>,
    pub specialties: Vec<String>,
    pub fees: Vec<(String, i64)>,
    pub operator_name: String,
    pub operator_citizen_id: CitizenId,
    pub operator_phone: String,
    pub remarks: String,
}

/// Checks a committee's shape (no store access). `creating` requires the id.
pub fn validate(input: &CommitteeInput, creating: bool) -> Result<ValidCommittee, DomainError> {
    let id = if creating { super::parse_code("id", "评委会编号", &input.id, 40)? } else { String::new() };
    let mut organisers: Vec<String> = Vec::new();
    for (i, o) in input.organisers.iter().enumerate() {
        let o = required_text(&format!("organisers[{i}]"), "组建单位", o, 64)?;
        if organisers.contains(&o) {
            return Err(DomainError::invalid(format!("organisers[{i}]"), format!("组建单位 {o} 重复")));
        }
        organisers.push(o);
    }
    if organisers.is_empty() {
        return Err(DomainError::invalid("organisers", "请至少填写一个组建单位"));
    }
    let mut specialties: Vec<String> = Vec::new();
    for (i, s) in input.specialties.iter().enumerate() {
        let s = required_text(&format!("specialties[{i}]"), "评审专业", s, 50)?;
        if !specialties.contains(&s) {
            specialties.push(s);
        }
    }
    if specialties.is_empty() {
        return Err(DomainError::invalid("specialties", "请至少填写一个评审专业"));
    }
    let mut fees: Vec<(String, i64)> = Vec::new();
    for (i, f) in input.fees.iter().enumerate() {
        let item = parse_choice(&format!("fees[{i}].item"), "缴费项目", FEE_ITEMS, &f.item)?.to_owned();
        if fees.iter().any(|(it, _)| *it == item) {
            return Err(DomainError::invalid(format!("fees[{i}].item"), "缴费项目重复"));
        }
        fees.push((item, parse_yuan(&format!("fees[{i}].amount"), &f.amount.text())?));
    }
    let operator_citizen_id = CitizenId::parse(&input.operator.citizen_id)
        .map_err(|e| DomainError::invalid("operator.citizen_id", format!("联系人{}", e.0)))?;
    let remarks = input.remarks.trim();
    if remarks.chars().count() > 500 {
        return Err(DomainError::invalid("remarks", "备注不能超过500字"));
    }
    Ok(ValidCommittee {
        id,
        name: required_text("name", "评委会名称", &input.name, 100)?,
        series: required_text("series", "系列", &input.series, 30)?,
        max_level: parse_choice("max_level", "评审层级", SENIOR_LEVELS, &input.max_level)?,
        is_final: input.is_final,
        valid_until: parse_date("valid_until", "有效期", &input.valid_until)?,
        organisers,
        specialties,
        fees,
        operator_name: required_text("operator.name", "联系人姓名", &input.operator.name, 50)?,
        operator_citizen_id,
        operator_phone: parse_phone("operator.phone", "联系人电话", &input.operator.phone)?,
        remarks: remarks.to_owned(),
    })
}

// `token`: the contact's ID number as stored (crate::pii, issue 10).
fn fields<'a>(v: &'a ValidCommittee, valid_until: &'a str, token: &'a str) -> CommitteeFields<'a> {
    CommitteeFields {
        name: &v.name,
        series: &v.series,
        max_level: v.max_level,
        is_final: v.is_final,
        valid_until,
        organisers: &v.organisers,
        specialties: &v.specialties,
        fees: &v.fees,
        operator_name: &v.operator_name,
        operator_citizen_id: token,
        operator_phone: &v.operator_phone,
        remarks: &v.remarks,
    }
}

fn check_refs(ctx: &OpCtx<'_>, db: &dyn Db, v: &ValidCommittee) -> Result<(), DomainError> {
    if v.valid_until < shanghai_today(ctx.now) {
        return Err(DomainError::invalid("valid_until", "有效期不能早于今天（过期的评委会不予认可）"));
    }
    if !store::series_exists(db, &v.series)? {
        return Err(DomainError::invalid("series", format!("系列“{}”不存在", v.series)));
    }
    for (i, o) in v.organisers.iter().enumerate() {
        if cstore::organisation_by_id(db, o)?.is_none_or(|o| o.status != "active") {
            return Err(DomainError::invalid(format!("organisers[{i}]"), format!("组建单位 {o} 不存在或未生效")));
        }
    }
    check_specialties(db, v)
}

fn check_specialties(db: &dyn Db, v: &ValidCommittee) -> Result<(), DomainError> {
    for (i, s) in v.specialties.iter().enumerate() {
        if store::specialty_by_name(db, s)?.is_none() {
            return Err(DomainError::invalid(format!("specialties[{i}]"), format!("专业“{s}”不在职称专业树中")));
        }
    }
    Ok(())
}

fn detail(v: &ValidCommittee) -> serde_json::Value {
    serde_json::json!({
        "name": v.name, "series": v.series, "max_level": v.max_level, "is_final": v.is_final,
        "valid_until": v.valid_until.to_string(), "organisers": v.organisers, "specialties": v.specialties,
        "fees": v.fees, "operator": {"name": v.operator_name, "citizen_id": v.operator_citizen_id.mask()},
    })
}

/// Creates a committee inside the caller's transaction (API and import), through the one
/// creator [`crate::workflow::organisations::create_committee_in`]; the full record's
/// specialties must be in the specialty tree.
pub fn create_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &CommitteeInput) -> Result<CommitteeView, DomainError> {
    let v = validate(input, true)?;
    check_specialties(db, &v)?;
    let level = cstore::parse_level(v.max_level).ok_or_else(|| DomainError::Internal("level".into()))?;
    let new = NewCommittee {
        id: v.id.clone(),
        name: v.name.clone(),
        organising_org: v.organisers[0].clone(),
        series: v.series.clone(),
        max_level: level,
        tier: crate::domain::path::CommitteeTier::of_level(level),
        is_final: v.is_final,
        valid_until: v.valid_until,
        specialties: v.specialties.clone(),
    };
    let valid_until = v.valid_until.to_string();
    let token = crate::pii::protect(db, &v.operator_citizen_id)?;
    crate::workflow::organisations::create_committee_in(
        ctx,
        db,
        &new,
        Some(&fields(&v, &valid_until, &token)),
        detail(&v),
    )?;
    crate::workflow::session::contact_person_admin(
        db,
        v.operator_citizen_id.as_str(),
        &v.organisers[0],
        &ctx.who.sub,
        ctx.now,
    )?;
    get_in(db, &v.id)
}

/// Creates a committee with everything (§1.10 1).
pub fn create(ctx: &OpCtx<'_>, input: CommitteeInput) -> Result<CommitteeView, DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| create_in(ctx, db, &input))
}

/// Edits a committee (§1.10 2, 4). A specialty still chosen by open applications of the
/// committee cannot be removed (R20: it would be reviewing outside its specialties).
pub fn update(ctx: &OpCtx<'_>, id: &str, input: CommitteeInput) -> Result<CommitteeView, DomainError> {
    require_province(ctx)?;
    let v = validate(&input, false)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let c = store::committee_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if c.status != "active" {
            return Err(DomainError::conflict(ErrorCode::CommitteeCancelled, &[&id]));
        }
        if c.version != version {
            return Err(stale(WHAT));
        }
        check_refs(ctx, db, &v)?;
        for s in c.specialties.iter().filter(|s| !v.specialties.contains(s)) {
            let (n, ids) = store::open_applications_of_committee(db, id, Some(s), CLOSED_STATES)?;
            if n > 0 {
                return Err(DomainError::conflict(ErrorCode::CommitteeSpecialtyInUse, &[&n, &id_list(&ids), &s]));
            }
        }
        let valid_until = v.valid_until.to_string();
        let token = crate::pii::protect(db, &v.operator_citizen_id)?;
        let f = fields(&v, &valid_until, &token);
        let now = stamp(ctx.now);
        store::update_committee(db, id, version, &f, &now)?.ok_or_else(|| stale(WHAT))?;
        store::write_committee_details(db, id, &f, &ctx.who.sub, &now)?;
        audit::record(db, &event(ctx, "committee", id, "update_committee", detail(&v)))?;
        crate::workflow::session::contact_person_admin(
            db,
            v.operator_citizen_id.as_str(),
            &c.organising_org,
            &ctx.who.sub,
            ctx.now,
        )?;
        get_in(db, id)
    })
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join("、")
}

/// Cancels a committee (§1.10 6) with a reason — refused while applications chosen for
/// it are open; they must be moved to another committee first (§1.27).
pub fn cancel(ctx: &OpCtx<'_>, id: &str, body: ReasonBody) -> Result<CommitteeView, DomainError> {
    require_province(ctx)?;
    let reason = required_text("reason", "注销原因", &body.reason, 500)?;
    with_tx(ctx.db, |db| {
        let c = store::committee_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if c.status != "active" {
            return Err(DomainError::conflict(ErrorCode::CommitteeCancelled, &[&id]));
        }
        check_version(WHAT, c.version, body.version)?;
        let (n, ids) = store::open_applications_of_committee(db, id, None, CLOSED_STATES)?;
        if n > 0 {
            return Err(DomainError::conflict(ErrorCode::CommitteeHasOpenApplications, &[&n, &id_list(&ids)]));
        }
        if !store::cancel_committee(db, id, c.version, &reason, &stamp(ctx.now))? {
            return Err(stale(WHAT));
        }
        let mut e = event(ctx, "committee", id, "cancel_committee", serde_json::json!({}));
        e.from_state = Some("active".into());
        e.to_state = Some("cancelled".into());
        e.opinion = Some(reason.clone());
        audit::record(db, &e)?;
        get_in(db, id)
    })
}

/// A committee as shown: the operator's ID number masked, fees in yuan too.
#[derive(Debug, Clone, Serialize)]
pub struct CommitteeView {
    #[serde(flatten)]
    pub committee: Committee,
    pub max_level_label: String,
    pub fees_yuan: Vec<(String, String)>,
}

/// Formats 分 as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn view(mut c: Committee) -> CommitteeView {
    c.operator_citizen_id = c.operator_citizen_id.as_deref().map(mask_str);
    CommitteeView {
        max_level_label: label_of(SENIOR_LEVELS, &c.max_level),
        fees_yuan: c.fees.iter().map(|f| (label_of(FEE_ITEMS, &f.item), yuan(f.amount_fen))).collect(),
        committee: c,
    }
}

fn get_in(db: &dyn Db, id: &str) -> Result<CommitteeView, DomainError> {
    store::committee_by_id(db, id)?.map(view).ok_or(DomainError::NotFound(WHAT))
}

/// One committee (评委会查询 §1.11: anyone signed in may look; applicants choose one).
pub fn get(ctx: &OpCtx<'_>, id: &str) -> Result<CommitteeView, DomainError> {
    get_in(ctx.db, id)
}

/// Query filters: `q` (name or id contains), `series`, `status`, `specialty`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub series: Option<String>,
    pub status: Option<String>,
    pub specialty: Option<String>,
}

fn filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    if let Some(s) = q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        f.and("(c.name LIKE ? ESCAPE '\\' OR c.id LIKE ? ESCAPE '\\')", [store::like(s).into(), store::like(s).into()]);
    }
    f.and_opt("c.series = ?", q.series.as_deref()).and_opt("c.status = ?", q.status.as_deref()).and_opt(
        "EXISTS (SELECT 1 FROM committee_specialties cs WHERE cs.committee_id = c.id AND cs.specialty = ?)",
        q.specialty.as_deref(),
    );
    f
}

/// A page of committees.
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<CommitteeView>, DomainError> {
    let db = ctx.db;
    let l = store::list(
        db,
        COMMITTEE_SELECT,
        COMMITTEE_FROM,
        &filter(q),
        "c.id",
        Some((page.limit(), page.offset())),
        |r| store::committee(db, r),
    )?;
    Ok(Page {
        items: l.rows.into_iter().map(view).collect(),
        page: page.page,
        page_size: page.page_size,
        total: l.total,
    })
}

/// Every committee matching the query, as a sheet (导出查询结果, ID numbers masked).
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let db = ctx.db;
    let all = store::list(db, COMMITTEE_SELECT, COMMITTEE_FROM, &filter(q), "c.id", None, |r| store::committee(db, r))?;
    let mut sheet = Sheet::new(
        "评委会",
        &[
            "评委会编号",
            "评委会名称",
            "系列",
            "评审层级",
            "终审机构",
            "有效期至",
            "组建单位",
            "评审专业",
            "缴费标准",
            "联系人",
            "联系人身份证号",
            "联系电话",
            "状态",
            "注销原因",
        ],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(view)
        .map(|v| {
            let c = v.committee;
            vec![
                c.id,
                c.name,
                c.series,
                v.max_level_label,
                if c.is_final { "是" } else { "否" }.into(),
                c.valid_until,
                c.organisers.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join("、"),
                c.specialties.join("、"),
                v.fees_yuan.iter().map(|(i, a)| format!("{i}:{a}")).collect::<Vec<_>>().join("；"),
                c.operator_name.unwrap_or_default(),
                c.operator_citizen_id.as_deref().map(mask_str).unwrap_or_default(),
                c.operator_phone.unwrap_or_default(),
                if c.status == "active" { "有效" } else { "已注销" }.into(),
                c.cancel_reason.unwrap_or_default(),
            ]
        })
        .collect();
    Ok(sheet)
}

/// Whether every application state is classified open or closed (drafts aside) — a new
/// state added to the workflow must be placed in one list or the other.
pub fn unclassified_states() -> Vec<&'static str> {
    ApplicationState::ALL
        .iter()
        .map(|s| s.as_str())
        .filter(|s| *s != "draft" && !OPEN_STATES.contains(s) && !CLOSED_STATES.contains(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_application_state_is_classified_open_or_closed_for_cancellation() {
        assert_eq!(unclassified_states(), Vec::<&str>::new());
    }

    #[test]
    fn yuan_amounts_become_fen_without_floating_point() {
        assert_eq!(parse_yuan("f", "300").unwrap(), 30_000);
        assert_eq!(parse_yuan("f", "300.5").unwrap(), 30_050);
        assert_eq!(parse_yuan("f", "0.07").unwrap(), 7);
        for bad in ["-1", "1.234", "abc", "", "1e3", "99999999"] {
            assert!(parse_yuan("f", bad).is_err(), "{bad}");
        }
        assert_eq!(yuan(30_050), "300.50");
    }

    fn input() -> CommitteeInput {
        CommitteeInput {
            id: "CMT-HEALTH".into(),
            name: "湖南省卫生系列高级职称评审委员会".into(),
            series: "卫生".into(),
            max_level: "正高级".into(),
            is_final: true,
            valid_until: "2026-12-31".into(),
            organisers: vec!["ORG-HEALTH".into()],
            specialties: vec!["内科学".into(), "内科学".into()],
            fees: vec![FeeInput { item: "评审费".into(), amount: Amount::Text("300".into()) }],
            operator: OperatorInput {
                name: "王五".into(),
                citizen_id: "11010519491231002X".into(),
                phone: "0731-1234567".into(),
            },
            remarks: String::new(),
            version: None,
        }
    }

    #[test]
    fn a_committee_dedups_specialties_and_refuses_a_bad_operator_id() {
        let v = validate(&input(), true).unwrap();
        assert_eq!(v.specialties, vec!["内科学"]);
        assert_eq!(v.fees, vec![("review".to_owned(), 30_000)]);
        let mut i = input();
        i.operator.citizen_id = "110105194912310021".into();
        assert_eq!(validate(&i, true).unwrap_err().field(), Some("operator.citizen_id"));
        let mut i = input();
        i.max_level = "中级".into();
        assert_eq!(validate(&i, true).unwrap_err().field(), Some("max_level"));
    }
}

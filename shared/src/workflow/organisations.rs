//! Organisations, committees and audit-path edges as the chain needs them: the province
//! registers organisations and committees; an upper organisation designates its lowers
//! (指定下级, annex 3 §1.4–1.8) and anyone on a path can ask for its uppers and lowers.

use super::{shanghai_today, stamp, OpCtx};
use crate::admin::event;
use crate::audit;
use crate::auth::Role;
use crate::domain::application::TitleLevel;
use crate::domain::path::{Method, StepKind};
use crate::error::{DomainError, ErrorCode};
use crate::store::admin::CommitteeFields;
use crate::store::chain::{self as cstore, EdgeRecord, NewCommittee, Organisation};
use crate::store::{with_tx, Db};
use chrono::NaiveDate;
use serde::Deserialize;

/// Organisation kinds.
pub const ORG_KINDS: [&str; 6] = ["unit", "dept", "city_hr", "public_hr_service", "committee_org", "province"];

/// Body of "create organisation".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub credit_code: Option<String>,
    pub region_code: String,
    #[serde(default)]
    pub public_institution: bool,
    #[serde(default)]
    pub self_review: bool,
}

/// Validates a unified social credit code (GB 32100-2015): 18 characters from the code
/// set, with its MOD 31 check character.
pub fn valid_credit_code(code: &str) -> bool {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let b: Vec<char> = code.chars().collect();
    if b.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in b[..17].iter().zip(WEIGHTS) {
        match CHARS.find(*c) {
            Some(v) => sum += v as u32 * w,
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    CHARS.chars().nth(check as usize) == Some(b[17])
}

/// The one creator of an active organisation, inside the caller's transaction: every
/// rule in one place — id, kind, name, region code, a valid credit code used by no other
/// organisation, an id not taken — and the audit event. The province's single creation
/// (`POST /api/province/organisations`) and the Excel import both call it; they differ
/// only in how they read their input and who may call them.
pub fn create_organisation_in(ctx: &OpCtx<'_>, db: &dyn Db, o: Organisation) -> Result<Organisation, DomainError> {
    if o.id.trim().is_empty() || o.id.len() > 64 {
        return Err(DomainError::invalid("id", "机构编号不能为空且不超过64字符"));
    }
    if !ORG_KINDS.contains(&o.kind.as_str()) {
        return Err(DomainError::invalid("kind", format!("机构类型须为：{}", ORG_KINDS.join("、"))));
    }
    if o.name.trim().is_empty() {
        return Err(DomainError::invalid("name", "请填写机构名称"));
    }
    if o.region_code.len() != 6 || !o.region_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid("region_code", "行政区划代码须为6位数字"));
    }
    if let Some(c) = &o.credit_code {
        if !valid_credit_code(c) {
            return Err(DomainError::invalid("credit_code", "统一社会信用代码无效（18位，末位为校验码）"));
        }
        if crate::store::admin::credit_code_taken(db, c)? {
            return Err(DomainError::conflict(ErrorCode::CreditCodeTaken, &[c]));
        }
    }
    if !cstore::insert_organisation(db, &o, &stamp(ctx.now))? {
        return Err(DomainError::conflict(ErrorCode::OrganisationExists, &[&o.id]));
    }
    audit::record(db, &event(ctx, "organisation", &o.id, "create_organisation", serde_json::json!({"kind": o.kind})))?;
    Ok(o)
}

/// The province registers an organisation (active at once), through
/// [`create_organisation_in`].
pub fn create_organisation(ctx: &OpCtx<'_>, req: NewOrganisation) -> Result<Organisation, DomainError> {
    ctx.require_role(Role::Province)?;
    let o = Organisation {
        id: req.id.trim().to_owned(),
        kind: req.kind.clone(),
        name: req.name.trim().to_owned(),
        credit_code: req.credit_code.as_deref().map(|c| c.trim().to_ascii_uppercase()),
        region_code: req.region_code.clone(),
        public_institution: req.public_institution,
        self_review: req.self_review,
        status: "active".into(),
    };
    with_tx(ctx.db, |db| create_organisation_in(ctx, db, o))
}

/// Body of "create committee" (minimal: full administration is the province's admin).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCommittee {
    pub id: String,
    pub name: String,
    pub organising_org: String,
    pub series: String,
    pub max_level: TitleLevel,
    #[serde(default = "yes")]
    pub is_final: bool,
    pub valid_until: NaiveDate,
    pub specialties: Vec<String>,
    /// 五好园区 (八(三)): a park committee for a dedicated session, under the delegation.
    #[serde(default)]
    pub park: Option<ParkDelegation>,
}

/// The delegation of a dedicated session to a park (五好园区, 八(三)).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParkDelegation {
    /// 下放专场评审权限的文号.
    pub delegation_doc_no: String,
    /// 评审范围 (the talent and fields the session covers).
    pub scope: String,
}

fn yes() -> bool {
    true
}

/// The one creator of a committee, inside the caller's transaction: every rule in one
/// place — an id and a name, a senior level, at least one specialty, active organising
/// units, a known series, a validity not already past (R20, 七(四)), an id not taken —
/// then the committee's full record when given (`details`: operator, organisers, fees),
/// and the audit event (`detail` is its detail). The province's quick registration
/// (`POST /api/province/committees`) and the full administration with its Excel import
/// (`admin::committees`) both call it.
pub fn create_committee_in(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    c: &NewCommittee,
    details: Option<&CommitteeFields<'_>>,
    detail: serde_json::Value,
) -> Result<(), DomainError> {
    if c.id.trim().is_empty() {
        return Err(DomainError::invalid("id", "请填写评委会编号"));
    }
    if c.name.trim().is_empty() {
        return Err(DomainError::invalid("name", "请填写评委会名称"));
    }
    if c.specialties.is_empty() || c.specialties.iter().any(|s| s.trim().is_empty()) {
        return Err(DomainError::invalid("specialties", "请填写评委会可评审的专业"));
    }
    if crate::domain::path::CommitteeTier::of_level(c.max_level) != c.tier {
        return Err(DomainError::invalid(
            "max_level",
            format!(
                "{}的评审层级与其类别不符（初评会：员级、助理级；中评会：中级；高评会：副高级、正高级）",
                c.tier.label()
            ),
        ));
    }
    if c.valid_until < shanghai_today(ctx.now) {
        return Err(DomainError::invalid("valid_until", "有效期不能早于今天（过期的评委会不予认可）"));
    }
    if !crate::store::admin::series_exists(db, &c.series)? {
        return Err(DomainError::invalid("series", format!("系列“{}”不存在", c.series)));
    }
    let organisers: Vec<(String, &str)> = match details {
        Some(d) => d.organisers.iter().enumerate().map(|(i, o)| (format!("organisers[{i}]"), o.as_str())).collect(),
        None => vec![("organising_org".to_owned(), c.organising_org.as_str())],
    };
    for (field, o) in organisers {
        if cstore::organisation_by_id(db, o)?.is_none_or(|org| org.status != "active") {
            return Err(DomainError::invalid(field, format!("组建单位 {o} 不存在或未生效")));
        }
    }
    let now = stamp(ctx.now);
    if !cstore::insert_committee(db, c, &now)? {
        return Err(DomainError::conflict(ErrorCode::CommitteeExists, &[&c.id]));
    }
    if let Some(d) = details {
        crate::store::admin::write_committee_details(db, &c.id, d, &ctx.who.sub, &now)?;
    }
    audit::record(db, &event(ctx, "committee", &c.id, "create_committee", detail))?;
    Ok(())
}

/// The province registers a committee with the specialties it may review, through
/// [`create_committee_in`].
pub fn create_committee(ctx: &OpCtx<'_>, req: CreateCommittee) -> Result<serde_json::Value, DomainError> {
    ctx.require_role(Role::Province)?;
    let c = NewCommittee {
        id: req.id.trim().to_owned(),
        name: req.name.trim().to_owned(),
        organising_org: req.organising_org.clone(),
        series: req.series.trim().to_owned(),
        max_level: req.max_level,
        // 初评会 (§1.6), 中评会 (§1.7) or 高评会 (§1.8), by the highest level it judges.
        tier: crate::domain::path::CommitteeTier::of_level(req.max_level),
        is_final: req.is_final,
        valid_until: req.valid_until,
        specialties: req.specialties.iter().map(|s| s.trim().to_owned()).collect(),
    };
    let park = match &req.park {
        None => None,
        Some(p) => {
            let doc_no = p.delegation_doc_no.trim();
            if doc_no.is_empty() || doc_no.chars().count() > 100 {
                return Err(DomainError::invalid(
                    "park.delegation_doc_no",
                    "请填写下放专场评审权限的文号（不超过100字）",
                ));
            }
            let scope = p.scope.trim();
            if scope.is_empty() || scope.chars().count() > 500 {
                return Err(DomainError::invalid("park.scope", "请填写园区专场的评审范围（不超过500字）"));
            }
            Some((doc_no.to_owned(), scope.to_owned()))
        }
    };
    with_tx(ctx.db, |db| {
        let detail = serde_json::json!({"organising_org": c.organising_org,
            "park": park.as_ref().map(|(d, s)| serde_json::json!({"delegation_doc_no": d, "scope": s}))});
        create_committee_in(ctx, db, &c, None, detail)?;
        if let Some((doc_no, scope)) = &park {
            cstore::insert_park_delegation(db, &c.id, doc_no, scope, &ctx.who.sub, &stamp(ctx.now))?;
        }
        Ok(serde_json::json!({ "id": c.id, "name": c.name, "organising_org": c.organising_org,
            "series": c.series, "valid_until": c.valid_until, "specialties": c.specialties, "is_final": c.is_final,
            "tier": c.tier.as_str(), "kind": if park.is_some() { "park" } else { "regular" },
            "delegation_doc_no": park.as_ref().map(|p| &p.0), "scope": park.as_ref().map(|p| &p.1) }))
    })
}

/// The park committees (五好园区, 八(三)) with their delegations, for the province.
pub fn park_committees(
    ctx: &OpCtx<'_>,
    page: super::PageRequest,
) -> Result<super::Page<cstore::ParkCommittee>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = cstore::park_committees(ctx.db, page.limit(), page.offset())?;
    Ok(super::Page { items, page: page.page, page_size: page.page_size, total })
}

/// Body of "designate a lower" (指定下级).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignateLower {
    pub lower_org: String,
    pub level: TitleLevel,
    #[serde(default = "review")]
    pub method: Method,
    /// What the caller does for this lower: `audit` or `formal_review`.
    pub step: StepKind,
}

fn review() -> Method {
    Method::Review
}

/// An upper organisation designates a lower for a level and method (the province may
/// designate on behalf of any upper with `upper_org`). One upper per lower, level and
/// method. An upper's own designation waits for the lower's confirmation (审核层级配置单位
/// 确认, annex 2 §1.6.2) before the path uses it; the province's is confirmed at once.
pub fn designate_lower(ctx: &OpCtx<'_>, upper: Option<&str>, req: DesignateLower) -> Result<EdgeRecord, DomainError> {
    let upper = match (ctx.who.role, upper) {
        (Role::Province, Some(u)) => u.to_owned(),
        (Role::Dept | Role::CommitteeOrg | Role::Province, None) => ctx.who.org.clone(),
        _ => return Err(DomainError::Forbidden),
    };
    let edge =
        NewEdge { lower_org: &req.lower_org, upper_org: &upper, level: req.level, method: req.method, step: req.step };
    with_tx(ctx.db, |db| {
        let id = create_edge_in(ctx, db, &edge)?;
        cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))
    })
}

/// An audit-path edge to create: `lower_org`'s upper for a level and method, and what
/// the upper does for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewEdge<'a> {
    pub lower_org: &'a str,
    pub upper_org: &'a str,
    pub level: TitleLevel,
    pub method: Method,
    pub step: StepKind,
}

/// The one creator of an audit-path edge, inside the caller's transaction: every rule in
/// one place — an audit or formal-review step (the recheck is the committee's), a senior
/// level, two different active organisations, one upper per lower, level and method, and
/// no loop (the upper's own path must not come back to the lower) — and the audit event.
/// Designation by an upper (指定下级, `POST /api/chain/lowers`) and the Excel import both
/// call it. Returns the new edge's id.
pub fn create_edge_in(ctx: &OpCtx<'_>, db: &dyn Db, e: &NewEdge<'_>) -> Result<i64, DomainError> {
    if e.step == StepKind::Recheck {
        return Err(DomainError::invalid("step", "材料复核由评委会组建单位承担，无需配置"));
    }
    if e.lower_org == e.upper_org {
        return Err(DomainError::invalid("upper_org", "上级机构不能与下级机构相同"));
    }
    for (field, id) in [("lower_org", e.lower_org), ("upper_org", e.upper_org)] {
        if cstore::organisation_by_id(db, id)?.is_none_or(|o| o.status != "active") {
            return Err(DomainError::invalid(field, format!("机构 {id} 不存在或未生效")));
        }
    }
    if cstore::active_edge_id(db, e.lower_org, e.level, e.method)?.is_some() {
        return Err(DomainError::conflict(ErrorCode::LowerAlreadyDesignated, &[]));
    }
    let level = cstore::level_name(e.level);
    if crate::store::admin::edge_would_loop(db, e.lower_org, e.upper_org, level, e.method.as_str())? {
        return Err(DomainError::invalid("upper_org", "该上级机构的审核路径会回到本机构，形成循环"));
    }
    // Annex 2 §1.6.2: a lower designated by an upper confirms before the edge is used;
    // what the province configures (on behalf of an upper, or by import) stands at once.
    let confirmation = if ctx.who.role == Role::Province { "confirmed" } else { "pending" };
    let id = cstore::insert_edge(
        db,
        e.lower_org,
        e.upper_org,
        e.level,
        e.method,
        e.step,
        confirmation,
        &ctx.who.sub,
        &stamp(ctx.now),
    )?;
    audit::record(
        db,
        &event(
            ctx,
            "audit_path_edge",
            &id.to_string(),
            "designate_lower",
            serde_json::json!({
                "lower_org": e.lower_org, "upper_org": e.upper_org, "level": level,
                "method": e.method.as_str(), "step": e.step.as_str(), "confirmation": confirmation
            }),
        ),
    )?;
    Ok(id)
}

/// Cancels an edge (its upper or the province), with a reason.
pub fn cancel_edge(ctx: &OpCtx<'_>, id: i64, reason: &str) -> Result<EdgeRecord, DomainError> {
    if reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写取消原因"));
    }
    with_tx(ctx.db, |db| {
        let e = cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))?;
        if !(ctx.who.role == Role::Province || e.upper_org == ctx.who.org) {
            return Err(DomainError::NotFound("审核路径"));
        }
        if !cstore::cancel_edge(db, id, reason.trim(), &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::EdgeNotActive, &[]));
        }
        audit::record(
            db,
            &event(
                ctx,
                "audit_path_edge",
                &id.to_string(),
                "cancel_edge",
                serde_json::json!({"reason": reason.trim()}),
            ),
        )?;
        cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))
    })
}

/// Body of "confirm or decline a designation".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignationAnswer {
    /// Why the designation is declined (required to decline).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The designated lower confirms (确认) or declines a pending designation (annex 2
/// §1.6.2). A declined edge stays on record and breaks the path where it stands (the
/// simulation names it) until the upper cancels it and designates again.
pub fn answer_designation(
    ctx: &OpCtx<'_>,
    id: i64,
    confirm: bool,
    req: DesignationAnswer,
) -> Result<EdgeRecord, DomainError> {
    let reason = req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !confirm && reason.is_none() {
        return Err(DomainError::invalid("reason", "拒绝确认须填写原因"));
    }
    with_tx(ctx.db, |db| {
        let e = cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))?;
        if e.lower_org != ctx.who.org {
            return Err(DomainError::NotFound("审核路径"));
        }
        let answer = if confirm { "confirmed" } else { "declined" };
        if e.status != "active"
            || !cstore::answer_edge(db, id, answer, reason.filter(|_| !confirm), &ctx.who.sub, &stamp(ctx.now))?
        {
            let now = if e.status != "active" {
                "取消"
            } else if e.confirmation == "declined" {
                "拒绝"
            } else {
                "确认"
            };
            return Err(DomainError::conflict(ErrorCode::DesignationNotPending, &[&now]));
        }
        let action = if confirm { "confirm_designation" } else { "decline_designation" };
        audit::record(
            db,
            &event(
                ctx,
                "audit_path_edge",
                &id.to_string(),
                action,
                serde_json::json!({"upper_org": e.upper_org, "reason": reason}),
            ),
        )?;
        cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))
    })
}

/// The designations of the caller's organisation as a lower (`pending`: only those
/// awaiting its confirmation).
pub fn designations(ctx: &OpCtx<'_>, pending_only: bool) -> Result<Vec<EdgeRecord>, DomainError> {
    if matches!(ctx.who.role, Role::Applicant | Role::Judge) {
        return Err(DomainError::Forbidden);
    }
    Ok(cstore::edges_to_confirm(ctx.db, &ctx.who.org, pending_only)?)
}

/// "Who are my uppers / my lowers" for the caller's organisation (or any, for the province).
pub fn neighbours(ctx: &OpCtx<'_>, org: Option<&str>, lowers: bool) -> Result<Vec<EdgeRecord>, DomainError> {
    let org = match (ctx.who.role, org) {
        (Role::Province, Some(o)) => o.to_owned(),
        (Role::Applicant | Role::Judge, _) => return Err(DomainError::Forbidden),
        _ => ctx.who.org.clone(),
    };
    Ok(cstore::edges_of(ctx.db, &org, lowers)?)
}

#[cfg(all(test, feature = "native"))]
mod creator_tests {
    use super::*;
    use crate::admin::organisations::{self as admin_orgs, OrganisationInput};
    use crate::auth::Claims;
    use crate::store::native::{apply_migrations_dir, NativeDb};
    use chrono::{DateTime, Utc};

    const CODE: &str = "91350100M000100Y43";

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().expect("db");
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"))
            .expect("migrations");
        db
    }

    fn claims(role: Role, org: &str) -> Claims {
        Claims {
            sub: format!("op-{org}"),
            name: "经办人".into(),
            role,
            org: org.into(),
            exp: i64::MAX,
            sid: None,
            op: None,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-08-01T02:00:00Z").expect("time").with_timezone(&Utc)
    }

    fn org(id: &str, kind: &str, credit_code: Option<&str>) -> NewOrganisation {
        NewOrganisation {
            id: id.into(),
            kind: kind.into(),
            name: id.into(),
            credit_code: credit_code.map(str::to_owned),
            region_code: "430100".into(),
            public_institution: false,
            self_review: false,
        }
    }

    #[test]
    fn designating_a_lower_that_is_already_above_the_upper_is_refused_as_a_loop() {
        let db = db();
        let province = claims(Role::Province, "ORG-PROVINCE");
        let ctx = OpCtx { db: &db, who: &province, now: now() };
        for id in ["ORG-UNIT", "ORG-DEPT", "ORG-CITY"] {
            create_organisation(&ctx, org(id, "dept", None)).expect("organisation");
        }
        let designate = |upper: &str, lower: &str| {
            let who = claims(Role::Dept, upper);
            let ctx = OpCtx { db: &db, who: &who, now: now() };
            designate_lower(
                &ctx,
                None,
                DesignateLower {
                    lower_org: lower.into(),
                    level: TitleLevel::DeputySenior,
                    method: Method::Review,
                    step: StepKind::Audit,
                },
            )
        };
        designate("ORG-DEPT", "ORG-UNIT").expect("dept above unit");
        designate("ORG-CITY", "ORG-DEPT").expect("city above dept");
        let e = designate("ORG-UNIT", "ORG-CITY").expect_err("unit above city closes a loop");
        assert_eq!(e.field(), Some("upper_org"));
        assert!(e.message().contains("循环"), "{e:?}");
    }

    #[test]
    fn every_organisation_creator_refuses_a_credit_code_already_used() {
        let db = db();
        let province = claims(Role::Province, "ORG-PROVINCE");
        let ctx = OpCtx { db: &db, who: &province, now: now() };
        create_organisation(&ctx, org("ORG-A", "unit", Some(CODE))).expect("first");
        let single = create_organisation(&ctx, org("ORG-B", "unit", Some(CODE))).expect_err("single creation");
        assert_eq!(single.code(), "CREDIT_CODE_TAKEN");
        let lower = create_organisation(&ctx, org("ORG-C", "unit", Some(&CODE.to_ascii_lowercase())))
            .expect_err("the same code in lower case");
        assert_eq!(lower.code(), "CREDIT_CODE_TAKEN");
        let input = OrganisationInput {
            id: "ORG-D".into(),
            kind: "unit".into(),
            name: "某单位".into(),
            credit_code: CODE.into(),
            region_code: "430100".into(),
            ..OrganisationInput::default()
        };
        let imported = crate::store::with_tx(&db, |db| admin_orgs::create_in(&ctx, db, &input)).expect_err("import");
        assert_eq!(imported.code(), "CREDIT_CODE_TAKEN");
    }
}

#[cfg(test)]
mod tests {
    use super::valid_credit_code;

    #[test]
    fn a_unified_social_credit_code_with_its_check_character_is_valid() {
        // Published example codes (GB 32100-2015 structure).
        assert!(valid_credit_code("91350100M000100Y43"));
        assert!(!valid_credit_code("91350100M000100Y44"));
        assert!(!valid_credit_code("91350100M000100Y4"));
        assert!(!valid_credit_code("91350100I000100Y43"), "I is not in the code set");
    }
}

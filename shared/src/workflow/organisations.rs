//! Organisations, committees and audit-path edges as the chain needs them: the province
//! registers organisations and committees; an upper organisation designates its lowers
//! (指定下级, annex 3 §1.4–1.8) and anyone on a path can ask for its uppers and lowers.

use super::{stamp, OpCtx};
use crate::admin::event;
use crate::audit;
use crate::auth::Role;
use crate::domain::application::TitleLevel;
use crate::domain::path::{Method, StepKind};
use crate::error::DomainError;
use crate::store::chain::{self as cstore, EdgeRecord, NewCommittee, Organisation};
use crate::store::with_tx;
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

/// The province registers an organisation (active at once).
pub fn create_organisation(ctx: &OpCtx<'_>, req: NewOrganisation) -> Result<Organisation, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.id.trim().is_empty() || req.id.len() > 64 {
        return Err(DomainError::invalid("id", "机构编号不能为空且不超过64字符"));
    }
    if !ORG_KINDS.contains(&req.kind.as_str()) {
        return Err(DomainError::invalid("kind", format!("机构类型须为：{}", ORG_KINDS.join("、"))));
    }
    if req.name.trim().is_empty() {
        return Err(DomainError::invalid("name", "请填写机构名称"));
    }
    if req.region_code.len() != 6 || !req.region_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid("region_code", "行政区划代码须为6位数字"));
    }
    if let Some(c) = &req.credit_code {
        if !valid_credit_code(c) {
            return Err(DomainError::invalid("credit_code", "统一社会信用代码无效"));
        }
    }
    with_tx(ctx.db, |db| {
        let o = Organisation {
            id: req.id.trim().to_owned(),
            kind: req.kind.clone(),
            name: req.name.trim().to_owned(),
            credit_code: req.credit_code.clone(),
            region_code: req.region_code.clone(),
            public_institution: req.public_institution,
            self_review: req.self_review,
            status: "active".into(),
        };
        if !cstore::insert_organisation(db, &o, &stamp(ctx.now))? {
            return Err(DomainError::conflict("ORGANISATION_EXISTS", format!("机构编号 {} 已存在", o.id)));
        }
        audit::record(
            db,
            &event(ctx, "organisation", &o.id, "create_organisation", serde_json::json!({"kind": o.kind})),
        )?;
        Ok(o)
    })
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
}

fn yes() -> bool {
    true
}

/// The province registers a committee with the specialties it may review.
pub fn create_committee(ctx: &OpCtx<'_>, req: CreateCommittee) -> Result<serde_json::Value, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.id.trim().is_empty() {
        return Err(DomainError::invalid("id", "请填写评委会编号"));
    }
    if req.specialties.is_empty() || req.specialties.iter().any(|s| s.trim().is_empty()) {
        return Err(DomainError::invalid("specialties", "请填写评委会可评审的专业"));
    }
    if !req.max_level.is_senior() {
        return Err(DomainError::invalid("max_level", "高评会评审层级须为副高级或正高级"));
    }
    with_tx(ctx.db, |db| {
        let org = cstore::organisation_by_id(db, &req.organising_org)?
            .ok_or_else(|| DomainError::invalid("organising_org", "组建单位不存在"))?;
        if org.status != "active" {
            return Err(DomainError::invalid("organising_org", "组建单位未生效"));
        }
        let c = NewCommittee {
            id: req.id.trim().to_owned(),
            name: req.name.trim().to_owned(),
            organising_org: req.organising_org.clone(),
            series: req.series.trim().to_owned(),
            max_level: req.max_level,
            is_final: req.is_final,
            valid_until: req.valid_until,
            specialties: req.specialties.iter().map(|s| s.trim().to_owned()).collect(),
        };
        if !cstore::insert_committee(db, &c, &stamp(ctx.now))? {
            return Err(DomainError::conflict("COMMITTEE_EXISTS", format!("评委会编号 {} 已存在", c.id)));
        }
        audit::record(
            db,
            &event(
                ctx,
                "committee",
                &c.id,
                "create_committee",
                serde_json::json!({"organising_org": c.organising_org}),
            ),
        )?;
        Ok(serde_json::json!({ "id": c.id, "name": c.name, "organising_org": c.organising_org,
            "series": c.series, "valid_until": c.valid_until, "specialties": c.specialties, "is_final": c.is_final }))
    })
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
/// method.
pub fn designate_lower(ctx: &OpCtx<'_>, upper: Option<&str>, req: DesignateLower) -> Result<EdgeRecord, DomainError> {
    let upper = match (ctx.who.role, upper) {
        (Role::Province, Some(u)) => u.to_owned(),
        (Role::Dept | Role::CommitteeOrg | Role::Province, None) => ctx.who.org.clone(),
        _ => return Err(DomainError::Forbidden),
    };
    if req.step == StepKind::Recheck {
        return Err(DomainError::invalid("step", "材料复核由评委会组建单位承担，无需配置"));
    }
    if !req.level.is_senior() {
        return Err(DomainError::invalid("level", "审核路径层级须为副高级或正高级"));
    }
    if req.lower_org == upper {
        return Err(DomainError::invalid("lower_org", "不能指定本单位为下级"));
    }
    with_tx(ctx.db, |db| {
        for (field, id) in [("lower_org", req.lower_org.as_str()), ("upper_org", upper.as_str())] {
            if cstore::organisation_by_id(db, id)?.is_none_or(|o| o.status != "active") {
                return Err(DomainError::invalid(field, format!("机构 {id} 不存在或未生效")));
            }
        }
        if cstore::active_edge_id(db, &req.lower_org, req.level, req.method)?.is_some() {
            return Err(DomainError::conflict(
                "LOWER_ALREADY_DESIGNATED",
                "该单位在此层级和取得方式下已有上级审核单位",
            ));
        }
        let now = stamp(ctx.now);
        let id = cstore::insert_edge(db, &req.lower_org, &upper, req.level, req.method, req.step, &ctx.who.sub, &now)?;
        audit::record(
            db,
            &event(
                ctx,
                "audit_path_edge",
                &id.to_string(),
                "designate_lower",
                serde_json::json!({
                    "lower_org": req.lower_org, "upper_org": upper, "level": req.level, "method": req.method, "step": req.step
                }),
            ),
        )?;
        cstore::edge_by_id(db, id)?.ok_or(DomainError::NotFound("审核路径"))
    })
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
            return Err(DomainError::conflict("EDGE_NOT_ACTIVE", "该审核路径已取消"));
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

/// "Who are my uppers / my lowers" for the caller's organisation (or any, for the province).
pub fn neighbours(ctx: &OpCtx<'_>, org: Option<&str>, lowers: bool) -> Result<Vec<EdgeRecord>, DomainError> {
    let org = match (ctx.who.role, org) {
        (Role::Province, Some(o)) => o.to_owned(),
        (Role::Applicant | Role::Judge, _) => return Err(DomainError::Forbidden),
        _ => ctx.who.org.clone(),
    };
    Ok(cstore::edges_of(ctx.db, &org, lowers)?)
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

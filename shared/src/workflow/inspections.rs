//! 职称巡查 (notice 七, last paragraph; issue 13). The province inspects, during the year's
//! evaluation, a share of the committees (policy execution, material review, judging) and,
//! with the industry departments, of the self-evaluating units; special inspections
//! (专项巡查) are opened from a complaint.
//!
//! A sampling run is created with the SHA-256 commitment of a secret seed; at the draw the
//! seed is revealed, the population of the year is recorded as a snapshot, and the sample is
//! [`crate::domain::inspection::sample`] of both — the judge draw's own algorithm — so
//! [`replay`] (or anyone with the seed and the snapshot) recomputes it. Each drawn target
//! becomes an item; the province records a finding per item (compliant, or a rectification
//! request whose deadline counts working days of the official calendar); the inspected
//! office responds to its own items; the province accepts or asks again, and closes the
//! inspection once every item is settled. Every move is in the declared tables
//! ([`crate::domain::inspection::ITEM_TRANSITIONS`]) and audited in its transaction.

use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit;
use crate::auth::Role;
use crate::domain::evaluation as ev;
use crate::domain::inspection::{self as dom, Party, Sample, Target};
use crate::error::{DomainError, ErrorCode};
use crate::store::inspections::{self as store, Inspection, Item, ItemChange};
use crate::store::{reference, with_tx, Db};
use serde::{Deserialize, Serialize};

const INSPECTION: &str = "巡查";
const ITEM: &str = "巡查事项";

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

fn text<'a>(field: &str, v: &'a str, max: usize, what: &str) -> Result<&'a str, DomainError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, format!("请填写{what}")));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(field, format!("{what}不超过{max}字")));
    }
    Ok(t)
}

fn changed() -> DomainError {
    DomainError::conflict(ErrorCode::InvalidState, &[&"巡查记录已被他人处理，请刷新后重试"])
}

/// An inspection with its items (and, once drawn, its sample).
#[derive(Debug, Clone, Serialize)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: Inspection,
    /// The drawn sample (sampling runs, after the draw).
    pub sample: Option<Sample>,
    /// Population counts per stratum at the draw.
    pub population: Option<std::collections::BTreeMap<&'static str, usize>>,
    pub items: Vec<Item>,
}

fn detail(db: &dyn Db, id: i64) -> Result<InspectionDetail, DomainError> {
    let inspection = store::inspection_by_id(db, id)?.ok_or(DomainError::NotFound(INSPECTION))?;
    let (sample, population) = match store::draw_record(db, id)? {
        Some((snapshot, sample)) => {
            let targets: Vec<Target> = serde_json::from_str(&snapshot).map_err(internal)?;
            let strata = dom::strata(&targets);
            (Some(serde_json::from_str(&sample).map_err(internal)?), Some(strata))
        }
        None => (None, None),
    };
    Ok(InspectionDetail { inspection, sample, population, items: store::items_of(db, id)? })
}

/// Body of "create a sampling run".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSampling {
    pub year: i64,
    pub title: String,
    /// The share drawn, per cent (1–100).
    pub ratio_percent: i64,
    /// The industry departments taking part in the checks of self-evaluating units.
    #[serde(default)]
    pub departments: Option<String>,
    /// SHA-256 hex (64 lower-case digits) of the secret seed, revealed at the draw.
    pub seed_commitment: String,
}

/// The province creates a sampling run committed to its seed.
pub fn create_sampling(ctx: &OpCtx<'_>, req: NewSampling) -> Result<InspectionDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    if !(2000..=2100).contains(&req.year) {
        return Err(DomainError::invalid("year", "年度无效"));
    }
    let title = text("title", &req.title, 100, "巡查名称")?;
    if !(1..=100).contains(&req.ratio_percent) {
        return Err(DomainError::invalid("ratio_percent", "抽查比例须为1到100之间的整数（百分比）"));
    }
    let commitment = req.seed_commitment.trim();
    if commitment.len() != 64 || !commitment.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(DomainError::invalid("seed_commitment", "承诺值须为种子的 SHA-256（64位小写十六进制）"));
    }
    let departments = match req.departments.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(d) => Some(text("departments", d, 200, "参与的行业主管部门")?),
    };
    with_tx(ctx.db, |db| {
        let now = stamp(ctx.now);
        let id = store::insert_sampling(
            db,
            req.year,
            title,
            req.ratio_percent,
            departments,
            commitment,
            &ctx.who.sub,
            &now,
        )?;
        let mut e = ctx.event("inspection", id, "create_inspection");
        e.to_state = Some("committed".into());
        e.detail = Some(serde_json::json!({
            "kind": "sampling", "year": req.year, "ratio_percent": req.ratio_percent, "seed_commitment": commitment,
        }));
        audit::record(db, &e)?;
        detail(db, id)
    })
}

/// Body of "draw": the seed, revealed now.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reveal {
    pub seed: String,
}

/// The province reveals the seed and draws: the population of the year is recorded, the
/// sample drawn from it, and an item made per drawn target (a committee in each of its three
/// aspects, a self-evaluating unit, an application's material review).
pub fn draw(ctx: &OpCtx<'_>, id: i64, req: Reveal) -> Result<InspectionDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.seed.trim().is_empty() {
        return Err(DomainError::invalid("seed", "请填写种子"));
    }
    with_tx(ctx.db, |db| {
        let i = store::inspection_by_id(db, id)?.ok_or(DomainError::NotFound(INSPECTION))?;
        let to = dom::inspection_next(&i.status, "draw")
            .filter(|_| i.kind == "sampling")
            .ok_or_else(|| DomainError::conflict(ErrorCode::InvalidState, &[&"该巡查已抽取或不是抽查"]))?;
        if i.seed_commitment.as_deref() != Some(ev::commitment(&req.seed).as_str()) {
            return Err(DomainError::invalid("seed", "种子与创建时的承诺值不符"));
        }
        let population = store::population(db, i.year)?;
        let percent = i.ratio_percent.unwrap_or(0) as u32;
        let sample = dom::sample(&req.seed, &population, percent);
        let office = |stratum: &dyn Fn(&str) -> bool, target: &str| {
            population.iter().find(|t| stratum(&t.stratum) && t.id == target).map(|t| t.office.clone())
        };
        for c in &sample.committees {
            let o = office(&|s| s == dom::COMMITTEES, c).ok_or_else(|| internal("committee not in snapshot"))?;
            for aspect in dom::COMMITTEE_ASPECTS {
                store::insert_item(db, id, "committee", c, aspect, &o)?;
            }
        }
        for u in &sample.units {
            store::insert_item(db, id, "unit", u, "self_evaluation", u)?;
        }
        for a in &sample.applications {
            let o = office(&|s| s.starts_with(dom::APPLICATIONS_OF), a)
                .ok_or_else(|| internal("application not in snapshot"))?;
            store::insert_item(db, id, "application", a, "material_review", &o)?;
        }
        let now = stamp(ctx.now);
        let snapshot = serde_json::to_string(&population).map_err(internal)?;
        let hash = dom::snapshot_hash(&population);
        let sample_json = serde_json::to_string(&sample).map_err(internal)?;
        if !store::set_drawn(db, id, i.version, &req.seed, &snapshot, &hash, &sample_json, &now)? {
            return Err(changed());
        }
        let mut e = ctx.event("inspection", id, "draw_inspection");
        e.from_state = Some(i.status.clone());
        e.to_state = Some(to.into());
        e.detail = Some(serde_json::json!({ "snapshot_hash": hash, "sample": sample }));
        audit::record(db, &e)?;
        detail(db, id)
    })
}

/// What a replay recomputed.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub seed: String,
    pub seed_commitment: String,
    /// Whether SHA-256(seed) is the commitment recorded before the draw.
    pub commitment_matches: bool,
    pub snapshot_hash: String,
    /// Whether the snapshot hashes to the recorded hash.
    pub snapshot_matches: bool,
    pub ratio_percent: i64,
    /// The population drawn from.
    pub snapshot: Vec<Target>,
    pub recorded: Sample,
    pub recomputed: Sample,
    /// Whether the recomputed sample is the recorded one.
    pub matches: bool,
}

/// Recomputes a drawn run's sample from its revealed seed and recorded snapshot.
pub fn replay(ctx: &OpCtx<'_>, id: i64) -> Result<Replay, DomainError> {
    ctx.require_role(Role::Province)?;
    let i = store::inspection_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(INSPECTION))?;
    let (snapshot, sample) = store::draw_record(ctx.db, id)?
        .ok_or_else(|| DomainError::conflict(ErrorCode::InvalidState, &[&"该巡查尚未抽取"]))?;
    let seed = i.seed.clone().unwrap_or_default();
    let population: Vec<Target> = serde_json::from_str(&snapshot).map_err(internal)?;
    let recorded: Sample = serde_json::from_str(&sample).map_err(internal)?;
    let percent = i.ratio_percent.unwrap_or(0);
    let recomputed = dom::sample(&seed, &population, percent as u32);
    let commitment = i.seed_commitment.clone().unwrap_or_default();
    let hash = i.snapshot_hash.clone().unwrap_or_default();
    Ok(Replay {
        commitment_matches: ev::commitment(&seed) == commitment,
        snapshot_matches: dom::snapshot_hash(&population) == hash,
        matches: recomputed == recorded,
        seed,
        seed_commitment: commitment,
        snapshot_hash: hash,
        ratio_percent: percent,
        snapshot: population,
        recorded,
        recomputed,
    })
}

/// Body of "open a special inspection".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSpecial {
    /// The complaint (公众异议 record) that triggers it.
    pub complaint_id: i64,
    pub title: String,
    pub reason: String,
}

/// The province opens a special inspection (专项巡查) from a complaint: one item, the
/// complained-of application, addressed to the office that received the complaint.
pub fn open_special(ctx: &OpCtx<'_>, req: NewSpecial) -> Result<InspectionDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    let title = text("title", &req.title, 100, "巡查名称")?;
    let reason = text("reason", &req.reason, 1000, "专项巡查的缘由")?;
    with_tx(ctx.db, |db| {
        let (application, office, _content, year) = store::complaint(db, req.complaint_id)?
            .ok_or_else(|| DomainError::invalid("complaint_id", "未找到该投诉（异议）记录"))?;
        let now = stamp(ctx.now);
        let id = store::insert_special(db, year, title, req.complaint_id, reason, &ctx.who.sub, &now)?;
        store::insert_item(db, id, "application", &application.to_string(), "complaint", &office)?;
        let mut e = ctx.event("inspection", id, "open_special_inspection");
        e.to_state = Some("open".into());
        e.opinion = Some(reason.to_owned());
        e.detail = Some(serde_json::json!({ "complaint_id": req.complaint_id, "application_id": application }));
        audit::record(db, &e)?;
        detail(db, id)
    })
}

/// An inspection with its items (the province).
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<InspectionDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    detail(ctx.db, id)
}

/// Inspections, newest first, a page (the province's dashboard list).
pub fn list(
    ctx: &OpCtx<'_>,
    year: Option<i64>,
    status: Option<&str>,
    page: PageRequest,
) -> Result<Page<Inspection>, DomainError> {
    ctx.require_role(Role::Province)?;
    if status.is_some_and(|s| !matches!(s, "committed" | "open" | "closed")) {
        return Err(DomainError::invalid("status", "status 须为 committed、open 或 closed"));
    }
    let (items, total) = store::list(ctx.db, year, status, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// Body of "record a finding".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// `compliant` (no problem found) or `rectify` (a rectification request).
    pub result: String,
    pub finding: String,
    /// 整改要求 (rectify only).
    #[serde(default)]
    pub requirement: Option<String>,
    /// The response is due this many working days after today (rectify only, 1–60).
    #[serde(default)]
    pub working_days: Option<i64>,
}

fn open_item(db: &dyn Db, id: i64, item: i64) -> Result<(Inspection, Item), DomainError> {
    let i = store::inspection_by_id(db, id)?.ok_or(DomainError::NotFound(INSPECTION))?;
    let it = store::item_by_id(db, item)?.filter(|x| x.inspection_id == id).ok_or(DomainError::NotFound(ITEM))?;
    if i.status != "open" {
        return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"巡查未开始或已结束"]));
    }
    Ok((i, it))
}

fn moved(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    it: &Item,
    action: &str,
    party: Party,
    c: &ItemChange<'_>,
    detail_json: serde_json::Value,
) -> Result<Item, DomainError> {
    let to = dom::item_next(&it.status, action, party).ok_or_else(|| {
        DomainError::conflict(ErrorCode::InvalidState, &[&format!("巡查事项当前状态为“{}”", it.status)])
    })?;
    if !store::move_item(db, it.id, it.version, &it.status, to, c, &stamp(ctx.now))? {
        return Err(changed());
    }
    let mut e = ctx.event("inspection_item", it.id, action);
    e.from_state = Some(it.status.clone());
    e.to_state = Some(to.into());
    e.opinion = c.finding.or(c.response).map(str::to_owned);
    e.detail = Some(detail_json);
    audit::record(db, &e)?;
    store::item_by_id(db, it.id)?.ok_or(DomainError::NotFound(ITEM))
}

fn rectification_deadline(db: &dyn Db, ctx: &OpCtx<'_>, days: Option<i64>) -> Result<(i64, String), DomainError> {
    let n = days.ok_or_else(|| DomainError::invalid("working_days", "请填写整改期限（工作日）"))?;
    if !(1..=60).contains(&n) {
        return Err(DomainError::invalid("working_days", "整改期限须为1到60个工作日"));
    }
    // GUIDE 8: working days come from the official calendar (shared/src/calendar.rs).
    let deadline = reference::calendar(db)?.add_working_days(shanghai_today(ctx.now), n as u32)?;
    Ok((n, deadline.to_string()))
}

/// The province records the finding of an item: compliant, or a rectification request due
/// in `working_days` working days.
pub fn record_finding(ctx: &OpCtx<'_>, id: i64, item: i64, req: Finding) -> Result<Item, DomainError> {
    ctx.require_role(Role::Province)?;
    let finding = text("finding", &req.finding, 1000, "巡查发现")?;
    with_tx(ctx.db, |db| {
        let (_, it) = open_item(db, id, item)?;
        match req.result.as_str() {
            "compliant" => {
                let c = ItemChange { finding: Some(finding), decided_by: Some(&ctx.who.sub), ..ItemChange::default() };
                moved(ctx, db, &it, "find_compliant", Party::Province, &c, serde_json::json!({ "inspection_id": id }))
            }
            "rectify" => {
                let requirement = text("requirement", req.requirement.as_deref().unwrap_or(""), 1000, "整改要求")?;
                let (n, deadline) = rectification_deadline(db, ctx, req.working_days)?;
                let c = ItemChange {
                    finding: Some(finding),
                    requirement: Some(requirement),
                    working_days: Some(n),
                    deadline: Some(&deadline),
                    decided_by: Some(&ctx.who.sub),
                    ..ItemChange::default()
                };
                let d = serde_json::json!({ "inspection_id": id, "working_days": n, "deadline": deadline });
                moved(ctx, db, &it, "request_rectification", Party::Province, &c, d)
            }
            _ => Err(DomainError::invalid("result", "结论须为 compliant（未发现问题）或 rectify（责令整改）")),
        }
    })
}

/// Body of "decide on a response".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// true: the rectification is accepted; false: asked again with a new deadline.
    pub accept: bool,
    pub opinion: String,
    #[serde(default)]
    pub working_days: Option<i64>,
}

/// The province accepts a response (rectified) or asks again with a new deadline.
pub fn decide(ctx: &OpCtx<'_>, id: i64, item: i64, req: Decision) -> Result<Item, DomainError> {
    ctx.require_role(Role::Province)?;
    let opinion = text("opinion", &req.opinion, 1000, "审核意见")?;
    with_tx(ctx.db, |db| {
        let (_, it) = open_item(db, id, item)?;
        if req.accept {
            let c = ItemChange { decided_by: Some(&ctx.who.sub), ..ItemChange::default() };
            let d = serde_json::json!({ "inspection_id": id, "opinion": opinion });
            moved(ctx, db, &it, "accept_rectification", Party::Province, &c, d)
        } else {
            let (n, deadline) = rectification_deadline(db, ctx, req.working_days)?;
            let c = ItemChange {
                requirement: Some(opinion),
                working_days: Some(n),
                deadline: Some(&deadline),
                decided_by: Some(&ctx.who.sub),
                ..ItemChange::default()
            };
            let d = serde_json::json!({ "inspection_id": id, "working_days": n, "deadline": deadline });
            moved(ctx, db, &it, "request_rectification", Party::Province, &c, d)
        }
    })
}

/// Body of "close".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    pub conclusion: String,
}

/// The province closes an inspection once every item is compliant or rectified.
pub fn close(ctx: &OpCtx<'_>, id: i64, req: Close) -> Result<InspectionDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    let conclusion = text("conclusion", &req.conclusion, 2000, "巡查结论")?;
    with_tx(ctx.db, |db| {
        let i = store::inspection_by_id(db, id)?.ok_or(DomainError::NotFound(INSPECTION))?;
        let to = dom::inspection_next(&i.status, "close")
            .ok_or_else(|| DomainError::conflict(ErrorCode::InvalidState, &[&"巡查未开始或已结束"]))?;
        let unsettled =
            store::items_of(db, id)?.into_iter().filter(|x| !dom::SETTLED.contains(&x.status.as_str())).count();
        if unsettled > 0 {
            return Err(DomainError::conflict(
                ErrorCode::InvalidState,
                &[&format!("尚有 {unsettled} 个巡查事项未办结（须为未发现问题或已整改）")],
            ));
        }
        if !store::close(db, id, i.version, conclusion, &ctx.who.sub, &stamp(ctx.now))? {
            return Err(changed());
        }
        let mut e = ctx.event("inspection", id, "close_inspection");
        e.from_state = Some(i.status.clone());
        e.to_state = Some(to.into());
        e.opinion = Some(conclusion.to_owned());
        audit::record(db, &e)?;
        detail(db, id)
    })
}

// ---------------------------------------------------------------- the inspected office

/// An item as its office sees it, with its inspection's title and kind.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeItem {
    #[serde(flatten)]
    pub item: Item,
    pub inspection_title: String,
    pub inspection_kind: String,
}

fn office_item(db: &dyn Db, it: Item) -> Result<OfficeItem, DomainError> {
    let i = store::inspection_by_id(db, it.inspection_id)?.ok_or(DomainError::NotFound(INSPECTION))?;
    Ok(OfficeItem { item: it, inspection_title: i.title, inspection_kind: i.kind })
}

/// The items addressed to the caller's organisation, newest first, a page.
pub fn my_items(ctx: &OpCtx<'_>, status: Option<&str>, page: PageRequest) -> Result<Page<OfficeItem>, DomainError> {
    if status.is_some_and(|s| !matches!(s, "pending" | "compliant" | "rectifying" | "responded" | "rectified")) {
        return Err(DomainError::invalid("status", "status 取值无效"));
    }
    let (items, total) = store::items_of_office(ctx.db, &ctx.who.org, status, page.limit(), page.offset())?;
    let items = items.into_iter().map(|it| office_item(ctx.db, it)).collect::<Result<_, _>>()?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// One item of the caller's organisation (the route's scope checked it is theirs).
pub fn my_item(ctx: &OpCtx<'_>, item: i64) -> Result<OfficeItem, DomainError> {
    let it =
        store::item_by_id(ctx.db, item)?.filter(|x| x.office_org == ctx.who.org).ok_or(DomainError::NotFound(ITEM))?;
    office_item(ctx.db, it)
}

/// Body of "respond".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// 整改情况
    pub response: String,
}

/// The inspected office reports its rectification (its own items only). A response after
/// the deadline is taken and marked late in the audit trail.
pub fn respond(ctx: &OpCtx<'_>, item: i64, req: Respond) -> Result<OfficeItem, DomainError> {
    let response = text("response", &req.response, 2000, "整改情况")?;
    with_tx(ctx.db, |db| {
        let it =
            store::item_by_id(db, item)?.filter(|x| x.office_org == ctx.who.org).ok_or(DomainError::NotFound(ITEM))?;
        let (_, it) = open_item(db, it.inspection_id, it.id)?;
        let late = it.deadline.as_deref().is_some_and(|d| shanghai_today(ctx.now).to_string().as_str() > d);
        let c = ItemChange { response: Some(response), responded_by: Some(&ctx.who.sub), ..ItemChange::default() };
        let d = serde_json::json!({ "inspection_id": it.inspection_id, "deadline": it.deadline, "late": late });
        let it = moved(ctx, db, &it, "respond", Party::Office, &c, d)?;
        office_item(db, it)
    })
}

//! The materials a declaration needs (一): the qualification-review catalogue checked at
//! submission (every missing item listed with the rule failures), the checklist the
//! applicant and the auditors see, and the receipt of the paper performance materials
//! handed in at the province's collection point (二(二)).

use super::applications::load_visible;
use super::{shanghai_today, stamp, OpCtx};
use crate::audit;
use crate::auth::Role;
use crate::domain::application::ApplicationForm;
use crate::error::{DomainError, ErrorCode, Violation};
use crate::store::applications::{self as astore, ApplicationRecord};
use crate::store::materials::{self as store, PaperReceipt, RequiredMaterial};
use crate::store::{reference, with_tx, Db};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One line of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub kind: String,
    pub label: String,
    /// Whether a material of this kind is uploaded.
    pub uploaded: bool,
}

/// What the declaration needs and what it has.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// The qualification-review materials required for its series and level.
    pub required: Vec<ChecklistItem>,
    /// Whether every required material is uploaded.
    pub complete: bool,
    /// The paper performance materials' receipt, once recorded.
    pub paper: Option<PaperReceipt>,
    /// The collection window of its batch year (the last two working days of the third
    /// quarter; absent while that year's calendar is not loaded).
    pub paper_window: Option<PaperWindow>,
}

/// The paper materials' collection window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PaperWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The catalogue entries that apply to the declaration: every entry of its series and
/// level; the current title's certificate only when a current title is declared.
fn applicable(
    db: &dyn Db,
    r: &ApplicationRecord,
    form: &ApplicationForm,
) -> Result<Vec<RequiredMaterial>, DomainError> {
    let mut v = store::required_for(db, &r.series, &r.target_level)?;
    v.retain(|m| m.kind != "title_certificate" || form.current_title.is_some());
    v.dedup_by(|a, b| a.kind == b.kind);
    Ok(v)
}

fn items(db: &dyn Db, r: &ApplicationRecord) -> Result<Vec<ChecklistItem>, DomainError> {
    let form: ApplicationForm = crate::pii::form_without_id(&r.form)?;
    let uploaded: Vec<String> = astore::list_materials(db, r.id)?.into_iter().map(|m| m.kind).collect();
    Ok(applicable(db, r, &form)?
        .into_iter()
        .map(|m| ChecklistItem { uploaded: uploaded.contains(&m.kind), kind: m.kind, label: m.label })
        .collect())
}

/// The missing required materials of a declaration, one violation each (field
/// `materials.<kind>`), to be listed with the rule failures at submission.
pub fn missing(db: &dyn Db, r: &ApplicationRecord) -> Result<Vec<Violation>, DomainError> {
    Ok(items(db, r)?
        .into_iter()
        .filter(|i| !i.uploaded)
        .map(|i| Violation::new(None, ErrorCode::MaterialsMissing, &[&i.label], Some(&format!("materials.{}", i.kind))))
        .collect())
}

/// The collection window of the paper materials for `year`: the last two working days of
/// the third quarter (2024: 09-29, an adjusted workday, and 09-30).
pub fn paper_window(db: &dyn Db, year: i32) -> Result<Option<PaperWindow>, DomainError> {
    let calendar = reference::calendar(db)?;
    if !calendar.is_published(year) {
        return Ok(None);
    }
    let quarter_after = NaiveDate::from_ymd_opt(year, 10, 1).ok_or_else(|| DomainError::Internal("date".into()))?;
    Ok(Some(PaperWindow {
        start: calendar.subtract_working_days(quarter_after, 2)?,
        end: calendar.subtract_working_days(quarter_after, 1)?,
    }))
}

/// The checklist of a visible application.
pub fn checklist(ctx: &OpCtx<'_>, id: i64) -> Result<Checklist, DomainError> {
    let r = load_visible(ctx, ctx.db, id)?;
    let required = items(ctx.db, &r)?;
    Ok(Checklist {
        complete: required.iter().all(|i| i.uploaded),
        required,
        paper: store::paper_receipt(ctx.db, id)?,
        paper_window: paper_window(ctx.db, r.batch_year)?,
    })
}

/// Body of "record the paper materials' receipt".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPaperReceipt {
    /// The day they were handed in (YYYY-MM-DD), not after today.
    pub received_on: NaiveDate,
    /// How many pieces (份/册) were received.
    pub pieces: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// The province (its collection point) or the committee's office records that the paper
/// performance materials of a submitted application were received (二(二)); a receipt
/// outside the collection window is recorded and marked as such.
pub fn record_paper_receipt(ctx: &OpCtx<'_>, id: i64, req: RecordPaperReceipt) -> Result<Checklist, DomainError> {
    if !matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) {
        return Err(DomainError::Forbidden);
    }
    if !(1..=999).contains(&req.pieces) {
        return Err(DomainError::invalid("pieces", "份数须在1到999之间"));
    }
    if req.received_on > shanghai_today(ctx.now) {
        return Err(DomainError::invalid("received_on", "接收日期不能晚于今天"));
    }
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(DomainError::invalid("note", "备注不超过500字"));
    }
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if r.state.is_editable() {
            return Err(DomainError::conflict(
                ErrorCode::InvalidState,
                &[&format!("申报当前状态为“{}”，提交后方可接收纸质材料", r.state.label())],
            ));
        }
        let in_window = paper_window(db, r.batch_year)?.map(|w| w.start <= req.received_on && req.received_on <= w.end);
        let receipt = PaperReceipt {
            application_id: id,
            received_on: req.received_on.to_string(),
            pieces: req.pieces,
            note: note.map(str::to_owned),
            in_window,
            received_by: ctx.who.sub.clone(),
            received_org: ctx.who.org.clone(),
            recorded_at: stamp(ctx.now),
        };
        store::upsert_paper_receipt(db, &receipt)?;
        let mut e = ctx.application_event(id, "receive_paper_materials", r.state, r.state);
        e.detail = Some(serde_json::json!({
            "received_on": receipt.received_on, "pieces": receipt.pieces, "in_window": in_window,
        }));
        audit::record(db, &e)?;
        Ok(Checklist {
            required: items(db, &r)?,
            complete: false,
            paper: Some(receipt),
            paper_window: paper_window(db, r.batch_year)?,
        })
        .map(|mut c| {
            c.complete = c.required.iter().all(|i| i.uploaded);
            c
        })
    })
}

// ---------------------------------------------------------------- the catalogue (province)

/// The whole catalogue (any signed-in caller: what is required is public).
pub fn catalogue(ctx: &OpCtx<'_>) -> Result<Vec<RequiredMaterial>, DomainError> {
    Ok(store::catalogue(ctx.db)?)
}

/// One entry of a catalogue key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub kind: String,
    pub label: String,
}

/// Body of "set the catalogue of a series and level".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCatalogue {
    /// The series ('' = every series).
    #[serde(default)]
    pub series: String,
    /// The level (`deputy_senior`, `full_senior`, … ; '' = every level).
    #[serde(default)]
    pub level: String,
    /// The materials required under this key (empty: none beyond the general ones).
    pub materials: Vec<CatalogueEntry>,
}

/// The province sets the catalogue of one series and level; audited with before/after.
pub fn set_catalogue(ctx: &OpCtx<'_>, req: SetCatalogue) -> Result<Vec<RequiredMaterial>, DomainError> {
    ctx.require_role(Role::Province)?;
    let series = req.series.trim().to_owned();
    let level = req.level.trim().to_owned();
    if !level.is_empty() && crate::store::chain::parse_level(&level).is_none() {
        return Err(DomainError::invalid("level", "级别无效（deputy_senior、full_senior 等，或留空表示全部级别）"));
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    for (i, m) in req.materials.iter().enumerate() {
        if !super::applications::MATERIAL_KINDS.contains(&m.kind.as_str()) {
            return Err(DomainError::invalid(
                format!("materials[{i}].kind"),
                format!("材料类型无效，可选：{}", super::applications::MATERIAL_KINDS.join("、")),
            ));
        }
        let label = m.label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(DomainError::invalid(format!("materials[{i}].label"), "请填写材料名称（不超过100字）"));
        }
        if entries.iter().any(|(k, _)| k == &m.kind) {
            return Err(DomainError::invalid(format!("materials[{i}].kind"), "材料类型重复"));
        }
        entries.push((m.kind.clone(), label.to_owned()));
    }
    with_tx(ctx.db, |db| {
        let before: Vec<RequiredMaterial> =
            store::catalogue(db)?.into_iter().filter(|m| m.series == series && m.level == level).collect();
        store::replace_key(db, &series, &level, &entries, &ctx.who.sub, &stamp(ctx.now))?;
        audit::record(
            db,
            &crate::admin::event(
                ctx,
                "required_materials",
                &format!("{series}/{level}"),
                "set_required_materials",
                serde_json::json!({
                    "before": before.iter().map(|m| &m.kind).collect::<Vec<_>>(),
                    "after": entries.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                }),
            ),
        )?;
        Ok(store::catalogue(db)?)
    })
}

// ---------------------------------------------------------------- institution kinds (八(六))

/// Body of "record a unit's institution kind".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetInstitutionKind {
    /// One of [`crate::domain::institution::KINDS`].
    pub kind: String,
}

/// A unit's recorded institution kind.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionKindView {
    pub org_id: String,
    pub kind: Option<String>,
    pub label: Option<&'static str>,
}

/// The province records a unit's institution kind (机构类别), audited.
pub fn set_institution_kind(
    ctx: &OpCtx<'_>,
    org: &str,
    req: SetInstitutionKind,
) -> Result<InstitutionKindView, DomainError> {
    ctx.require_role(Role::Province)?;
    let label = crate::domain::institution::label(&req.kind).ok_or_else(|| {
        let all: Vec<&str> = crate::domain::institution::KINDS.iter().map(|(k, _)| *k).collect();
        DomainError::invalid("kind", format!("机构类别无效，可选：{}", all.join("、")))
    })?;
    with_tx(ctx.db, |db| {
        crate::store::chain::organisation_by_id(db, org)?.ok_or(DomainError::NotFound("机构"))?;
        let before = store::institution_kind(db, org)?;
        store::set_institution_kind(db, org, &req.kind, &ctx.who.sub, &stamp(ctx.now))?;
        audit::record(
            db,
            &crate::admin::event(
                ctx,
                "organisation",
                org,
                "set_institution_kind",
                serde_json::json!({ "before": before, "after": req.kind }),
            ),
        )?;
        Ok(InstitutionKindView { org_id: org.to_owned(), kind: Some(req.kind.clone()), label: Some(label) })
    })
}

/// A unit's institution kind (any signed-in caller).
pub fn institution_kind(ctx: &OpCtx<'_>, org: &str) -> Result<InstitutionKindView, DomainError> {
    crate::store::chain::organisation_by_id(ctx.db, org)?.ok_or(DomainError::NotFound("机构"))?;
    let kind = store::institution_kind(ctx.db, org)?;
    let label = kind.as_deref().and_then(crate::domain::institution::label);
    Ok(InstitutionKindView { org_id: org.to_owned(), kind, label })
}

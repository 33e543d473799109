//! The first slice of the workflow: drafts, materials, submission (R1–R5), unit review
//! into publicity (R11), returns with every item at once, rejections and objections.

use super::transition::{self, stale};
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, HistoryEntry};
use crate::auth::Role;
use crate::domain::application::{next_state, Action, Actor, ApplicationForm, ApplicationState};
use crate::domain::citizen_id::mask_str;
use crate::domain::rules::{check_submission, SubmissionContext};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{
    self as store, ApplicationRecord, Changes, ListFilter, ListScope, MaterialMeta, Objection,
};
use crate::store::{reference, with_tx, Db};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const APPLICATION: &str = "申报";

/// What an applicant, or the unit, sees of an application.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub id: i64,
    pub batch_year: i32,
    pub state: &'static str,
    pub state_label: &'static str,
    pub version: i64,
    pub applicant_name: String,
    /// Always masked.
    pub citizen_id: Option<String>,
    pub unit_org: String,
    /// The form, with the ID number masked.
    pub form: serde_json::Value,
    pub flags: serde_json::Value,
    pub publicity: Option<PublicityView>,
    /// Items to correct, after a return (all at once).
    pub return_items: Option<serde_json::Value>,
    pub decision_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
}

/// Unit publicity (单位公示) as registered.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityView {
    pub start: String,
    /// Last day of the publicity period.
    pub end: String,
    pub complaint_office: String,
    pub complaint_phone: String,
}

pub(crate) fn view(r: &ApplicationRecord) -> ApplicationView {
    let mut form: serde_json::Value = serde_json::from_str(&r.form).unwrap_or_default();
    if let Some(id) = form.get("citizen_id").and_then(|v| v.as_str()).map(mask_str) {
        form["citizen_id"] = id.into();
    }
    ApplicationView {
        id: r.id,
        batch_year: r.batch_year,
        state: r.state.as_str(),
        state_label: r.state.label(),
        version: r.version,
        applicant_name: r.applicant_name.clone(),
        citizen_id: r.citizen_id.as_deref().map(mask_str),
        unit_org: r.unit_org.clone(),
        form,
        flags: serde_json::from_str(&r.flags).unwrap_or_default(),
        publicity: match (&r.publicity_start, &r.publicity_end) {
            (Some(start), Some(end)) => Some(PublicityView {
                start: start.clone(),
                end: end.clone(),
                complaint_office: r.complaint_office.clone().unwrap_or_default(),
                complaint_phone: r.complaint_phone.clone().unwrap_or_default(),
            }),
            _ => None,
        },
        return_items: r.return_items.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        decision_reason: r.decision_reason.clone(),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
        submitted_at: r.submitted_at.clone(),
    }
}

/// Loads an application the caller may see; anyone else's is a 404 (never a 403, which
/// would confirm it exists).
pub(crate) fn load_visible(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<ApplicationRecord, DomainError> {
    let r = store::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
    let visible = match ctx.who.role {
        Role::Applicant => r.applicant_id == ctx.who.sub,
        Role::Unit => r.unit_org == ctx.who.org && r.state != ApplicationState::Draft,
        Role::Province => r.state != ApplicationState::Draft,
        // An organisation on the path sees it while it holds it, and afterwards in history.
        Role::Dept | Role::CommitteeOrg => {
            r.holder_org.as_deref() == Some(ctx.who.org.as_str())
                || crate::store::chain::org_has_acted(db, r.id, &ctx.who.org)?
        }
        Role::Judge => false,
    };
    if visible {
        Ok(r)
    } else {
        Err(DomainError::NotFound(APPLICATION))
    }
}

/// The state `action` of `role` leads to (checked before anything else is).
fn next_of(state: ApplicationState, action: Action, role: Role) -> Result<ApplicationState, DomainError> {
    next_state(state, action, Actor::Role(role)).map_err(|e| transition::refusal(state, e))
}

fn check_version(r: &ApplicationRecord, expected: Option<i64>) -> Result<(), DomainError> {
    match expected {
        Some(v) if v != r.version => Err(stale()),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- applicant

/// R20 (七(四), annex 3 §1.10) at the door: a form naming a committee may only name a
/// series, level and specialty that committee reviews — refused at draft and submit, not
/// only at recommendation. A partial draft is checked for what it names; a committee that
/// does not exist is reported by the recommendation's path resolution (COMMITTEE_NOT_FOUND).
fn check_committee_scope(db: &dyn Db, form: &ApplicationForm) -> Result<(), DomainError> {
    let named = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let Some(committee) = named(&form.committee) else { return Ok(()) };
    let refuse = |code: ErrorCode, args: &[&dyn std::fmt::Display], field: &str| {
        Err(DomainError::rule("R20", code, args, Some(field)))
    };
    // An unknown committee is left to the recommendation, which resolves the path.
    let Some(c) = crate::store::chain::committee_facts(db, &committee)? else { return Ok(()) };
    if let Some(series) = named(&form.series) {
        if series != c.series {
            return refuse(ErrorCode::CommitteeSeriesMismatch, &[&c.id, &series], "form.series");
        }
    }
    if let Some(level) = form.target_level {
        if level > c.max_level {
            return refuse(ErrorCode::CommitteeLevelExceeded, &[&c.id, &level.label()], "form.target_level");
        }
        // Annex 3 §1.6–1.8: 初评会, 中评会 and 高评会 each judge their own levels.
        if crate::domain::path::CommitteeTier::of_level(level) != c.tier {
            return refuse(
                ErrorCode::CommitteeTierMismatch,
                &[&c.id, &c.tier.label(), &level.label()],
                "form.target_level",
            );
        }
    }
    if let Some(specialty) = named(&form.specialty) {
        if !c.specialties.contains(&specialty) {
            return refuse(ErrorCode::CommitteeSpecialtyNotCovered, &[&c.id, &specialty], "form.specialty");
        }
    }
    Ok(())
}

/// Body of "create draft".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    /// The batch year; defaults to the current year (Asia/Shanghai).
    #[serde(default)]
    pub batch_year: Option<i32>,
    /// The form (may be partial).
    #[serde(default)]
    pub form: ApplicationForm,
}

/// Creates a draft (暂存申报).
pub fn create_draft(ctx: &OpCtx<'_>, req: CreateDraft) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Applicant)?;
    let year = req.batch_year.unwrap_or_else(|| shanghai_today(ctx.now).year());
    // What only checks the request against reference data is read before the write
    // transaction, which every writer waits for in turn (issue 14): a draft is a private
    // form, and the submission checks both again.
    if reference::batch(ctx.db, year)?.is_none() {
        return Err(DomainError::invalid("batch_year", format!("{year} 年度评审批次尚未设立")));
    }
    check_committee_scope(ctx.db, &req.form)?;
    with_tx(ctx.db, |db| {
        // Issue 10: the ID number is stored as its token (crate::pii), never in clear.
        let (cols, form_json) = crate::pii::protect_form_columns(db, &req.form)?;
        let now = stamp(ctx.now);
        let r = store::insert_draft(db, &ctx.who.sub, &ctx.who.name, year, &cols, &form_json, &now)?;
        let mut e = ctx.application_event(r.id, "create_draft", ApplicationState::Draft, ApplicationState::Draft);
        e.from_state = None;
        audit::record(db, &e)?;
        Ok(view(&r))
    })
}

/// Body of "edit draft": the whole form, and the version it was read at.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateDraft {
    /// The version the client last read (compare-and-set).
    pub version: i64,
    /// The new form.
    pub form: ApplicationForm,
}

/// Replaces the form of a draft or a returned application.
pub fn update_draft(ctx: &OpCtx<'_>, id: i64, req: UpdateDraft) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Applicant)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if !r.state.is_editable() {
            return Err(DomainError::conflict(
                ErrorCode::InvalidState,
                &[&format!("申报当前状态为“{}”，不能修改", r.state.label())],
            ));
        }
        check_version(&r, Some(req.version))?;
        check_committee_scope(db, &req.form)?;
        let (cols, form_json) = crate::pii::protect_form_columns(db, &req.form)?;
        let changes = Changes { form_columns: Some(cols), form: Some(form_json), ..Changes::default() };
        let r = store::update_cas(db, id, r.version, r.state, &changes, &stamp(ctx.now))?.ok_or_else(stale)?;
        audit::record(db, &ctx.application_event(id, "edit", r.state, r.state))?;
        Ok(view(&r))
    })
}

/// One of the caller's applications.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<ApplicationView, DomainError> {
    Ok(view(&load_visible(ctx, ctx.db, id)?))
}

/// The caller's applications, newest first: own (applicant), its unit's (unit), what it
/// holds now or what passed it (organisations on the path), everything (province).
pub fn list(
    ctx: &OpCtx<'_>,
    history: bool,
    filter: &ListFilter,
    page: PageRequest,
) -> Result<Page<ApplicationView>, DomainError> {
    let org = ctx.who.org.as_str();
    let scope = match ctx.who.role {
        Role::Applicant => ListScope::Applicant(&ctx.who.sub),
        Role::Unit => ListScope::Unit(org),
        Role::Dept | Role::CommitteeOrg if history => ListScope::History(org),
        Role::Dept | Role::CommitteeOrg => ListScope::Holder(org),
        Role::Province => ListScope::All,
        Role::Judge => return Err(DomainError::Forbidden),
    };
    let p = store::list(ctx.db, scope, filter, page.limit(), page.offset())?;
    Ok(Page { items: p.rows.iter().map(view).collect(), page: page.page, page_size: page.page_size, total: p.total })
}

/// The history (过程跟踪) of one of the caller's applications, oldest first.
pub fn history(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<HistoryEntry>, DomainError> {
    load_visible(ctx, ctx.db, id)?;
    Ok(audit::history(ctx.db, "application", &id.to_string())?)
}

/// Material kinds accepted (资格审查材料).
pub const MATERIAL_KINDS: &[&str] = &[
    "evaluation_form",      // 专业技术职称评审表
    "id_card",              // 身份证
    "degree",               // 学历学位证书
    "title_certificate",    // 现有职称证书
    "assessment",           // 年度考核表
    "achievement",          // 业绩成果
    "continuing_education", // 继续教育证明
    "publicity_result",     // 公示结果
    "other",                // 其他
];

/// Content types accepted for uploads (scans and PDFs).
pub const MATERIAL_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// An upload as received (a material, a registration attachment).
pub struct Upload<'a> {
    pub kind: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub max_bytes: usize,
}

/// An upload that passed the checks: its clean file name, content type and SHA-256.
pub struct CheckedUpload {
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
}

impl Upload<'_> {
    /// Checks file name, type (one of `types`, else 415 with `type_message`), size (413)
    /// and emptiness, and hashes the bytes.
    pub fn check(&self, types: &[&str], type_message: &str) -> Result<CheckedUpload, DomainError> {
        let filename = crate::domain::upload::normalise_filename(self.filename)?;
        let ct = self.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !types.contains(&ct.as_str()) {
            return Err(DomainError::UnsupportedMediaType {
                field: "content-type".into(),
                message: type_message.into(),
            });
        }
        if self.bytes.len() > self.max_bytes {
            return Err(DomainError::PayloadTooLarge { field: "body".into(), limit: self.max_bytes });
        }
        if self.bytes.is_empty() {
            return Err(DomainError::invalid("body", "上传的文件为空"));
        }
        crate::domain::upload::check_signature(&ct, self.bytes)?;
        Ok(CheckedUpload { filename, content_type: ct, sha256: audit::hex(&Sha256::digest(self.bytes)) })
    }
}

/// Stores a material (申报材料上传) on an editable application, with its SHA-256.
pub fn upload_material(ctx: &OpCtx<'_>, id: i64, up: Upload<'_>) -> Result<MaterialMeta, DomainError> {
    ctx.require_role(Role::Applicant)?;
    if !MATERIAL_KINDS.contains(&up.kind) {
        return Err(DomainError::invalid("kind", format!("材料类型无效，可选：{}", MATERIAL_KINDS.join("、"))));
    }
    let CheckedUpload { filename, content_type: ct, sha256 } =
        up.check(MATERIAL_TYPES, "仅支持上传 PDF、JPEG、PNG 格式的材料")?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if !r.state.is_editable() {
            return Err(DomainError::conflict(
                ErrorCode::InvalidState,
                &[&format!("申报当前状态为“{}”，不能上传材料", r.state.label())],
            ));
        }
        let mut meta = MaterialMeta {
            id: 0,
            kind: up.kind.to_owned(),
            filename: filename.clone(),
            content_type: ct.clone(),
            size: up.bytes.len() as i64,
            sha256: sha256.clone(),
            uploaded_at: stamp(ctx.now),
        };
        meta.id = store::insert_material(db, id, &meta, up.bytes)?;
        let mut e = ctx.application_event(id, "upload_material", r.state, r.state);
        e.detail = Some(
            serde_json::json!({ "material_id": meta.id, "kind": meta.kind, "sha256": meta.sha256, "size": meta.size }),
        );
        audit::record(db, &e)?;
        Ok(meta)
    })
}

/// The materials of a visible application.
pub fn list_materials(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<MaterialMeta>, DomainError> {
    load_visible(ctx, ctx.db, id)?;
    Ok(store::list_materials(ctx.db, id)?)
}

/// One material's bytes: (content type, file name, content).
pub fn download_material(ctx: &OpCtx<'_>, id: i64, material: i64) -> Result<(String, String, Vec<u8>), DomainError> {
    load_visible(ctx, ctx.db, id)?;
    store::material_content(ctx.db, id, material)?.ok_or(DomainError::NotFound("材料"))
}

/// Removes a material from an editable application.
pub fn delete_material(ctx: &OpCtx<'_>, id: i64, material: i64) -> Result<(), DomainError> {
    ctx.require_role(Role::Applicant)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if !r.state.is_editable() {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"当前状态不能删除材料"]));
        }
        if !store::delete_material(db, id, material)? {
            return Err(DomainError::NotFound("材料"));
        }
        let mut e = ctx.application_event(id, "delete_material", r.state, r.state);
        e.detail = Some(serde_json::json!({ "material_id": material }));
        audit::record(db, &e)?;
        Ok(())
    })
}

/// Submits (提交申报): every rule R1–R5 is checked and every failure reported at once.
/// A retry with the same `Idempotency-Key` after success returns the same application.
pub fn submit(
    ctx: &OpCtx<'_>,
    id: i64,
    expected_version: Option<i64>,
    acceptance: Option<&crate::domain::commitment::Acceptance>,
    idempotency_key: Option<&str>,
) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Applicant)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if let (Some(key), Some(done)) = (idempotency_key, r.submit_key.as_deref()) {
            if key == done && r.state != ApplicationState::Draft && r.state != ApplicationState::Returned {
                return Ok(view(&r));
            }
        }
        let next = next_of(r.state, Action::Submit, Role::Applicant)?;
        check_version(&r, expected_version)?;
        // 告知承诺 (四(一)): the batch's commitment, accepted as worded now.
        let commitment = crate::admin::commitments::current(db, r.batch_year)?.commitment;
        crate::domain::commitment::check(acceptance, &commitment)?;
        let form: ApplicationForm = crate::pii::open_form(db, &r.form)?;
        check_committee_scope(db, &form)?;
        let batch = reference::batch_for(db, r.batch_year, &r.committee)?
            .ok_or_else(|| DomainError::invalid("batch_year", format!("{} 年度评审批次尚未设立", r.batch_year)))?;
        // 二(一): the online qualification audit ends on its deadline (extensions recorded).
        let unit_org = form.unit_org.clone().unwrap_or_else(|| r.unit_org.clone());
        crate::admin::rules::check_qualification_deadline(
            db,
            r.batch_year,
            &r.committee,
            &unit_org,
            shanghai_today(ctx.now),
            "提交申报",
        )?;
        let today = shanghai_today(ctx.now).to_string();
        let blacklisted = match &form.citizen_id {
            Some(c) => store::is_blacklisted(db, &crate::pii::token_for(c)?, &today)?,
            None => false,
        };
        let sctx = SubmissionContext {
            batch_year: batch.year,
            material_cutoff: batch.material_cutoff,
            assessment_years: batch.assessment_years,
            blacklisted,
            series_rule: reference::series_rule(
                db,
                form.series.as_deref().unwrap_or(""),
                form.specialty.as_deref().unwrap_or(""),
            )?,
        };
        let mut check = check_submission(&form, &sctx);
        // 一: the qualification-review materials of the catalogue, listed with the rules.
        check.violations.extend(super::materials::missing(db, &r)?);
        // 八(六): the 中小学教师 series is for teachers of the institutions it names.
        let kind = crate::store::materials::institution_kind(db, &unit_org)?;
        let (refused, flag) = crate::domain::institution::check_teacher_scope(
            form.series.as_deref().unwrap_or(""),
            &unit_org,
            kind.as_deref(),
        );
        check.violations.extend(refused);
        check.flags.extend(flag);
        // 三(一): a self-evaluating unit's filed standard, higher than the province's.
        check.violations.extend(super::self_review::unit_rule_violations(db, &unit_org, &form)?);
        if !check.violations.is_empty() {
            return Err(DomainError::RulesFailed(check.violations));
        }
        let flags = serde_json::to_string(&check.flags).map_err(|e| DomainError::Internal(e.to_string()))?;
        let now = stamp(ctx.now);
        let changes = Changes {
            flags: Some(flags),
            submitted_at: Some(now.clone()),
            submit_key: Some(idempotency_key.map(str::to_owned)),
            ..Changes::default()
        };
        let mut e = ctx.by();
        let mut detail = serde_json::json!({
            "commitment": { "text_sha256": commitment.text_sha256, "accepted_at": now, "batch_year": r.batch_year }
        });
        if !check.flags.is_empty() {
            detail["flags"] = serde_json::json!(check.flags);
        }
        e.detail = Some(detail);
        let r = transition::apply_returning(db, &r, Action::Submit, Actor::Role(Role::Applicant), next, &changes, e)?;
        Ok(view(&r))
    })
}

/// The commitment the applicant accepts before submitting application `id` (its batch's).
pub fn commitment(ctx: &OpCtx<'_>, id: i64) -> Result<crate::admin::commitments::CommitmentView, DomainError> {
    let r = load_visible(ctx, ctx.db, id)?;
    crate::admin::commitments::current(ctx.db, r.batch_year)
}

// ---------------------------------------------------------------- unit

/// Body of "approve into publicity" (所在单位申报公示, annex 2 §1.1.1; 四(二)2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveIntoPublicity {
    /// First day of publicity (YYYY-MM-DD).
    pub publicity_start: NaiveDate,
    /// 投诉受理部门
    pub complaint_office: String,
    /// 投诉受理电话
    pub complaint_phone: String,
    /// 初审意见
    #[serde(default)]
    pub opinion: Option<String>,
    /// The version the reviewer read (optional compare-and-set).
    #[serde(default)]
    pub version: Option<i64>,
}

fn non_empty(field: &str, label: &str, v: &str, max: usize) -> Result<(), DomainError> {
    let n = v.trim().chars().count();
    if n == 0 {
        return Err(DomainError::invalid(field, format!("请填写{label}")));
    }
    if n > max {
        return Err(DomainError::invalid(field, format!("{label}不能超过{max}字")));
    }
    Ok(())
}

fn valid_phone(v: &str) -> bool {
    let v = v.trim();
    (5..=20).contains(&v.len()) && v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
}

/// The unit approves an application into unit publicity of at least the batch's
/// working days (R11, default 5), counted on the official calendar.
pub fn approve_into_publicity(
    ctx: &OpCtx<'_>,
    id: i64,
    req: ApproveIntoPublicity,
) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Unit)?;
    non_empty("complaint_office", "投诉受理部门", &req.complaint_office, 100)?;
    if !valid_phone(&req.complaint_phone) {
        return Err(DomainError::invalid("complaint_phone", "投诉受理电话格式不正确"));
    }
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        let next = next_of(r.state, Action::ApproveIntoPublicity, Role::Unit)?;
        check_version(&r, req.version)?;
        let batch = reference::batch(db, r.batch_year)?
            .ok_or_else(|| DomainError::invalid("batch_year", "年度评审批次尚未设立"))?;
        let today = shanghai_today(ctx.now);
        // 四(二)2 (R11): the publicity runs its full working days from today or later; a
        // start in the past could leave it already over when the unit approves.
        if req.publicity_start < today {
            return Err(DomainError::rule(
                "R11",
                ErrorCode::R11PublicityStartPast,
                &[&req.publicity_start, &today, &batch.unit_publicity_working_days],
                Some("publicity_start"),
            ));
        }
        let submitted_on = r.submitted_at.as_deref().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        if let Some(sub) = submitted_on {
            if req.publicity_start < shanghai_today(sub.with_timezone(&chrono::Utc)) {
                return Err(DomainError::invalid("publicity_start", "公示开始日期不能早于申报提交日期"));
            }
        }
        crate::admin::rules::check_qualification_deadline(
            db,
            r.batch_year,
            &r.committee,
            &ctx.who.org,
            today,
            "审核公示",
        )?;
        let end = super::working_days_after(db, req.publicity_start, batch.unit_publicity_working_days)?;
        let changes = Changes {
            publicity_start: Some(req.publicity_start.to_string()),
            publicity_end: Some(end.to_string()),
            complaint_office: Some(req.complaint_office.trim().to_owned()),
            complaint_phone: Some(req.complaint_phone.trim().to_owned()),
            return_items: Some(None),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({
            "publicity_start": req.publicity_start.to_string(),
            "publicity_end": end.to_string(),
            "working_days": batch.unit_publicity_working_days,
            "complaint_office": req.complaint_office.trim(),
            "complaint_phone": req.complaint_phone.trim(),
        }));
        let r = transition::apply_returning(
            db,
            &r,
            Action::ApproveIntoPublicity,
            Actor::Role(Role::Unit),
            next,
            &changes,
            e,
        )?;
        Ok(view(&r))
    })
}

/// One item to correct.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnItem {
    /// What is at fault (a form field or a material kind).
    pub field: String,
    /// What to correct.
    pub reason: String,
}

/// Checks every item of a return: what is at fault and why, each filled in.
pub(crate) fn validate_return_items(items: &[ReturnItem]) -> Result<(), DomainError> {
    for (i, item) in items.iter().enumerate() {
        non_empty(&format!("items[{i}].field"), "补正项目", &item.field, 100)?;
        non_empty(&format!("items[{i}].reason"), "补正原因", &item.reason, 500)?;
    }
    Ok(())
}

/// Body of "return for correction": every item at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnForCorrection {
    /// Every item to correct (一次性告知).
    pub items: Vec<ReturnItem>,
    /// Overall opinion.
    #[serde(default)]
    pub opinion: Option<String>,
    /// Optional compare-and-set version.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The unit returns an application to the applicant with every item to correct — from
/// its own first review, or passing down a return that came back along the audit path
/// (层层退回), to which it may add items of its own.
pub fn return_for_correction(
    ctx: &OpCtx<'_>,
    id: i64,
    req: ReturnForCorrection,
) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Unit)?;
    validate_return_items(&req.items)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        let next = next_of(r.state, Action::Return, Role::Unit)?;
        check_version(&r, req.version)?;
        let mut all: Vec<ReturnItem> = Vec::new();
        if r.state == ApplicationState::ReturnedToUnit {
            all = r.return_items.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        }
        all.extend(req.items.iter().cloned());
        if all.is_empty() {
            return Err(DomainError::invalid("items", "退回时须一次性列明全部需补正的内容"));
        }
        let items = serde_json::to_value(&all).map_err(|e| DomainError::Internal(e.to_string()))?;
        let changes = Changes { return_items: Some(Some(items.to_string())), ..Changes::default() };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "items": items }));
        let r = transition::apply_returning(db, &r, Action::Return, Actor::Role(Role::Unit), next, &changes, e)?;
        Ok(view(&r))
    })
}

/// Body of "reject".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// Why (shown to the applicant).
    pub reason: String,
    /// Optional compare-and-set version.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The unit rejects an application (ends it for the year), with a reason.
pub fn reject(ctx: &OpCtx<'_>, id: i64, req: Reject) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Unit)?;
    non_empty("reason", "不予通过的原因", &req.reason, 500)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        let next = next_of(r.state, Action::Reject, Role::Unit)?;
        check_version(&r, req.version)?;
        let changes = Changes { decision_reason: Some(Some(req.reason.trim().to_owned())), ..Changes::default() };
        let mut e = ctx.by();
        e.opinion = Some(req.reason.trim().to_owned());
        let r = transition::apply_returning(db, &r, Action::Reject, Actor::Role(Role::Unit), next, &changes, e)?;
        Ok(view(&r))
    })
}

/// Body of "record objection".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordObjection {
    /// What was objected (公示期间的异议).
    pub content: String,
}

/// Records an objection received during unit publicity; while it is pending the
/// publicity does not close.
pub fn record_objection(ctx: &OpCtx<'_>, id: i64, req: RecordObjection) -> Result<Objection, DomainError> {
    ctx.require_role(Role::Unit)?;
    non_empty("content", "异议内容", &req.content, 2000)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        if r.state != ApplicationState::UnitPublicity {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"仅可在单位公示期间登记异议"]));
        }
        let now = stamp(ctx.now);
        let oid = store::insert_objection(db, id, "unit_publicity", req.content.trim(), &ctx.who.sub, &now)?;
        let mut e = ctx.application_event(id, "record_objection", r.state, r.state);
        e.detail = Some(serde_json::json!({ "objection_id": oid }));
        audit::record(db, &e)?;
        store::list_objections(db, id)?.into_iter().find(|o| o.id == oid).ok_or(DomainError::NotFound("异议"))
    })
}

/// Body of "resolve objection".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveObjection {
    /// 经查实 (upheld: the application is rejected) or not.
    pub upheld: bool,
    /// The finding of the investigation.
    pub finding: String,
}

/// Resolves an objection: upheld ⇒ the application is rejected (四(二)2: 申报材料不予报送);
/// dismissed ⇒ the publicity continues and may close.
pub fn resolve_objection(
    ctx: &OpCtx<'_>,
    id: i64,
    objection: i64,
    req: ResolveObjection,
) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Unit)?;
    non_empty("finding", "核查结论", &req.finding, 2000)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        let now = stamp(ctx.now);
        if !store::resolve_objection(db, id, objection, req.upheld, req.finding.trim(), &ctx.who.sub, &now)? {
            return Err(DomainError::conflict(ErrorCode::ObjectionNotPending, &[]));
        }
        if req.upheld {
            let next = next_of(r.state, Action::UpholdObjection, Role::Unit)?;
            let changes = Changes {
                decision_reason: Some(Some(format!("公示异议经查实：{}", req.finding.trim()))),
                ..Changes::default()
            };
            let mut e = ctx.by();
            e.opinion = Some(req.finding.trim().to_owned());
            e.detail = Some(serde_json::json!({ "objection_id": objection }));
            transition::apply(db, &r, Action::UpholdObjection, Actor::Role(Role::Unit), next, &changes, e)?;
        } else {
            let mut e = ctx.application_event(id, "dismiss_objection", r.state, r.state);
            e.opinion = Some(req.finding.trim().to_owned());
            e.detail = Some(serde_json::json!({ "objection_id": objection }));
            audit::record(db, &e)?;
        }
        let r = store::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
        Ok(view(&r))
    })
}

/// The objections of a visible application.
pub fn objections(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<Objection>, DomainError> {
    load_visible(ctx, ctx.db, id)?;
    Ok(store::list_objections(ctx.db, id)?)
}

/// Most rows one export holds.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The full result set of a listing (not a page) as a sheet, ID numbers masked.
pub fn export(ctx: &OpCtx<'_>, history: bool, filter: &ListFilter) -> Result<crate::excel::Sheet, DomainError> {
    let org = ctx.who.org.as_str();
    let scope = match ctx.who.role {
        Role::Unit => ListScope::Unit(org),
        Role::Dept | Role::CommitteeOrg if history => ListScope::History(org),
        Role::Dept | Role::CommitteeOrg => ListScope::Holder(org),
        Role::Province => ListScope::All,
        _ => return Err(DomainError::Forbidden),
    };
    let mut sheet = crate::excel::Sheet::new(
        "申报列表",
        &[
            "申报编号",
            "年度",
            "申报人",
            "公民身份号码",
            "申报单位",
            "系列",
            "层级",
            "专业",
            "评委会",
            "状态",
            "提交时间",
        ],
    );
    for r in store::select_all(ctx.db, scope, filter, MAX_EXPORT_ROWS)? {
        let level = crate::store::chain::parse_level(&r.target_level).map_or("", |l| l.label());
        sheet.rows.push(vec![
            r.id.to_string(),
            r.batch_year.to_string(),
            r.applicant_name.clone(),
            r.citizen_id.as_deref().map(mask_str).unwrap_or_default(),
            r.unit_org.clone(),
            r.series.clone(),
            level.to_owned(),
            r.specialty.clone(),
            r.committee.clone(),
            r.state.label().to_owned(),
            r.submitted_at.clone().unwrap_or_default(),
        ]);
    }
    Ok(sheet)
}

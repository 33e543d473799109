//! Unit account registration (公服账号注册审核, annex 3 §1.25): a unit registers with its
//! unified social credit code and attachments; the competent HR office approves — the
//! unit's organisation becomes active and it may act — or rejects with an opinion telling
//! the unit what to fix; the unit corrects and resubmits.
//!
//! Authentication: the registrant signs in through the portal (智慧人社 / CA / 电子社保卡)
//! like anyone else and carries a token of role `unit` with an empty `org` — identified,
//! but of no organisation yet. It sees only its own registrations. Once approved it
//! exchanges that token for one carrying `org` = the new organisation
//! (`POST /api/registrations/{id}/token`): same person, same role, same expiry; the only
//! claim added is the organisation the province approved for this registrant. Before
//! approval no token for the organisation exists, so the unit cannot act.

use super::{event, parse_phone, required_text, stale};
use crate::audit;
use crate::auth::{self, Claims, Role};
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{self as store, Attachment, Filter, Registration, RegistrationFields, REGISTRATION_SELECT};
use crate::store::chain as cstore;
use crate::store::{with_tx, Db};
use crate::workflow::applications::CheckedUpload;
use crate::workflow::organisations::valid_credit_code;
use crate::workflow::{stamp, OpCtx, Page, PageRequest};
use serde::{Deserialize, Serialize};

const WHAT: &str = "注册申请";

/// Attachment kinds (附件).
pub const ATTACHMENT_KINDS: &[super::Choice] = &[
    super::Choice { wire: "business_licence", label: "营业执照" },
    super::Choice { wire: "institution_certificate", label: "事业单位法人证书" },
    super::Choice { wire: "authorisation", label: "授权委托书" },
    super::Choice { wire: "other", label: "其他" },
];

/// Content types accepted for attachments.
pub const ATTACHMENT_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// What a unit fills in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// 统一社会信用代码 (cannot change after registering).
    pub credit_code: String,
    /// 单位名称.
    pub name: String,
    /// 行政区划代码.
    pub region_code: String,
    /// 事业单位.
    #[serde(default)]
    pub public_institution: bool,
    /// 法定代表人.
    pub legal_representative: String,
    /// 经办人.
    pub contact_name: String,
    /// 经办人电话.
    pub contact_phone: String,
    /// 单位地址.
    #[serde(default)]
    pub address: String,
    /// The competent HR office (a city HR bureau or the province) that audits it.
    pub review_org: String,
    /// The version read (corrections only).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRegistration {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    pub public_institution: bool,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub review_org: String,
}

impl ValidRegistration {
    fn fields(&self) -> RegistrationFields<'_> {
        RegistrationFields {
            credit_code: &self.credit_code,
            name: &self.name,
            region_code: &self.region_code,
            public_institution: self.public_institution,
            legal_representative: &self.legal_representative,
            contact_name: &self.contact_name,
            contact_phone: &self.contact_phone,
            address: &self.address,
            review_org: &self.review_org,
        }
    }

    /// The organisation id a registration creates.
    pub fn org_id(&self) -> String {
        format!("ORG-{}", self.credit_code)
    }
}

/// Checks a registration's shape (no store access).
pub fn validate(input: &RegistrationInput) -> Result<ValidRegistration, DomainError> {
    let credit_code = input.credit_code.trim().to_ascii_uppercase();
    if !valid_credit_code(&credit_code) {
        return Err(DomainError::invalid("credit_code", "统一社会信用代码无效（18位，末位为校验码）"));
    }
    let region_code = input.region_code.trim();
    if region_code.len() != 6 || !region_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid("region_code", "行政区划代码须为6位数字"));
    }
    let address = input.address.trim();
    if address.chars().count() > 200 {
        return Err(DomainError::invalid("address", "单位地址不能超过200字"));
    }
    Ok(ValidRegistration {
        credit_code,
        name: required_text("name", "单位名称", &input.name, 100)?,
        region_code: region_code.to_owned(),
        public_institution: input.public_institution,
        legal_representative: required_text("legal_representative", "法定代表人", &input.legal_representative, 50)?,
        contact_name: required_text("contact_name", "经办人", &input.contact_name, 50)?,
        contact_phone: parse_phone("contact_phone", "经办人电话", &input.contact_phone)?,
        address: address.to_owned(),
        review_org: required_text("review_org", "审核机构", &input.review_org, 64)?,
    })
}

fn check_review_org(db: &dyn Db, id: &str) -> Result<(), DomainError> {
    match cstore::organisation_by_id(db, id)? {
        Some(o) if o.status == "active" && matches!(o.kind.as_str(), "city_hr" | "province") => Ok(()),
        _ => Err(DomainError::invalid("review_org", "审核机构须为有效的市州人社局或省人社厅")),
    }
}

/// A registration as shown, with its attachments.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationView {
    #[serde(flatten)]
    pub registration: Registration,
    pub status_label: &'static str,
    pub attachments: Vec<Attachment>,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "pending" => "待审核",
        "rejected" => "审核不通过，待修改",
        "approved" => "审核通过",
        _ => "未知",
    }
}

fn view(db: &dyn Db, r: Registration) -> Result<RegistrationView, DomainError> {
    Ok(RegistrationView {
        status_label: status_label(&r.status),
        attachments: store::attachments(db, r.id)?,
        registration: r,
    })
}

/// The registrant is a person signed in for themself (role `applicant`, no organisation):
/// the unit does not exist yet. After approval the person exchanges that token for one
/// of role `unit` carrying the new organisation ([`token`]).
fn require_registrant(ctx: &OpCtx<'_>) -> Result<(), DomainError> {
    ctx.require_role(Role::Applicant)
}

/// The registrant's own registration; anyone else's is a 404.
fn own(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Registration, DomainError> {
    store::registration_by_id(db, id)?.filter(|r| r.registrant_sub == ctx.who.sub).ok_or(DomainError::NotFound(WHAT))
}

/// A unit registers (its organisation is created `pending`).
pub fn register(ctx: &OpCtx<'_>, input: RegistrationInput) -> Result<RegistrationView, DomainError> {
    require_registrant(ctx)?;
    if !ctx.who.org.is_empty() {
        return Err(DomainError::conflict(ErrorCode::AlreadyAnOrganisation, &[]));
    }
    let v = validate(&input)?;
    with_tx(ctx.db, |db| {
        check_review_org(db, &v.review_org)?;
        if store::credit_code_taken(db, &v.credit_code)? {
            return Err(DomainError::conflict(ErrorCode::CreditCodeTaken, &[&v.credit_code]));
        }
        let now = stamp(ctx.now);
        let org_id = v.org_id();
        if !store::insert_pending_org(db, &org_id, &v.fields(), &now)? {
            return Err(DomainError::conflict(ErrorCode::CreditCodeTaken, &[&v.credit_code]));
        }
        let id = store::insert_registration(db, &org_id, &v.fields(), &ctx.who.sub, &ctx.who.name, &now)?;
        let mut e = event(
            ctx,
            "unit_registration",
            &id.to_string(),
            "register_unit",
            serde_json::json!({
                "org_id": org_id, "credit_code": v.credit_code, "review_org": v.review_org
            }),
        );
        e.to_state = Some("pending".into());
        audit::record(db, &e)?;
        view(db, store::registration_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?)
    })
}

/// The registrant corrects a pending or rejected registration; it is pending again.
pub fn correct(ctx: &OpCtx<'_>, id: i64, input: RegistrationInput) -> Result<RegistrationView, DomainError> {
    require_registrant(ctx)?;
    let v = validate(&input)?;
    let version = input.version.ok_or_else(|| DomainError::invalid("version", "请提供读取时的版本号 version"))?;
    with_tx(ctx.db, |db| {
        let r = own(ctx, db, id)?;
        if r.status == "approved" {
            return Err(DomainError::conflict(ErrorCode::RegistrationApproved, &[&"修改"]));
        }
        if v.credit_code != r.credit_code {
            return Err(DomainError::invalid("credit_code", "统一社会信用代码不能修改"));
        }
        if r.version != version {
            return Err(stale(WHAT));
        }
        check_review_org(db, &v.review_org)?;
        let now = stamp(ctx.now);
        store::correct_registration(db, id, version, &v.fields(), &now)?.ok_or_else(|| stale(WHAT))?;
        if !store::set_registering_org(db, &r.org_id, "pending", &v.fields(), &now)? {
            return Err(DomainError::Internal(format!("registration {id}: organisation not registering")));
        }
        let mut e = event(ctx, "unit_registration", &id.to_string(), "correct_registration", serde_json::json!({}));
        e.from_state = Some(r.status.clone());
        e.to_state = Some("pending".into());
        audit::record(db, &e)?;
        view(db, store::registration_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?)
    })
}

/// The registrant's registrations, newest first.
pub fn mine(ctx: &OpCtx<'_>) -> Result<Vec<RegistrationView>, DomainError> {
    require_registrant(ctx)?;
    let mut f = Filter::default();
    f.and("registrant_sub = ?", [ctx.who.sub.as_str().into()]);
    let l = store::list(ctx.db, REGISTRATION_SELECT, "unit_registrations", &f, "id DESC", None, store::registration)?;
    l.rows.into_iter().map(|r| view(ctx.db, r)).collect()
}

/// One of the registrant's registrations.
pub fn get_own(ctx: &OpCtx<'_>, id: i64) -> Result<RegistrationView, DomainError> {
    require_registrant(ctx)?;
    view(ctx.db, own(ctx, ctx.db, id)?)
}

/// Adds an attachment to a pending or rejected registration (SHA-256 recorded).
pub fn upload(
    ctx: &OpCtx<'_>,
    id: i64,
    up: crate::workflow::applications::Upload<'_>,
) -> Result<Attachment, DomainError> {
    require_registrant(ctx)?;
    let kind = super::parse_choice("kind", "附件类型", ATTACHMENT_KINDS, up.kind)?;
    let CheckedUpload { filename, content_type: ct, sha256 } =
        up.check(ATTACHMENT_TYPES, "附件仅支持 PDF、JPEG、PNG 格式")?;
    with_tx(ctx.db, |db| {
        let r = own(ctx, db, id)?;
        if r.status == "approved" {
            return Err(DomainError::conflict(ErrorCode::RegistrationApproved, &[&"上传附件"]));
        }
        let mut a = Attachment {
            id: 0,
            kind: kind.to_owned(),
            filename: filename.to_owned(),
            content_type: ct.clone(),
            size: up.bytes.len() as i64,
            sha256: sha256.clone(),
            uploaded_at: stamp(ctx.now),
        };
        a.id = store::insert_attachment(db, id, &a, up.bytes)?;
        audit::record(
            db,
            &event(
                ctx,
                "unit_registration",
                &id.to_string(),
                "upload_attachment",
                serde_json::json!({
                    "attachment_id": a.id, "kind": a.kind, "sha256": a.sha256, "size": a.size
                }),
            ),
        )?;
        Ok(a)
    })
}

/// An attachment's bytes, for the registrant or its reviewer.
pub fn download(ctx: &OpCtx<'_>, id: i64, attachment: i64) -> Result<(String, String, Vec<u8>), DomainError> {
    match ctx.who.role {
        Role::Applicant => {
            own(ctx, ctx.db, id)?;
        }
        _ => {
            reviewable(ctx, ctx.db, id)?;
        }
    }
    store::attachment_content(ctx.db, id, attachment)?.ok_or(DomainError::NotFound("附件"))
}

/// Token lifetime cap for the exchanged token: never beyond the presented one. A signed-in
/// registrant's token keeps its session and acts through its administrator record.
fn exchanged_claims(who: &Claims, org: &str, op: Option<i64>) -> Claims {
    Claims {
        sub: who.sub.clone(),
        name: who.name.clone(),
        role: Role::Unit,
        org: org.to_owned(),
        exp: who.exp,
        sid: who.sid.clone(),
        op,
    }
}

/// A token for the unit's organisation, once approved.
#[derive(Debug, Clone, Serialize)]
pub struct UnitToken {
    pub token: String,
    pub org: String,
    pub exp: i64,
}

/// Exchanges the registrant's token for one carrying the approved organisation.
pub fn token(ctx: &OpCtx<'_>, id: i64, secret: &[u8]) -> Result<UnitToken, DomainError> {
    require_registrant(ctx)?;
    let r = own(ctx, ctx.db, id)?;
    if r.status != "approved" {
        return Err(DomainError::conflict(ErrorCode::RegistrationNotApproved, &[&status_label(&r.status)]));
    }
    let op = crate::store::people::operators_of_person(ctx.db, &ctx.who.sub)?
        .into_iter()
        .find(|o| o.org == r.org_id && o.duty == "admin" && o.status == "active")
        .map(|o| o.id);
    let claims = exchanged_claims(ctx.who, &r.org_id, op);
    Ok(UnitToken { token: auth::mint(secret, &claims), org: r.org_id, exp: claims.exp })
}

// ---------------------------------------------------------------- the HR office's side

/// A registration the caller may audit: the province any, a city HR bureau (role `dept`)
/// those addressed to it; anyone else's is a 404.
fn reviewable(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Registration, DomainError> {
    let r = store::registration_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
    match ctx.who.role {
        Role::Province => Ok(r),
        Role::Dept if r.review_org == ctx.who.org => Ok(r),
        Role::Dept => Err(DomainError::NotFound(WHAT)),
        _ => Err(DomainError::Forbidden),
    }
}

fn require_reviewer(ctx: &OpCtx<'_>) -> Result<(), DomainError> {
    if matches!(ctx.who.role, Role::Province | Role::Dept) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Body of "approve" (may be empty) / "reject".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// 审核意见 (required to reject: what the unit must fix).
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Approves (审核通过): the unit's organisation becomes active.
pub fn approve(ctx: &OpCtx<'_>, id: i64, d: Decision) -> Result<RegistrationView, DomainError> {
    decide(ctx, id, d, true)
}

/// Rejects with an opinion (审核不通过请录入审核意见说明，方便单位了解应该怎么修正).
pub fn reject(ctx: &OpCtx<'_>, id: i64, d: Decision) -> Result<RegistrationView, DomainError> {
    decide(ctx, id, d, false)
}

fn decide(ctx: &OpCtx<'_>, id: i64, d: Decision, approve: bool) -> Result<RegistrationView, DomainError> {
    require_reviewer(ctx)?;
    let opinion = if approve {
        super::optional_text("opinion", "审核意见", d.opinion.as_deref(), 1000)?
    } else {
        Some(required_text("opinion", "审核意见（须说明单位应如何修正）", d.opinion.as_deref().unwrap_or(""), 1000)?)
    };
    with_tx(ctx.db, |db| {
        let r = reviewable(ctx, db, id)?;
        if r.status != "pending" {
            return Err(DomainError::conflict(ErrorCode::RegistrationNotPending, &[&status_label(&r.status)]));
        }
        super::check_version(WHAT, r.version, d.version)?;
        let status = if approve { "approved" } else { "rejected" };
        let now = stamp(ctx.now);
        if !store::decide_registration(db, id, r.version, status, opinion.as_deref(), &ctx.who.sub, &now)? {
            return Err(stale(WHAT));
        }
        let fields = RegistrationFields {
            credit_code: &r.credit_code,
            name: &r.name,
            region_code: &r.region_code,
            public_institution: r.public_institution,
            legal_representative: &r.legal_representative,
            contact_name: &r.contact_name,
            contact_phone: &r.contact_phone,
            address: &r.address,
            review_org: &r.review_org,
        };
        let org_status = if approve { "active" } else { "rejected" };
        if !store::set_registering_org(db, &r.org_id, org_status, &fields, &now)? {
            return Err(DomainError::Internal(format!("registration {id}: organisation not registering")));
        }
        let mut e = event(
            ctx,
            "unit_registration",
            &id.to_string(),
            if approve { "approve_registration" } else { "reject_registration" },
            serde_json::json!({ "org_id": r.org_id }),
        );
        e.from_state = Some("pending".into());
        e.to_state = Some(status.into());
        e.opinion = opinion.clone();
        audit::record(db, &e)?;
        if approve {
            // The registrant becomes the unit's first administrator (annex 3 §1.25) when
            // they signed in as a registered person.
            if let Some(op) = crate::workflow::session::first_admin(
                db,
                &r.registrant_sub,
                &r.org_id,
                Role::Unit,
                &ctx.who.sub,
                ctx.now,
            )? {
                audit::record(
                    db,
                    &event(
                        ctx,
                        "operator",
                        &op.to_string(),
                        "add_operator",
                        serde_json::json!({
                    "person_id": r.registrant_sub, "org": r.org_id, "duty": "admin"}),
                    ),
                )?;
            }
        }
        view(db, store::registration_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?)
    })
}

/// One registration, for its reviewer.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<RegistrationView, DomainError> {
    require_reviewer(ctx)?;
    view(ctx.db, reviewable(ctx, ctx.db, id)?)
}

/// Query filters: `status`, `q` (name contains or credit code equals).
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub status: Option<String>,
    pub q: Option<String>,
}

fn filter(ctx: &OpCtx<'_>, q: &Query) -> Filter {
    let mut f = Filter::default();
    if ctx.who.role == Role::Dept {
        f.and("review_org = ?", [ctx.who.org.as_str().into()]);
    }
    f.and_opt("status = ?", q.status.as_deref());
    if let Some(s) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        f.and("(name LIKE ? ESCAPE '\\' OR credit_code = ?)", [store::like(s).into(), s.to_ascii_uppercase().into()]);
    }
    f
}

/// A page of registrations for the caller to audit, newest first.
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<RegistrationView>, DomainError> {
    require_reviewer(ctx)?;
    let l = store::list(
        ctx.db,
        REGISTRATION_SELECT,
        "unit_registrations",
        &filter(ctx, q),
        "id DESC",
        Some((page.limit(), page.offset())),
        store::registration,
    )?;
    let items = l.rows.into_iter().map(|r| view(ctx.db, r)).collect::<Result<_, _>>()?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every registration matching the query, as a sheet.
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_reviewer(ctx)?;
    let all = store::list(
        ctx.db,
        REGISTRATION_SELECT,
        "unit_registrations",
        &filter(ctx, q),
        "id",
        None,
        store::registration,
    )?;
    let mut sheet = Sheet::new(
        "单位注册",
        &[
            "编号",
            "单位名称",
            "统一社会信用代码",
            "行政区划代码",
            "事业单位",
            "法定代表人",
            "经办人",
            "经办人电话",
            "审核机构",
            "状态",
            "审核意见",
            "提交时间",
        ],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name,
                r.credit_code,
                r.region_code,
                if r.public_institution { "是" } else { "否" }.into(),
                r.legal_representative,
                r.contact_name,
                r.contact_phone,
                r.review_org,
                status_label(&r.status).into(),
                r.opinion.unwrap_or_default(),
                r.created_at,
            ]
        })
        .collect();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RegistrationInput {
        RegistrationInput {
            credit_code: "91350100M000100Y43".into(),
            name: "湖南某科技有限公司".into(),
            region_code: "430100".into(),
            public_institution: false,
            legal_representative: "赵六".into(),
            contact_name: "钱七".into(),
            contact_phone: "0731-88888888".into(),
            address: String::new(),
            review_org: "ORG-CS-HR".into(),
            version: None,
        }
    }

    #[test]
    fn a_registration_creates_the_organisation_named_after_its_credit_code() {
        assert_eq!(validate(&input()).unwrap().org_id(), "ORG-91350100M000100Y43");
    }

    #[test]
    fn a_wrong_check_character_in_the_credit_code_is_refused_by_name() {
        let mut i = input();
        i.credit_code = "91350100M000100Y44".into();
        assert_eq!(validate(&i).unwrap_err().field(), Some("credit_code"));
    }

    #[test]
    fn the_exchanged_token_keeps_the_person_role_and_expiry_and_adds_only_the_org() {
        let who = Claims {
            sub: "reg-1".into(),
            name: "钱七".into(),
            role: Role::Unit,
            org: String::new(),
            exp: 99,
            sid: None,
            op: None,
        };
        let c = exchanged_claims(&who, "ORG-X", None);
        assert_eq!((c.sub.as_str(), c.role, c.exp, c.org.as_str()), ("reg-1", Role::Unit, 99, "ORG-X"));
    }
}

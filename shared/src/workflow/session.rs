//! Sign-in and operators (issue 11): registration of individuals, sign-in by ID number or
//! phone with lockout and throttling, short-lived access tokens with refresh, acting as an
//! operator of an organisation (or as a judge), sign-out, password change and reset, and
//! the organisation administrator's operators with delegations for an absence.
//!
//! Every access token names its session (`sid`) and, acting for an organisation, its
//! operator (`op`): admission (`crate::access::admit`) refuses a token whose session has
//! ended or whose operator is disabled or outside its validity, at once.

use super::{shanghai_today, stamp, OpCtx};
use crate::auth::{self, Claims, Role};
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::{DomainError, ErrorCode};
use crate::identity::{self, Duty};
use crate::store::people::{self as store, Operator, Person};
use crate::store::{with_tx, Db};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

const OPERATOR: &str = "操作员";

fn random_hex(n: usize) -> Result<String, DomainError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| DomainError::Internal(format!("random: {e}")))?;
    Ok(identity::hex(&b))
}

/// The Argon2id hash of a new password with a fresh random salt.
fn new_hash(password: &str) -> Result<String, DomainError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| DomainError::Internal(format!("random: {e}")))?;
    identity::hash_password(password, &salt)
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, DomainError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DomainError::Internal(format!("stored time {s}: {e}")))
}

/// The generic refusal of a sign-in: it never says whether the account exists.
fn login_failed() -> DomainError {
    DomainError::conflict(ErrorCode::LoginFailed, &[])
}

/// The account is locked until `until` (shown in Asia/Shanghai time).
fn locked(until: DateTime<Utc>) -> DomainError {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    DomainError::conflict(ErrorCode::AccountLocked, &[&until.with_timezone(&cst).format("%Y-%m-%d %H:%M")])
}

/// Body of "register".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub name: String,
    pub citizen_id: String,
    pub phone: String,
    pub password: String,
}

/// A registered person.
#[derive(Debug, Serialize)]
pub struct Registered {
    pub person_id: String,
    pub name: String,
}

/// Registers an individual (个人网厅 real-name account).
pub fn register(db: &dyn Db, now: DateTime<Utc>, req: Register) -> Result<Registered, DomainError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(DomainError::invalid("name", "请填写真实姓名（不超过30字）"));
    }
    let id = CitizenId::parse(&req.citizen_id).map_err(|e| DomainError::invalid("citizen_id", e.0))?;
    let phone = req.phone.trim();
    if !identity::valid_phone(phone) {
        return Err(DomainError::invalid("phone", "手机号码应为以1开头的11位数字"));
    }
    identity::check_password(&req.password, id.as_str(), phone)?;
    let hash = new_hash(&req.password)?;
    let person_id = format!("P{}", random_hex(8)?.to_ascii_uppercase());
    with_tx(db, |db| {
        let (by_id, by_phone) = store::person_exists(db, &crate::pii::index_for(&id)?, phone)?;
        if by_id {
            return Err(DomainError::conflict(ErrorCode::PersonExists, &[]));
        }
        if by_phone {
            return Err(DomainError::conflict(ErrorCode::PhoneTaken, &[]));
        }
        let t = stamp(now);
        // Issue 10: the number is stored as its token, found by its keyed index.
        let token = crate::pii::protect(db, &id)?;
        store::insert_person(db, &person_id, &crate::pii::index_for(&id)?, &token, name, phone, &hash, &t)?;
        let mut e = crate::audit::AuditEvent {
            subject_kind: "person".into(),
            subject_id: person_id.clone(),
            actor: person_id.clone(),
            role: "applicant".into(),
            org: String::new(),
            action: "register".into(),
            from_state: None,
            to_state: Some("active".into()),
            opinion: None,
            detail: None,
            at: t,
        };
        e.detail = Some(serde_json::json!({"citizen_id": id.mask()}));
        crate::audit::record(db, &e)?;
        // A committee's contact person who registers after the committee was set up.
        for office in crate::store::admin::offices_with_contact(db, &token)? {
            contact_person_admin(db, &token, &office, &person_id, now)?;
        }
        Ok(Registered { person_id: person_id.clone(), name: name.to_owned() })
    })
}

/// Body of "sign in".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// ID number or phone.
    pub account: String,
    pub password: String,
}

/// What a person may act as besides themself.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    /// The operator record (absent for the judge membership).
    pub operator_id: Option<i64>,
    pub role: String,
    pub org: String,
    pub org_name: String,
    /// 经办人 / 审核人 / 管理员, or 评委.
    pub title: String,
    pub valid_until: Option<String>,
    /// For a delegation: the operator it stands in for.
    pub delegated_from: Option<i64>,
}

/// The signed-in person, masked.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub person_id: String,
    pub name: String,
    pub citizen_id: String,
    pub must_change_password: bool,
}

/// The answer of sign-in, refresh and switch.
#[derive(Debug, Serialize)]
pub struct SignedIn {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub user: UserView,
    pub memberships: Vec<Membership>,
    pub role: String,
    pub org: String,
}

fn user_view(p: &Person) -> UserView {
    UserView {
        person_id: p.id.clone(),
        name: p.name.clone(),
        citizen_id: mask_str(&p.citizen_id),
        must_change_password: p.must_change,
    }
}

fn operator_valid(o: &Operator, today: NaiveDate) -> bool {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    o.status == "active"
        && d(&o.valid_from).is_some_and(|f| f <= today)
        && o.valid_until.as_deref().is_none_or(|u| d(u).is_some_and(|u| today <= u))
}

/// The person's memberships valid today: active operators in their windows, and the judge
/// membership when the expert pool holds the person.
pub fn memberships(db: &dyn Db, p: &Person, now: DateTime<Utc>) -> Result<Vec<Membership>, DomainError> {
    let today = shanghai_today(now);
    let mut out: Vec<Membership> = store::operators_of_person(db, &p.id)?
        .into_iter()
        .filter(|o| operator_valid(o, today))
        .map(|o| Membership {
            operator_id: Some(o.id),
            title: Duty::parse(&o.duty).map_or("", Duty::label).to_owned(),
            role: o.role,
            org: o.org,
            org_name: o.org_name,
            valid_until: o.valid_until,
            delegated_from: o.delegated_from,
        })
        .collect();
    if let Some((_, status)) = store::expert_of(db, &identity::id_hash(&p.citizen_id)?)? {
        if status == "active" {
            out.push(Membership {
                operator_id: None,
                role: "judge".into(),
                org: String::new(),
                org_name: String::new(),
                title: "评委".into(),
                valid_until: None,
                delegated_from: None,
            });
        }
    }
    Ok(out)
}

/// What a token acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ActAs {
    /// An operator record of the person.
    Operator {
        /// The operator id.
        operator_id: i64,
    },
    /// The person's judge membership.
    Judge {
        /// Must be `judge`.
        role: Role,
    },
}

fn claims_for(
    db: &dyn Db,
    p: &Person,
    sid: &str,
    act: Option<ActAs>,
    now: DateTime<Utc>,
) -> Result<Claims, DomainError> {
    let exp = (now + identity::ACCESS_TTL).timestamp();
    let base = Claims {
        sub: p.id.clone(),
        name: p.name.clone(),
        role: Role::Applicant,
        org: String::new(),
        exp,
        sid: Some(sid.to_owned()),
        op: None,
    };
    match act {
        None => Ok(base),
        Some(ActAs::Operator { operator_id }) => {
            let o = store::operator_by_id(db, operator_id)?
                .filter(|o| o.person_id == p.id && operator_valid(o, shanghai_today(now)))
                .ok_or(DomainError::NotFound(OPERATOR))?;
            let role =
                Role::parse(&o.role).ok_or_else(|| DomainError::Internal(format!("operator role {}", o.role)))?;
            Ok(Claims { role, org: o.org, op: Some(o.id), ..base })
        }
        Some(ActAs::Judge { role }) => {
            if role != Role::Judge {
                return Err(DomainError::invalid("role", "只能切换为评委身份或本人的操作员身份"));
            }
            let (expert, _) = store::expert_of(db, &identity::id_hash(&p.citizen_id)?)?
                .filter(|(_, s)| s == "active")
                .ok_or(DomainError::NotFound("评委身份"))?;
            Ok(Claims { sub: expert, role: Role::Judge, ..base })
        }
    }
}

fn signed_in(
    db: &dyn Db,
    secret: &[u8],
    p: &Person,
    sid: &str,
    refresh: String,
    act: Option<ActAs>,
    now: DateTime<Utc>,
) -> Result<SignedIn, DomainError> {
    let claims = claims_for(db, p, sid, act, now)?;
    Ok(SignedIn {
        access_token: auth::mint(secret, &claims),
        refresh_token: refresh,
        expires_in: identity::ACCESS_TTL.num_seconds(),
        user: user_view(p),
        memberships: memberships(db, p, now)?,
        role: claims.role.as_str().into(),
        org: claims.org,
    })
}

/// Signs in by ID number or phone and password: a new session, acting as the person.
/// Failures are counted per account (whether or not it exists) and per client address.
pub fn login(
    db: &dyn Db,
    secret: &[u8],
    now: DateTime<Utc>,
    client: &str,
    req: Login,
) -> Result<SignedIn, DomainError> {
    let account = req.account.trim().to_ascii_uppercase();
    if account.is_empty() {
        return Err(DomainError::invalid("account", "请输入身份证号码或手机号码"));
    }
    if req.password.is_empty() {
        return Err(DomainError::invalid("password", "请输入密码"));
    }
    let key = identity::account_key(&account);
    let t = stamp(now);
    // Throttling per client address and the lockout are checked before the password.
    let throttled = with_tx(db, |db| -> Result<Option<DomainError>, DomainError> {
        if let Some((start, n)) = store::throttle(db, client)? {
            if now < parse_time(&start)? + identity::THROTTLE_WINDOW && n >= identity::THROTTLE_FAILURES {
                return Ok(Some(DomainError::conflict(ErrorCode::TooManyAttempts, &[])));
            }
        }
        let (_, locked_until) = store::failures(db, &key)?;
        if let Some(until) = locked_until {
            let until = parse_time(&until)?;
            if now < until {
                return Ok(Some(locked(until)));
            }
        }
        Ok(None)
    })?;
    if let Some(e) = throttled {
        return Err(e);
    }
    let person = store::person_by_account(db, &account_index(&account)?, &account)?;
    // An unknown account costs one Argon2 computation too, so timing does not tell.
    let ok = match &person {
        Some(p) => identity::verify_password(&req.password, &p.password_hash) && p.status == "active",
        None => {
            let _same_cost = identity::hash_password(&req.password, &[0; 16]);
            false
        }
    };
    if !ok {
        let lock = with_tx(db, |db| -> Result<Option<DateTime<Utc>>, DomainError> {
            let (n, _) = store::failures(db, &key)?;
            let (n, lock) = identity::after_failure(n, now);
            store::set_failures(db, &key, n, lock.map(stamp).as_deref(), &t)?;
            let (start, m) = match store::throttle(db, client)? {
                Some((start, m)) if now < parse_time(&start)? + identity::THROTTLE_WINDOW => (start, m + 1),
                _ => (t.clone(), 1),
            };
            store::set_throttle(db, client, &start, m)?;
            Ok(lock)
        })?;
        return Err(match lock {
            Some(until) => locked(until),
            None => login_failed(),
        });
    }
    let p = person.ok_or_else(login_failed)?;
    with_tx(db, |db| {
        store::set_failures(db, &key, 0, None, &t)?;
        let (sid, refresh) = open_session(db, &p.id, now)?;
        signed_in(db, secret, &p, &sid, refresh, None, now)
    })
}

/// Body of "sign in through the province's identity service".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Federated {
    /// The identity service's token (RS256 / ES256 JWT).
    pub token: String,
    /// Act as this at once (absent: the operator of the token's organisation, if the
    /// person is one there; else the person).
    #[serde(default, flatten)]
    pub act: Option<ActAs>,
}

/// Signs in with a token of a configured identity provider (the province's unified
/// identity service): verified against the provider's keys, the token's ID number names
/// the person — found by it, or registered now without a password (they sign in only
/// through the provider) — and the subject stays linked to that person. A session of ours
/// follows, exactly as after a password sign-in; an organisation the token names selects
/// the person's operator record there. Every verification fault is `UNAUTHENTICATED`.
pub fn federated_login(
    db: &dyn Db,
    secret: &[u8],
    issuers_config: &str,
    now: DateTime<Utc>,
    req: Federated,
) -> Result<SignedIn, DomainError> {
    let issuers = identity::federation::issuers(issuers_config)?;
    let fid = identity::federation::verify(&issuers, req.token.trim(), now.timestamp())?;
    let new_id = format!("P{}", random_hex(8)?.to_ascii_uppercase());
    let t = stamp(now);
    with_tx(db, |db| {
        let id_hash = crate::pii::index_for(&fid.citizen_id)?;
        let linked = crate::store::commitments::federated_person(db, &fid.issuer, &fid.subject)?;
        let p = match linked {
            Some(pid) => store::person_by_id(db, &pid)?,
            None => store::person_by_account(db, &id_hash, "")?,
        };
        let p = match p {
            // A linked subject whose token now names another ID number is refused.
            Some(p) if identity::id_hash(&p.citizen_id)? != id_hash => return Err(DomainError::Unauthenticated),
            Some(p) => p,
            None => {
                // No local password: `!` is no PHC string, so password sign-in never matches.
                // The phone column is unique and required; the provider's subject stands in.
                let placeholder =
                    format!("federated:{}", &identity::token_hash(&format!("{}\n{}", fid.issuer, fid.subject))[..24]);
                let token = crate::pii::protect(db, &fid.citizen_id)?;
                store::insert_person(db, &new_id, &id_hash, &token, &fid.name, &placeholder, "!", &t)?;
                crate::audit::record(
                    db,
                    &crate::audit::AuditEvent {
                        subject_kind: "person".into(),
                        subject_id: new_id.clone(),
                        actor: new_id.clone(),
                        role: "applicant".into(),
                        org: String::new(),
                        action: "register_federated".into(),
                        from_state: None,
                        to_state: Some("active".into()),
                        opinion: None,
                        detail: Some(serde_json::json!({"citizen_id": fid.citizen_id.mask(), "issuer": fid.issuer})),
                        at: t.clone(),
                    },
                )?;
                store::person_by_id(db, &new_id)?.ok_or(DomainError::Unauthenticated)?
            }
        };
        if p.status != "active" {
            return Err(DomainError::Unauthenticated);
        }
        crate::store::commitments::link_federated(db, &fid.issuer, &fid.subject, &p.id, &t)?;
        let (sid, refresh) = open_session(db, &p.id, now)?;
        let act = match (req.act, &fid.org) {
            (Some(act), _) => Some(act),
            (None, Some(org)) => memberships(db, &p, now)?
                .into_iter()
                .find(|m| &m.org == org)
                .and_then(|m| m.operator_id)
                .map(|operator_id| ActAs::Operator { operator_id }),
            (None, None) => None,
        };
        signed_in(db, secret, &p, &sid, refresh, act, now)
    })
}

/// A new session of person `person_id` from `now` (ends at the absolute timeout): its id
/// and its first refresh token (only the token's hash is stored).
fn open_session(db: &dyn Db, person_id: &str, now: DateTime<Utc>) -> Result<(String, String), DomainError> {
    let sid = random_hex(16)?;
    let refresh = random_hex(32)?;
    store::insert_session(
        db,
        &sid,
        person_id,
        &identity::token_hash(&refresh),
        &stamp(now),
        &stamp(now + identity::ABSOLUTE_TIMEOUT),
    )?;
    Ok((sid, refresh))
}

/// Body of "refresh".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    pub refresh_token: String,
    /// Keep acting as this (absent: as the person).
    #[serde(default, flatten)]
    pub act: Option<ActAs>,
}

/// A new access token (and a new refresh token; the old one stops working) for a live
/// session.
pub fn refresh(db: &dyn Db, secret: &[u8], now: DateTime<Utc>, req: Refresh) -> Result<SignedIn, DomainError> {
    let refresh = random_hex(32)?;
    with_tx(db, |db| {
        let s = store::session_by_refresh(db, &identity::token_hash(req.refresh_token.trim()))?
            .filter(|s| s.revoked_at.is_none())
            .ok_or(DomainError::Unauthenticated)?;
        if !identity::session_alive(parse_time(&s.last_seen_at)?, parse_time(&s.expires_at)?, now) {
            store::revoke_session(db, &s.id, &stamp(now))?;
            return Err(DomainError::Unauthenticated);
        }
        let p = store::person_by_id(db, &s.person_id)?
            .filter(|p| p.status == "active")
            .ok_or(DomainError::Unauthenticated)?;
        store::rotate_session(db, &s.id, &identity::token_hash(&refresh), &stamp(now))?;
        signed_in(db, secret, &p, &s.id, refresh.clone(), req.act, now)
    })
}

fn session_person(ctx: &OpCtx<'_>) -> Result<(String, Person), DomainError> {
    let sid = ctx.who.sid.clone().ok_or_else(|| DomainError::conflict(ErrorCode::NoSession, &[]))?;
    let s = store::session_by_id(ctx.db, &sid)?.ok_or(DomainError::Unauthenticated)?;
    let p = store::person_by_id(ctx.db, &s.person_id)?.ok_or(DomainError::Unauthenticated)?;
    Ok((sid, p))
}

/// Acts as one of the person's memberships (or as the person again) in the same session.
pub fn switch(ctx: &OpCtx<'_>, secret: &[u8], act: Option<ActAs>) -> Result<SignedIn, DomainError> {
    let (sid, p) = session_person(ctx)?;
    let refresh = random_hex(32)?;
    with_tx(ctx.db, |db| {
        store::rotate_session(db, &sid, &identity::token_hash(&refresh), &stamp(ctx.now))?;
        signed_in(db, secret, &p, &sid, refresh.clone(), act, ctx.now)
    })
}

/// Who is signed in, and what they may act as.
#[derive(Debug, Serialize)]
pub struct Me {
    pub user: Option<UserView>,
    pub memberships: Vec<Membership>,
    pub role: String,
    pub org: String,
    pub operator_id: Option<i64>,
}

/// The caller.
pub fn me(ctx: &OpCtx<'_>) -> Result<Me, DomainError> {
    let person = match &ctx.who.sid {
        Some(_) => Some(session_person(ctx)?.1),
        None => None,
    };
    Ok(Me {
        memberships: match &person {
            Some(p) => memberships(ctx.db, p, ctx.now)?,
            None => Vec::new(),
        },
        user: person.as_ref().map(user_view),
        role: ctx.who.role.as_str().into(),
        org: ctx.who.org.clone(),
        operator_id: ctx.who.op,
    })
}

/// Ends the caller's session: its tokens are refused from now on.
pub fn logout(ctx: &OpCtx<'_>) -> Result<(), DomainError> {
    let (sid, _) = session_person(ctx)?;
    with_tx(ctx.db, |db| Ok(store::revoke_session(db, &sid, &stamp(ctx.now))?))
}

/// Body of "change password".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub old_password: String,
    pub new_password: String,
}

/// Changes the caller's own password; every session of the person ends.
pub fn change_password(ctx: &OpCtx<'_>, req: ChangePassword) -> Result<(), DomainError> {
    let (_, p) = session_person(ctx)?;
    if !identity::verify_password(&req.old_password, &p.password_hash) {
        return Err(DomainError::invalid("old_password", "原密码不正确"));
    }
    // The password rule compares with the person's own number: opened for it alone.
    let own = crate::pii::reveal(ctx.db, &p.citizen_id)?;
    identity::check_password(&req.new_password, own.as_str(), &p.phone).map_err(|e| match e {
        DomainError::Invalid { message, .. } => DomainError::invalid("new_password", message),
        e => e,
    })?;
    let hash = new_hash(&req.new_password)?;
    with_tx(ctx.db, |db| {
        let t = stamp(ctx.now);
        store::set_password(db, &p.id, &hash, false, &t)?;
        store::revoke_sessions_of(db, &p.id, &t)?;
        crate::audit::record(db, &ctx.event("person", &p.id, "change_password"))?;
        Ok(())
    })
}

// ---------------------------------------------------------------- operators

/// The caller as an administrator of its organisation: an operator token whose operator
/// has the duty `admin`, valid today.
fn require_admin(ctx: &OpCtx<'_>, db: &dyn Db) -> Result<Operator, DomainError> {
    let op = ctx.who.op.ok_or(DomainError::Forbidden)?;
    store::operator_by_id(db, op)?
        .filter(|o| o.duty == "admin" && o.org == ctx.who.org && operator_valid(o, shanghai_today(ctx.now)))
        .ok_or(DomainError::Forbidden)
}

/// One of the caller's organisation's operators; any other is a 404.
fn own_operator(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Operator, DomainError> {
    store::operator_by_id(db, id)?.filter(|o| o.org == ctx.who.org).ok_or(DomainError::NotFound(OPERATOR))
}

/// The caller's organisation's operators (its administrator).
pub fn list_operators(ctx: &OpCtx<'_>) -> Result<Vec<Operator>, DomainError> {
    require_admin(ctx, ctx.db)?;
    Ok(store::operators_of_org(ctx.db, &ctx.who.org)?)
}

/// Body of "add operator".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOperator {
    /// The person's ID number (they must have registered).
    pub citizen_id: String,
    pub duty: Duty,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

fn check_window(from: NaiveDate, until: Option<NaiveDate>) -> Result<(), DomainError> {
    if until.is_some_and(|u| u < from) {
        return Err(DomainError::invalid("valid_until", "有效期截止日不能早于起始日"));
    }
    Ok(())
}

fn person_of(db: &dyn Db, citizen_id: &str) -> Result<Person, DomainError> {
    let id = CitizenId::parse(citizen_id).map_err(|e| DomainError::invalid("citizen_id", e.0))?;
    store::person_by_account(db, &crate::pii::index_for(&id)?, "")?
        .ok_or_else(|| DomainError::invalid("citizen_id", "该身份证号码尚未在个人网厅注册，请其先注册"))
}

/// Adds an operator of the caller's organisation (its administrator).
pub fn add_operator(ctx: &OpCtx<'_>, req: NewOperator) -> Result<Operator, DomainError> {
    let from = req.valid_from.unwrap_or_else(|| shanghai_today(ctx.now));
    check_window(from, req.valid_until)?;
    with_tx(ctx.db, |db| {
        require_admin(ctx, db)?;
        let p = person_of(db, &req.citizen_id)?;
        let id = store::insert_operator(
            db,
            &p.id,
            &ctx.who.org,
            ctx.who.role.as_str(),
            req.duty.as_str(),
            &from.to_string(),
            req.valid_until.map(|d| d.to_string()).as_deref(),
            None,
            req.note.as_deref(),
            &ctx.who.sub,
            &stamp(ctx.now),
        )?;
        let mut e = ctx.event("operator", id, "add_operator");
        e.detail = Some(serde_json::json!({"person_id": p.id, "duty": req.duty.as_str()}));
        crate::audit::record(db, &e)?;
        store::operator_by_id(db, id)?.ok_or(DomainError::NotFound(OPERATOR))
    })
}

/// Body of "disable / enable operator".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Disables or re-enables an operator (its organisation's administrator); a disabled
/// operator's tokens are refused at once.
pub fn set_operator_enabled(
    ctx: &OpCtx<'_>,
    id: i64,
    enabled: bool,
    req: StatusChange,
) -> Result<Operator, DomainError> {
    with_tx(ctx.db, |db| {
        let admin = require_admin(ctx, db)?;
        let o = own_operator(ctx, db, id)?;
        if enabled == (o.status == "active") {
            return Err(DomainError::conflict(ErrorCode::OperatorAlreadyInState, &[]));
        }
        if !enabled && o.id == admin.id {
            return Err(DomainError::conflict(ErrorCode::CannotDisableSelf, &[]));
        }
        if req.version.is_some_and(|v| v != o.version) {
            return Err(DomainError::conflict(ErrorCode::OperatorStale, &[]));
        }
        let status = if enabled { "active" } else { "disabled" };
        if !store::set_operator_status(db, id, o.version, status, &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::OperatorStale, &[]));
        }
        let mut e = ctx.event("operator", id, if enabled { "enable_operator" } else { "disable_operator" });
        e.from_state = Some(o.status.clone());
        e.to_state = Some(status.into());
        e.opinion = req.reason.clone();
        crate::audit::record(db, &e)?;
        store::operator_by_id(db, id)?.ok_or(DomainError::NotFound(OPERATOR))
    })
}

/// Body of "delegate".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    /// The stand-in's ID number (a registered person).
    pub to_citizen_id: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub reason: String,
}

/// A time-boxed grant of an operator's duty to another person for an absence, recorded;
/// revoked by disabling it.
pub fn delegate(ctx: &OpCtx<'_>, id: i64, req: Delegation) -> Result<Operator, DomainError> {
    check_window(req.valid_from, Some(req.valid_until))?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写委托事由"));
    }
    with_tx(ctx.db, |db| {
        require_admin(ctx, db)?;
        let absent = own_operator(ctx, db, id)?;
        let p = person_of(db, &req.to_citizen_id).map_err(|e| match e {
            DomainError::Invalid { message, .. } => DomainError::invalid("to_citizen_id", message),
            e => e,
        })?;
        let new_id = store::insert_operator(
            db,
            &p.id,
            &absent.org,
            &absent.role,
            &absent.duty,
            &req.valid_from.to_string(),
            Some(&req.valid_until.to_string()),
            Some(absent.id),
            Some(req.reason.trim()),
            &ctx.who.sub,
            &stamp(ctx.now),
        )?;
        let mut e = ctx.event("operator", new_id, "delegate");
        e.detail = Some(serde_json::json!({"delegated_from": absent.id, "person_id": p.id,
            "valid_from": req.valid_from, "valid_until": req.valid_until}));
        e.opinion = Some(req.reason.trim().to_owned());
        crate::audit::record(db, &e)?;
        store::operator_by_id(db, new_id)?.ok_or(DomainError::NotFound(OPERATOR))
    })
}

/// A temporary password, shown once.
#[derive(Debug, Serialize)]
pub struct TemporaryPassword {
    pub temporary_password: String,
    pub must_change: bool,
}

/// Resets an operator's password (its organisation's administrator): a temporary password
/// that must be changed at the next sign-in; every session of the person ends.
pub fn reset_password(ctx: &OpCtx<'_>, id: i64) -> Result<TemporaryPassword, DomainError> {
    let temporary = format!("Tmp-{}!", random_hex(6)?);
    let hash = new_hash(&temporary)?;
    with_tx(ctx.db, |db| {
        require_admin(ctx, db)?;
        let o = own_operator(ctx, db, id)?;
        let t = stamp(ctx.now);
        store::set_password(db, &o.person_id, &hash, true, &t)?;
        store::revoke_sessions_of(db, &o.person_id, &t)?;
        crate::audit::record(db, &ctx.event("person", &o.person_id, "reset_password"))?;
        Ok(TemporaryPassword { temporary_password: temporary.clone(), must_change: true })
    })
}

/// Makes a registered person the first administrator of an organisation (an approved unit
/// registration, annex 3 §1.25; a committee's contact person, §1.10). Does nothing when the
/// person has not registered or already administers it.
pub fn first_admin(
    db: &dyn Db,
    person_id: &str,
    org: &str,
    role: Role,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DomainError> {
    if store::person_by_id(db, person_id)?.is_none() {
        return Ok(None);
    }
    if store::operators_of_person(db, person_id)?.iter().any(|o| o.org == org && o.duty == "admin") {
        return Ok(None);
    }
    let id = store::insert_operator(
        db,
        person_id,
        org,
        role.as_str(),
        "admin",
        &shanghai_today(now).to_string(),
        None,
        None,
        Some("首位管理员"),
        by,
        &stamp(now),
    )?;
    Ok(Some(id))
}

/// The committee's contact person (联系人, annex 3 §1.10 1.2: "联系人、身份证号即为评委会对应
/// 操作员") becomes the first administrator of the committee's office (its organising
/// organisation) — now if they have registered, else when they do ([`register`]). Audited.
pub fn contact_person_admin(
    db: &dyn Db,
    contact_citizen_id: &str,
    committee_office: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DomainError> {
    let Some(p) = store::person_by_account(db, &identity::id_hash(contact_citizen_id)?, "")? else {
        return Ok(None);
    };
    let Some(op) = first_admin(db, &p.id, committee_office, Role::CommitteeOrg, by, now)? else {
        return Ok(None);
    };
    crate::audit::record(
        db,
        &crate::audit::AuditEvent {
            subject_kind: "operator".into(),
            subject_id: op.to_string(),
            actor: by.to_owned(),
            role: "province".into(),
            org: String::new(),
            action: "add_operator".into(),
            from_state: None,
            to_state: Some("active".into()),
            opinion: None,
            detail: Some(serde_json::json!({
                "person_id": p.id, "org": committee_office, "duty": "admin", "reason": "评委会联系人（附件3 §1.10）"
            })),
            at: stamp(now),
        },
    )?;
    Ok(Some(op))
}

/// Admission of a token issued by sign-in: its session is live and not signed out, and
/// its operator (if any) is active, valid today, and the organisation and role it claims.
pub fn admit_session(db: &dyn Db, who: &Claims, now: DateTime<Utc>) -> Result<(), DomainError> {
    let Some(sid) = &who.sid else { return Ok(()) };
    let s = store::session_by_id(db, sid)?.filter(|s| s.revoked_at.is_none()).ok_or(DomainError::Unauthenticated)?;
    if now >= parse_time(&s.expires_at)? {
        return Err(DomainError::Unauthenticated);
    }
    let p =
        store::person_by_id(db, &s.person_id)?.filter(|p| p.status == "active").ok_or(DomainError::Unauthenticated)?;
    if who.role != Role::Judge && who.sub != p.id {
        return Err(DomainError::Unauthenticated);
    }
    if let Some(op) = who.op {
        let o = store::operator_by_id(db, op)?.ok_or(DomainError::Unauthenticated)?;
        if o.person_id != p.id
            || o.org != who.org
            || o.role != who.role.as_str()
            || !operator_valid(&o, shanghai_today(now))
        {
            return Err(DomainError::Unauthenticated);
        }
    } else if crate::access::needs_organisation(who.role) {
        // A signed-in person acts for an organisation only through an operator record.
        return Err(DomainError::Unauthenticated);
    }
    Ok(())
}

/// The sign-in account's index: an ID number's keyed index, else nothing that matches.
fn account_index(account: &str) -> Result<String, DomainError> {
    match CitizenId::parse(account) {
        Ok(id) => crate::pii::index_for(&id),
        Err(_) => Ok(String::new()),
    }
}

/// The signed-in applicant's own ID number (its stored token) (tokens from sign-in only; development tokens
/// minted on the host carry no session and are not bound).
pub fn own_citizen_id(db: &dyn Db, who: &Claims) -> Result<Option<String>, DomainError> {
    if who.role != Role::Applicant || who.sid.is_none() {
        return Ok(None);
    }
    Ok(store::person_by_id(db, &who.sub)?.map(|p| p.citizen_id))
}

//! The public pages (issue 17): publicity notices that anyone may read without signing in
//! (四(二)2 unit publicity, 六(一) result publicity), objections filed there, and what the
//! receiving office reads of them. Every public answer goes through [`projection`].
//!
//! A public objection is a letter to the office: filing one changes no application (so an
//! anonymous visitor cannot put anyone on hold). The office reads it in its signed-in API
//! and, once checked, records the formal objection through its own route
//! (`/api/unit/applications/{id}/objections`, `/api/results/applications/{id}/objections`),
//! which holds the person (四(二)2; 六(二) 有异议人员另行备案).

pub mod projection;

use super::{shanghai_today, stamp, OpCtx};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::error::{DomainError, ErrorCode};
use crate::store::certificates as cstore;
use crate::store::public::{self as store, NewObjection, PublicObjection, UnitEntry};
use crate::store::{reference, with_tx, Db};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use projection::{NoticeKind, NoticeStatus, PublicNotice, Source};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The notices of one unit or one committee, for its public page.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeBoard {
    /// The unit's organisation id or the committee id.
    pub owner: String,
    /// Its name.
    pub name: String,
    /// Open and upcoming notices first, then the closed ones still kept.
    pub notices: Vec<PublicNotice>,
}

/// Every visible notice, without its people (the public index).
#[derive(Debug, Clone, Serialize)]
pub struct NoticeIndex {
    /// How many days a closed notice stays public.
    pub retention_days: i64,
    pub notices: Vec<PublicNotice>,
}

/// The earliest last day a closed notice may have and still be public.
fn kept_from(today: NaiveDate, settings: &store::Settings) -> String {
    (today - Duration::days(settings.retention_days.max(0))).to_string()
}

/// Working days of a publicity, counted as the system sets them (R11, R18): an N-day
/// publicity opened on its start day ends on the N-th working day after it.
fn working_days(cal: &crate::calendar::WorkCalendar, start: &str, end: &str) -> Option<u32> {
    let start = NaiveDate::parse_from_str(start, "%Y-%m-%d").ok()?;
    let end = NaiveDate::parse_from_str(end, "%Y-%m-%d").ok()?;
    cal.working_days_between(start, end).ok()
}

/// A unit's people grouped into notices: one per (start, last day, complaint office, phone).
fn unit_notices(
    db: &dyn Db,
    cal: &crate::calendar::WorkCalendar,
    unit_org: &str,
    today: NaiveDate,
    kept: &str,
    with_people: bool,
) -> Result<Vec<PublicNotice>, DomainError> {
    let entries = store::unit_entries(db, unit_org, kept)?;
    let name = store::organisation_name(db, unit_org)?.unwrap_or_default();
    let mut groups: Vec<Vec<&UnitEntry>> = Vec::new();
    for e in &entries {
        let key = |x: &UnitEntry| {
            (x.start_on.clone(), x.end_on.clone(), x.complaint_office.clone(), x.complaint_phone.clone())
        };
        match groups.iter_mut().find(|g| key(g[0]) == key(e)) {
            Some(g) => g.push(e),
            None => groups.push(vec![e]),
        }
    }
    Ok(groups
        .iter()
        .map(|g| {
            let open = g.iter().any(|e| e.person.state == "unit_publicity");
            let wd = working_days(cal, &g[0].start_on, &g[0].end_on);
            projection::notice(Source::Unit { unit_org, unit_name: &name, entries: g, open }, today, wd, with_people)
        })
        .collect())
}

/// A committee's result publicities.
fn result_notices(
    db: &dyn Db,
    cal: &crate::calendar::WorkCalendar,
    committee: Option<&str>,
    today: NaiveDate,
    kept: &str,
    with_people: bool,
) -> Result<Vec<PublicNotice>, DomainError> {
    let mut out = Vec::new();
    for p in store::result_publicities(db, committee, kept)? {
        let committee_name = store::committee_name(db, &p.committee)?.unwrap_or_default();
        let mut people = Vec::new();
        for l in cstore::publicity_people(db, p.id)? {
            let unit = store::organisation_name(db, &l.unit_org)?.unwrap_or_default();
            people.push((l, unit));
        }
        let wd = working_days(cal, &p.start_on, &p.end_on);
        out.push(projection::notice(
            Source::Result { publicity: &p, committee_name: &committee_name, people: &people },
            today,
            wd,
            with_people,
        ));
    }
    Ok(out)
}

/// Open and upcoming first (by start date), then the closed ones (latest first).
fn order(notices: &mut [PublicNotice]) {
    notices.sort_by(|a, b| {
        let closed = |n: &PublicNotice| n.status == NoticeStatus::Closed;
        closed(a).cmp(&closed(b)).then_with(|| {
            if closed(a) {
                b.end_on.cmp(&a.end_on)
            } else {
                a.start_on.cmp(&b.start_on)
            }
        })
    });
}

/// Every visible notice, people counted but not listed.
pub fn index(db: &dyn Db, now: DateTime<Utc>) -> Result<NoticeIndex, DomainError> {
    let today = shanghai_today(now);
    let settings = store::settings(db)?;
    let kept = kept_from(today, &settings);
    let cal = reference::calendar(db)?;
    let mut notices = Vec::new();
    for unit in store::units_with_publicity(db, &kept)? {
        notices.extend(unit_notices(db, &cal, &unit, today, &kept, false)?);
    }
    notices.extend(result_notices(db, &cal, None, today, &kept, false)?);
    order(&mut notices);
    Ok(NoticeIndex { retention_days: settings.retention_days, notices })
}

/// A unit's public page: its visible publicity notices with their people (四(二)2).
pub fn unit_board(db: &dyn Db, now: DateTime<Utc>, unit_org: &str) -> Result<NoticeBoard, DomainError> {
    let name = store::organisation_name(db, unit_org)?.ok_or(DomainError::NotFound("单位"))?;
    let today = shanghai_today(now);
    let kept = kept_from(today, &store::settings(db)?);
    let mut notices = unit_notices(db, &reference::calendar(db)?, unit_org, today, &kept, true)?;
    order(&mut notices);
    Ok(NoticeBoard { owner: unit_org.to_owned(), name, notices })
}

/// A committee's public page: its visible result publicities with their people (六(一)).
pub fn committee_board(db: &dyn Db, now: DateTime<Utc>, committee: &str) -> Result<NoticeBoard, DomainError> {
    let name = store::committee_name(db, committee)?.ok_or(DomainError::NotFound("评审委员会"))?;
    let today = shanghai_today(now);
    let kept = kept_from(today, &store::settings(db)?);
    let mut notices = result_notices(db, &reference::calendar(db)?, Some(committee), today, &kept, true)?;
    order(&mut notices);
    Ok(NoticeBoard { owner: committee.to_owned(), name, notices })
}

/// Body of "file an objection" (`POST /api/public/objections`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileObjection {
    /// Which publicity: `unit` or `result`.
    pub kind: NoticeKind,
    /// The listed person's `item`.
    pub item: i64,
    /// 异议内容 (5 to 2000 characters).
    pub content: String,
    /// Optional name of the person objecting (never public).
    #[serde(default)]
    pub contact_name: Option<String>,
    /// Optional phone for the office to call back (never public).
    #[serde(default)]
    pub contact_phone: Option<String>,
}

/// The receipt of a filed objection.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// 回执编号: quote it when calling the complaint office.
    pub receipt_no: String,
    pub kind: NoticeKind,
    pub item: i64,
    /// The person objected to, as the notice lists them.
    pub name: String,
    /// Who receives it (the unit, or the committee).
    pub received_by: String,
    pub received_at: String,
}

/// The client address as stored: a hash, never the address (only the rate limit uses it).
pub fn client_key(address: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"zhicheng/public-objection/v1|");
    h.update(address.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn receipt_no(today: NaiveDate, id: i64, client_key: &str) -> String {
    let check: String =
        Sha256::digest(format!("{id}|{client_key}").as_bytes()).iter().take(2).map(|b| format!("{b:02X}")).collect();
    format!("YY{}{id:06}{check}", today.format("%Y%m%d"))
}

fn optional(field: &str, label: &str, v: &Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => Err(DomainError::invalid(field, format!("{label}不能超过{max}字"))),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// Checks the body, naming the field at fault.
fn check(req: &FileObjection) -> Result<(String, Option<String>, Option<String>), DomainError> {
    if req.item <= 0 {
        return Err(DomainError::invalid("item", "item 须为公示名单中的人员编号"));
    }
    let content = req.content.trim();
    let n = content.chars().count();
    if n < 5 {
        return Err(DomainError::invalid("content", "请填写异议内容（不少于5个字）"));
    }
    if n > 2000 {
        return Err(DomainError::invalid("content", "异议内容不能超过2000字"));
    }
    let name = optional("contact_name", "联系人姓名", &req.contact_name, 50)?;
    let phone = optional("contact_phone", "联系电话", &req.contact_phone, 20)?;
    if let Some(p) = &phone {
        if p.len() < 5 || !p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+') {
            return Err(DomainError::invalid("contact_phone", "联系电话格式不正确"));
        }
    }
    Ok((content.to_owned(), name, phone))
}

/// What the objection is filed against: the office receiving it, the result publicity,
/// the person's name and the period.
struct Target {
    office_org: String,
    publicity_id: Option<i64>,
    name: String,
    received_by: String,
    start_on: String,
    end_on: String,
    open: bool,
}

fn target(db: &dyn Db, kind: NoticeKind, item: i64, kept: &str) -> Result<Target, DomainError> {
    let not_listed = DomainError::NotFound("公示名单中的该人员");
    match kind {
        NoticeKind::Unit => {
            let e = store::unit_entry_of(db, item, kept)?.ok_or(not_listed)?;
            let received_by = store::organisation_name(db, &e.person.unit_org)?.unwrap_or_default();
            Ok(Target {
                office_org: e.person.unit_org.clone(),
                publicity_id: None,
                name: e.person.name.clone(),
                received_by,
                open: e.person.state == "unit_publicity",
                start_on: e.start_on,
                end_on: e.end_on,
            })
        }
        NoticeKind::Result => {
            let (pid, _) = cstore::entry(db, item)?.ok_or(not_listed.clone())?;
            // Visible as the public pages list it: open, or closed and still kept.
            let p = cstore::publicity(db, pid)?
                .filter(|p| p.status == "open" || p.end_on.as_str() >= kept)
                .ok_or(not_listed.clone())?;
            let l =
                cstore::publicity_people(db, pid)?.into_iter().find(|l| l.application_id == item).ok_or(not_listed)?;
            let received_by = store::committee_name(db, &p.committee)?.unwrap_or_default();
            Ok(Target {
                office_org: p.organising_org.clone(),
                publicity_id: Some(p.id),
                name: l.name,
                received_by,
                open: p.status == "open",
                start_on: p.start_on,
                end_on: p.end_on,
            })
        }
    }
}

/// Files an objection from a public page against one listed person of an open publicity,
/// for the office that publicised it. At most `objections_per_hour` per client address
/// (429 `OBJECTION_RATE_LIMITED`). Changes no application; audited.
pub fn file_objection(
    db: &dyn Db,
    now: DateTime<Utc>,
    client_address: &str,
    req: FileObjection,
) -> Result<Receipt, DomainError> {
    let (content, contact_name, contact_phone) = check(&req)?;
    let today = shanghai_today(now);
    let key = client_key(client_address);
    let at = stamp(now);
    with_tx(db, |db| {
        let settings = store::settings(db)?;
        let since = stamp(now - Duration::hours(1));
        if store::objections_since(db, &key, &since)? >= settings.objections_per_hour {
            return Err(DomainError::conflict(ErrorCode::ObjectionRateLimited, &[&settings.objections_per_hour]));
        }
        let t = target(db, req.kind, req.item, &kept_from(today, &settings))?;
        match projection::status(&t.start_on, &t.end_on, t.open, today) {
            NoticeStatus::Upcoming => {
                return Err(DomainError::conflict(ErrorCode::PublicityNotStarted, &[&t.start_on]));
            }
            NoticeStatus::Closed => return Err(DomainError::conflict(ErrorCode::PublicityEnded, &[])),
            NoticeStatus::Open => {}
        }
        let kind = match req.kind {
            NoticeKind::Unit => "unit",
            NoticeKind::Result => "result",
        };
        let (id, receipt) = store::insert_objection(
            db,
            &NewObjection {
                kind,
                application_id: req.item,
                publicity_id: t.publicity_id,
                office_org: &t.office_org,
                content: &content,
                contact_name: contact_name.as_deref(),
                contact_phone: contact_phone.as_deref(),
                client_key: &key,
                received_at: &at,
            },
            |id| receipt_no(today, id, &key),
        )?;
        audit::record(
            db,
            &AuditEvent {
                subject_kind: "public_objection".into(),
                subject_id: id.to_string(),
                actor: "public".into(),
                role: "public".into(),
                org: t.office_org.clone(),
                action: "file_public_objection".into(),
                from_state: None,
                to_state: None,
                opinion: None,
                detail: Some(serde_json::json!({ "kind": kind, "application_id": req.item, "receipt_no": receipt })),
                at: at.clone(),
            },
        )?;
        Ok(Receipt {
            receipt_no: receipt,
            kind: req.kind,
            item: req.item,
            name: t.name,
            received_by: t.received_by,
            received_at: at.clone(),
        })
    })
}

/// The public objections against one of the unit's applications (its publicity, 四(二)2).
pub fn received_by_unit(ctx: &OpCtx<'_>, application_id: i64) -> Result<Vec<PublicObjection>, DomainError> {
    ctx.require_role(Role::Unit)?;
    Ok(store::received(ctx.db, &ctx.who.org, Some("unit"), Some(application_id), None)?)
}

/// The public objections against the result publicities of the caller's committee
/// office, optionally of one publicity (六(一)).
pub fn received_by_office(ctx: &OpCtx<'_>, publicity_id: Option<i64>) -> Result<Vec<PublicObjection>, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    Ok(store::received(ctx.db, &ctx.who.org, Some("result"), None, publicity_id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(content: &str, phone: Option<&str>) -> FileObjection {
        FileObjection {
            kind: NoticeKind::Unit,
            item: 1,
            content: content.into(),
            contact_name: None,
            contact_phone: phone.map(str::to_owned),
        }
    }

    #[test]
    fn a_short_content_and_a_bad_phone_are_refused_by_name() {
        assert_eq!(check(&body("太短", None)).unwrap_err().field(), Some("content"));
        assert_eq!(check(&body("材料中的论文并非本人所写", Some("abc"))).unwrap_err().field(), Some("contact_phone"));
        assert!(check(&body("材料中的论文并非本人所写", Some("0731-8888888"))).is_ok());
        let mut b = body("材料中的论文并非本人所写", None);
        b.item = 0;
        assert_eq!(check(&b).unwrap_err().field(), Some("item"));
    }

    #[test]
    fn the_client_address_is_kept_only_as_a_hash() {
        let k = client_key("203.0.113.9");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("203"));
        assert_ne!(k, client_key("203.0.113.10"));
    }

    #[test]
    fn a_receipt_number_is_dated_and_numbered() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let r = receipt_no(day, 12, &client_key("x"));
        assert!(r.starts_with("YY20261130000012"), "{r}");
        assert_eq!(r.len(), 20);
    }
}

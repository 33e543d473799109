//! THE projection of the public pages: the one place that decides what of an internal
//! record people who never sign in may see. Every public answer about a publicity is built
//! here, from the internal records ([`ListedPerson`], [`Publicity`], [`UnitEntry`]).
//!
//! What a notice publishes (四(二)2 unit publicity; 六(一) result publicity): the issuer,
//! the period as dates, the complaint office and phone, and for each person the name, the
//! unit, the specialty and the title applied for. Never the ID number, the form, the
//! materials, the state, the applicant's account or anything else of the record.

use crate::domain::application::TitleLevel;
use crate::store::certificates::{ListedPerson, Publicity};
use crate::store::public::UnitEntry;
use chrono::NaiveDate;
use serde::Serialize;

/// Which publicity a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 单位公示 (四(二)2): a unit publicises the applicants it means to recommend.
    Unit,
    /// 评审结果公示 (六(一)): a committee's organising unit publicises who passed.
    Result,
}

/// Where a notice stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// Announced, not started: objections open on the first day.
    Upcoming,
    /// Running: objections are received.
    Open,
    /// Over; kept public for the configured days after its last day.
    Closed,
}

/// One person as a notice publishes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicPerson {
    /// What an objection names (`item` of `POST /api/public/objections`).
    pub item: i64,
    /// 姓名.
    pub name: String,
    /// 工作单位.
    pub unit: String,
    /// 申报专业 / 评审专业.
    pub specialty: String,
    /// 申报（评审通过）资格: series and level, e.g. 卫生系列副高级.
    pub title: String,
}

/// One publicity notice as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicNotice {
    pub kind: NoticeKind,
    /// A unit's organisation id, or a committee id: whose page lists it.
    pub owner: String,
    /// The unit's or the committee's name.
    pub issuer: String,
    /// First and last day of the publicity (YYYY-MM-DD, Asia/Shanghai).
    pub start_on: String,
    pub end_on: String,
    /// Working days from the first to the last day, by the official calendar (absent when
    /// the calendar of that year is not loaded).
    pub working_days: Option<u32>,
    pub status: NoticeStatus,
    /// Whether an objection may be filed today.
    pub accepting_objections: bool,
    /// 投诉受理部门 and its phone.
    pub complaint_office: String,
    pub complaint_phone: String,
    /// How many people the notice lists.
    pub people_count: usize,
    /// The people (absent in the index of notices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<PublicPerson>>,
}

/// The internal records a notice is built from.
pub enum Source<'a> {
    /// People of one unit publicity (same unit, dates and complaint office), with the
    /// unit's name; `open` when some of them are still in it (not closed by the timer).
    Unit { unit_org: &'a str, unit_name: &'a str, entries: &'a [&'a UnitEntry], open: bool },
    /// A result publicity, its committee's name, and its people with their units' names.
    Result { publicity: &'a Publicity, committee_name: &'a str, people: &'a [(ListedPerson, String)] },
}

/// The title applied for, as a notice prints it (卫生系列副高级).
fn title(series: &str, level: &str) -> String {
    let level = crate::store::chain::parse_level(level).map_or("", TitleLevel::label);
    if series.is_empty() {
        level.to_owned()
    } else {
        format!("{series}系列{level}")
    }
}

/// THE person projection: name, unit, specialty, title — nothing else of the record.
pub fn person(p: &ListedPerson, unit_name: &str) -> PublicPerson {
    PublicPerson {
        item: p.application_id,
        name: p.name.clone(),
        unit: unit_name.to_owned(),
        specialty: p.specialty.clone(),
        title: title(&p.series, &p.level),
    }
}

/// Where a period stands on `today`; `open` says the record is still in publicity.
pub fn status(start_on: &str, end_on: &str, open: bool, today: NaiveDate) -> NoticeStatus {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    match (day(start_on), day(end_on)) {
        _ if !open => NoticeStatus::Closed,
        (Some(start), _) if today < start => NoticeStatus::Upcoming,
        (_, Some(end)) if today > end => NoticeStatus::Closed,
        _ => NoticeStatus::Open,
    }
}

/// THE notice projection. `working_days` counts the period by the calendar (the caller
/// has it); `with_people: false` gives the index's form (the count only).
pub fn notice(source: Source<'_>, today: NaiveDate, working_days: Option<u32>, with_people: bool) -> PublicNotice {
    let (kind, owner, issuer, start_on, end_on, open, office, phone, people) = match source {
        Source::Unit { unit_org, unit_name, entries, open } => {
            let first = entries.first();
            let terms = |f: fn(&UnitEntry) -> &String| first.map(|e| f(e).clone()).unwrap_or_default();
            (
                NoticeKind::Unit,
                unit_org.to_owned(),
                unit_name.to_owned(),
                terms(|e| &e.start_on),
                terms(|e| &e.end_on),
                open,
                terms(|e| &e.complaint_office),
                terms(|e| &e.complaint_phone),
                entries.iter().map(|e| person(&e.person, unit_name)).collect::<Vec<_>>(),
            )
        }
        Source::Result { publicity: p, committee_name, people } => (
            NoticeKind::Result,
            p.committee.clone(),
            committee_name.to_owned(),
            p.start_on.clone(),
            p.end_on.clone(),
            p.status == "open",
            p.complaint_office.clone(),
            p.complaint_phone.clone(),
            people.iter().map(|(l, unit)| person(l, unit)).collect(),
        ),
    };
    let status = status(&start_on, &end_on, open, today);
    PublicNotice {
        kind,
        owner,
        issuer,
        start_on,
        end_on,
        working_days,
        status,
        accepting_objections: status == NoticeStatus::Open,
        complaint_office: office,
        complaint_phone: phone,
        people_count: people.len(),
        people: with_people.then_some(people),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "430102198503151236";

    fn listed() -> ListedPerson {
        ListedPerson {
            application_id: 7,
            name: "张三".into(),
            citizen_id: Some(ID.into()),
            unit_org: "ORG-H".into(),
            series: "卫生".into(),
            level: "deputy_senior".into(),
            specialty: "内科学".into(),
            state: "result_on_hold".into(),
            version: 3,
        }
    }

    fn publicity() -> Publicity {
        Publicity {
            id: 4,
            committee: "CMT-HEALTH".into(),
            organising_org: "ORG-OFFICE".into(),
            batch_year: 2026,
            plan_id: Some(9),
            voted_on: "2026-11-20".into(),
            open_deadline: "2026-11-25".into(),
            start_on: "2026-11-23".into(),
            end_on: "2026-11-27".into(),
            opened_late: true,
            complaint_office: "评审办".into(),
            complaint_phone: "0731-1".into(),
            filing_deadline: "2026-12-11".into(),
            status: "open".into(),
            closed_on: None,
            opened_by: "op-secret-sub".into(),
            opened_at: "2026-11-21T01:00:00Z".into(),
            version: 2,
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_published_person_carries_exactly_name_unit_specialty_title_and_the_item() {
        let v = serde_json::to_value(person(&listed(), "某医院")).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["item", "name", "specialty", "title", "unit"]);
        assert_eq!(v["title"], "卫生系列副高级");
        assert!(!v.to_string().contains(ID) && !v.to_string().contains("result_on_hold"));
    }

    #[test]
    fn a_result_notice_shows_nothing_of_the_internal_records() {
        let p = publicity();
        let people = [(listed(), "某医院".to_owned())];
        let n = notice(
            Source::Result { publicity: &p, committee_name: "卫生高评会", people: &people },
            day("2026-11-24"),
            Some(5),
            true,
        );
        let text = serde_json::to_string(&n).unwrap();
        for private in [ID, "op-secret-sub", "ORG-OFFICE", "2026-11-20", "2026-12-11", "opened_late", "version", "plan"]
        {
            assert!(!text.contains(private), "{private} leaked: {text}");
        }
        assert_eq!(n.status, NoticeStatus::Open);
        assert!(n.accepting_objections);
        assert_eq!(n.people_count, 1);
    }

    #[test]
    fn the_status_follows_the_dates_and_the_record() {
        assert_eq!(status("2026-11-30", "2026-12-04", true, day("2026-11-27")), NoticeStatus::Upcoming);
        assert_eq!(status("2026-11-30", "2026-12-04", true, day("2026-11-30")), NoticeStatus::Open);
        assert_eq!(status("2026-11-30", "2026-12-04", true, day("2026-12-04")), NoticeStatus::Open);
        assert_eq!(status("2026-11-30", "2026-12-04", true, day("2026-12-05")), NoticeStatus::Closed);
        assert_eq!(status("2026-11-30", "2026-12-04", false, day("2026-12-01")), NoticeStatus::Closed);
    }

    #[test]
    fn the_index_form_counts_people_without_listing_them() {
        let p = publicity();
        let people = [(listed(), "某医院".to_owned())];
        let n = notice(
            Source::Result { publicity: &p, committee_name: "卫生高评会", people: &people },
            day("2026-12-01"),
            None,
            false,
        );
        let v = serde_json::to_value(&n).unwrap();
        assert!(v.get("people").is_none());
        assert_eq!(v["people_count"], 1);
        assert_eq!(v["status"], "closed");
    }
}

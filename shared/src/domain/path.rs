//! Audit paths (annex 3 §1.4–1.8, §1.28): from the unit, follow "lower → upper" edges for
//! the title level and acquisition method until the organising unit of the chosen
//! committee, which rechecks. Pure: the caller loads the edges and the committee.
//! A path that does not reach a recognised committee reports the exact break and who
//! must fix it.

use crate::domain::application::TitleLevel;
use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How the title is acquired (取得方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 评审
    Review,
    /// 初定
    Initial,
    /// 认定
    Recognition,
}

impl Method {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Review => "review",
            Method::Initial => "initial",
            Method::Recognition => "recognition",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Method> {
        [Method::Review, Method::Initial, Method::Recognition].into_iter().find(|m| m.as_str() == s)
    }

    /// Chinese label (取得方式).
    pub fn label(self) -> &'static str {
        method_label(self)
    }
}

/// The tier of a review committee (annex 3 §1.6–1.8): which levels it judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeTier {
    /// 初评会: 员级 and 助理级 (§1.6)
    Junior,
    /// 中评会: 中级 (§1.7)
    Intermediate,
    /// 高评会: 副高级 and 正高级 (§1.8)
    Senior,
}

impl CommitteeTier {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitteeTier::Junior => "junior",
            CommitteeTier::Intermediate => "intermediate",
            CommitteeTier::Senior => "senior",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<CommitteeTier> {
        [CommitteeTier::Junior, CommitteeTier::Intermediate, CommitteeTier::Senior]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CommitteeTier::Junior => "初评会",
            CommitteeTier::Intermediate => "中评会",
            CommitteeTier::Senior => "高评会",
        }
    }

    /// The tier that judges `level`.
    pub fn of_level(level: TitleLevel) -> CommitteeTier {
        match level {
            TitleLevel::Junior | TitleLevel::Assistant => CommitteeTier::Junior,
            TitleLevel::Intermediate => CommitteeTier::Intermediate,
            TitleLevel::DeputySenior | TitleLevel::FullSenior => CommitteeTier::Senior,
        }
    }
}

/// What an organisation on the path does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 上级审核 (annex 2 §1.1.3)
    Audit,
    /// 形式审查 (四(三), annex 3 §1.12)
    FormalReview,
    /// 材料复核 by the committee's organising unit (四(四), annex 2 §1.2.1)
    Recheck,
}

impl StepKind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Audit => "audit",
            StepKind::FormalReview => "formal_review",
            StepKind::Recheck => "recheck",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<StepKind> {
        [StepKind::Audit, StepKind::FormalReview, StepKind::Recheck].into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Audit => "上级审核",
            StepKind::FormalReview => "形式审查",
            StepKind::Recheck => "材料复核",
        }
    }
}

/// One active edge: `upper` audits what `lower` sends up, doing `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub lower: String,
    pub upper: String,
    pub step: StepKind,
    /// The lower declined the designation (annex 2 §1.6.2): the path breaks here.
    pub declined: bool,
    /// The lower has not yet confirmed the designation: the edge is not used yet.
    pub pending: bool,
}

/// One step of a resolved path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStep {
    /// The organisation acting at this step.
    pub org: String,
    /// What it does.
    pub kind: StepKind,
}

/// The committee as the resolution needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeFacts {
    pub id: String,
    pub organising_org: String,
    pub series: String,
    pub max_level: TitleLevel,
    /// 初评会 / 中评会 / 高评会: the levels it judges.
    pub tier: CommitteeTier,
    pub is_final: bool,
    pub active: bool,
    pub valid_until: chrono::NaiveDate,
    pub specialties: HashSet<String>,
}

/// Where and why a path breaks, and who must fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathBreak {
    /// Stable code.
    pub code: ErrorCode,
    /// Chinese explanation (the code's template, filled in).
    pub message: String,
    /// The organisation or committee where it breaks.
    pub at: String,
    /// Who must fix it (Chinese).
    pub fixer: String,
}

/// What the resolution is asked.
#[derive(Debug, Clone)]
pub struct PathQuery<'a> {
    pub unit: &'a str,
    pub series: &'a str,
    pub specialty: &'a str,
    pub level: TitleLevel,
    pub method: Method,
    pub today: chrono::NaiveDate,
}

/// An acceptance institution (受理机构, annex 3 §1.3) as the resolution of a 初定 or 认定
/// path needs it: the path ends at its organisation, which rechecks and approves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionFacts {
    pub id: i64,
    pub org: String,
    pub level: TitleLevel,
    pub method: Method,
    pub active: bool,
}

/// Longest plausible chain; anything longer is a configuration loop.
const MAX_STEPS: usize = 12;

/// Resolves the whole chain from the unit to the committee's recheck, or the break.
/// `edges` are the active edges for the query's level and method, keyed by lower org.
pub fn resolve(
    q: &PathQuery<'_>,
    edges: &HashMap<String, Edge>,
    committee: Option<&CommitteeFacts>,
) -> Result<Vec<PathStep>, PathBreak> {
    let committee = committee.ok_or_else(|| PathBreak {
        code: ErrorCode::CommitteeNotFound,
        message: ErrorCode::CommitteeNotFound.render(&[]),
        at: String::new(),
        fixer: "申报人重新选择评委会".into(),
    })?;
    check_committee(q, committee)?;
    let steps = climb(q, edges, &committee.organising_org)?;
    let has_formal_review = steps.iter().any(|s| s.kind == StepKind::FormalReview);
    let self_review = steps.len() == 1;
    if !has_formal_review && !self_review {
        return Err(PathBreak {
            code: ErrorCode::NoFormalReview,
            message: ErrorCode::NoFormalReview.render(&[]),
            at: steps.last().map(|s| s.org.clone()).unwrap_or_default(),
            fixer: "省人社厅将路径中的市州人社局或省直厅局设为形式审查".into(),
        });
    }
    Ok(steps)
}

/// Resolves a 初定 or 认定 chain (annex 3 §1.4–1.5): from the unit to the acceptance
/// institution chosen, which rechecks (its qualification review is the formal review, so
/// none is required on the way) and then approves — no committee, no vote.
pub fn resolve_to_institution(
    q: &PathQuery<'_>,
    edges: &HashMap<String, Edge>,
    institution: Option<&InstitutionFacts>,
    asked: &str,
) -> Result<Vec<PathStep>, PathBreak> {
    let what = format!("{}{}", q.level.label(), method_label(q.method));
    let inst =
        institution.filter(|i| i.active && i.level == q.level && i.method == q.method).ok_or_else(|| PathBreak {
            code: ErrorCode::InstitutionNotAccepting,
            message: ErrorCode::InstitutionNotAccepting.render(&[&asked, &what, &"受理机构"]),
            at: asked.to_owned(),
            fixer: "申报人重新选择受理机构，或由省人社厅配置受理机构（附件3 §1.3）".into(),
        })?;
    climb(q, edges, &inst.org)
}

/// Follows the edges from the unit up to `terminal`, which rechecks.
fn climb(q: &PathQuery<'_>, edges: &HashMap<String, Edge>, terminal: &str) -> Result<Vec<PathStep>, PathBreak> {
    let mut steps = Vec::new();
    let mut seen = HashSet::from([q.unit.to_owned()]);
    let mut current = q.unit.to_owned();
    while current != terminal {
        let edge = edges.get(&current).ok_or_else(|| PathBreak {
            code: ErrorCode::NoUpper,
            message: ErrorCode::NoUpper
                .render(&[&current, &format!("{}（{}）", q.level.label(), method_label(q.method))]),
            at: current.clone(),
            fixer: format!("由 {current} 的上级单位在“指定下级”中添加该单位，或由省人社厅配置审核路径"),
        })?;
        if edge.declined || edge.pending {
            let code = if edge.declined { ErrorCode::DesignationDeclined } else { ErrorCode::DesignationPending };
            return Err(PathBreak {
                code,
                message: code.render(&[
                    &current,
                    &edge.upper,
                    &format!("{}（{}）", q.level.label(), method_label(q.method)),
                ]),
                at: current.clone(),
                fixer: if edge.declined {
                    format!("{} 与 {current} 协商后重新指定下级，或由省人社厅调整审核路径", edge.upper)
                } else {
                    format!("{current} 在“审核层级配置单位确认”中确认该指定")
                },
            });
        }
        if !seen.insert(edge.upper.clone()) || steps.len() >= MAX_STEPS {
            return Err(PathBreak {
                code: ErrorCode::PathLoop,
                message: ErrorCode::PathLoop.render(&[&edge.upper]),
                at: edge.upper.clone(),
                fixer: "省人社厅检查并修正审核路径配置".into(),
            });
        }
        let kind = if edge.upper == terminal { StepKind::Recheck } else { edge.step };
        steps.push(PathStep { org: edge.upper.clone(), kind });
        current = edge.upper.clone();
    }
    if steps.is_empty() {
        // The unit is itself the organising unit (自主评审): it rechecks its own.
        steps.push(PathStep { org: terminal.to_owned(), kind: StepKind::Recheck });
    }
    Ok(steps)
}

/// R20 (七(四), annex 3 §1.10): the committee must be active, within validity, a final
/// authority, of the series, for the level, and may review the specialty.
pub fn check_committee(q: &PathQuery<'_>, c: &CommitteeFacts) -> Result<(), PathBreak> {
    let fixer = "省人社厅（评委会管理）".to_owned();
    let brk = |code: ErrorCode, args: &[&dyn std::fmt::Display]| PathBreak {
        code,
        message: code.render(args),
        at: c.id.clone(),
        fixer: fixer.clone(),
    };
    if !c.active {
        return Err(brk(ErrorCode::CommitteeCancelled, &[&c.id]));
    }
    if c.valid_until < q.today {
        return Err(brk(ErrorCode::CommitteeExpired, &[&c.id, &c.valid_until]));
    }
    if !c.is_final {
        return Err(brk(ErrorCode::CommitteeNotFinal, &[&c.id]));
    }
    if c.series != q.series {
        return Err(brk(ErrorCode::CommitteeSeriesMismatch, &[&c.id, &q.series]));
    }
    if q.level > c.max_level {
        return Err(brk(ErrorCode::CommitteeLevelExceeded, &[&c.id, &q.level.label()]));
    }
    if CommitteeTier::of_level(q.level) != c.tier {
        return Err(brk(ErrorCode::CommitteeTierMismatch, &[&c.id, &c.tier.label(), &q.level.label()]));
    }
    if !c.specialties.contains(q.specialty) {
        return Err(brk(ErrorCode::CommitteeSpecialtyNotCovered, &[&c.id, &q.specialty]));
    }
    Ok(())
}

fn method_label(m: Method) -> &'static str {
    match m {
        Method::Review => "评审",
        Method::Initial => "初定",
        Method::Recognition => "认定",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn committee() -> CommitteeFacts {
        CommitteeFacts {
            id: "CMT-ENG".into(),
            organising_org: "ORG-CMT".into(),
            series: "工程".into(),
            max_level: TitleLevel::FullSenior,
            tier: CommitteeTier::Senior,
            is_final: true,
            active: true,
            valid_until: d("2026-12-31"),
            specialties: HashSet::from(["土木工程".to_owned()]),
        }
    }

    fn edges() -> HashMap<String, Edge> {
        [
            ("ORG-UNIT", "ORG-DEPT", StepKind::Audit),
            ("ORG-DEPT", "ORG-CITY", StepKind::FormalReview),
            ("ORG-CITY", "ORG-CMT", StepKind::Audit),
        ]
        .into_iter()
        .map(|(l, u, s)| {
            (l.to_owned(), Edge { lower: l.into(), upper: u.into(), step: s, declined: false, pending: false })
        })
        .collect()
    }

    fn q() -> PathQuery<'static> {
        PathQuery {
            unit: "ORG-UNIT",
            series: "工程",
            specialty: "土木工程",
            level: TitleLevel::DeputySenior,
            method: Method::Review,
            today: d("2024-10-01"),
        }
    }

    #[test]
    fn a_four_level_chain_resolves_to_the_committees_recheck() {
        let steps = resolve(&q(), &edges(), Some(&committee())).unwrap();
        let kinds: Vec<_> = steps.iter().map(|s| (s.org.as_str(), s.kind)).collect();
        assert_eq!(
            kinds,
            vec![("ORG-DEPT", StepKind::Audit), ("ORG-CITY", StepKind::FormalReview), ("ORG-CMT", StepKind::Recheck)]
        );
    }

    #[test]
    fn a_missing_upper_names_the_organisation_and_who_fixes_it() {
        let mut e = edges();
        e.remove("ORG-DEPT");
        let b = resolve(&q(), &e, Some(&committee())).unwrap_err();
        assert_eq!((b.code.as_str(), b.at.as_str()), ("NO_UPPER", "ORG-DEPT"));
        assert!(b.fixer.contains("指定下级"));
    }

    #[test]
    fn r20_a_committee_past_its_validity_is_not_recognised() {
        let c = CommitteeFacts { valid_until: d("2024-09-30"), ..committee() };
        assert_eq!(resolve(&q(), &edges(), Some(&c)).unwrap_err().code.as_str(), "COMMITTEE_EXPIRED");
    }

    #[test]
    fn r20_a_committee_reviewing_outside_its_specialties_is_not_recognised() {
        let q = PathQuery { specialty: "建筑学", ..q() };
        assert_eq!(
            resolve(&q, &edges(), Some(&committee())).unwrap_err().code.as_str(),
            "COMMITTEE_SPECIALTY_NOT_COVERED"
        );
    }

    #[test]
    fn a_committee_that_is_not_a_final_authority_breaks_the_path() {
        let c = CommitteeFacts { is_final: false, ..committee() };
        assert_eq!(resolve(&q(), &edges(), Some(&c)).unwrap_err().code.as_str(), "COMMITTEE_NOT_FINAL");
    }

    #[test]
    fn a_loop_in_the_configuration_is_reported_not_followed_forever() {
        let mut e = edges();
        e.insert(
            "ORG-CITY".into(),
            Edge {
                lower: "ORG-CITY".into(),
                upper: "ORG-DEPT".into(),
                step: StepKind::Audit,
                declined: false,
                pending: false,
            },
        );
        assert_eq!(resolve(&q(), &e, Some(&committee())).unwrap_err().code.as_str(), "PATH_LOOP");
    }

    #[test]
    fn a_path_without_formal_review_is_a_break() {
        let mut e = edges();
        e.get_mut("ORG-DEPT").unwrap().step = StepKind::Audit;
        assert_eq!(resolve(&q(), &e, Some(&committee())).unwrap_err().code.as_str(), "NO_FORMAL_REVIEW");
    }

    #[test]
    fn a_self_reviewing_unit_rechecks_its_own_applications() {
        let c = CommitteeFacts { organising_org: "ORG-UNIT".into(), ..committee() };
        let steps = resolve(&q(), &edges(), Some(&c)).unwrap();
        assert_eq!(steps, vec![PathStep { org: "ORG-UNIT".into(), kind: StepKind::Recheck }]);
    }

    #[test]
    fn a_senior_committee_does_not_judge_an_intermediate_title() {
        let q = PathQuery { level: TitleLevel::Intermediate, ..q() };
        let b = resolve(&q, &edges(), Some(&committee())).unwrap_err();
        assert_eq!(b.code.as_str(), "COMMITTEE_TIER_MISMATCH");
        let mid =
            CommitteeFacts { tier: CommitteeTier::Intermediate, max_level: TitleLevel::Intermediate, ..committee() };
        assert_eq!(resolve(&q, &edges(), Some(&mid)).unwrap().len(), 3);
        let senior = PathQuery { level: TitleLevel::DeputySenior, ..q };
        assert_eq!(resolve(&senior, &edges(), Some(&mid)).unwrap_err().code.as_str(), "COMMITTEE_LEVEL_EXCEEDED");
    }

    #[test]
    fn an_initial_appointment_ends_at_the_acceptance_institution_without_formal_review() {
        let q = PathQuery { level: TitleLevel::Assistant, method: Method::Initial, ..q() };
        let mut e = edges();
        e.get_mut("ORG-DEPT").unwrap().step = StepKind::Audit;
        let inst = InstitutionFacts {
            id: 7,
            org: "ORG-CITY".into(),
            level: TitleLevel::Assistant,
            method: Method::Initial,
            active: true,
        };
        let steps = resolve_to_institution(&q, &e, Some(&inst), "7").unwrap();
        assert_eq!(
            steps,
            vec![
                PathStep { org: "ORG-DEPT".into(), kind: StepKind::Audit },
                PathStep { org: "ORG-CITY".into(), kind: StepKind::Recheck }
            ]
        );
        let recognition = InstitutionFacts { method: Method::Recognition, ..inst };
        let b = resolve_to_institution(&q, &e, Some(&recognition), "7").unwrap_err();
        assert_eq!((b.code.as_str(), b.at.as_str()), ("INSTITUTION_NOT_ACCEPTING", "7"));
    }

    #[test]
    fn a_declined_designation_breaks_the_path_at_the_lower_that_declined() {
        let mut e = edges();
        e.get_mut("ORG-DEPT").unwrap().declined = true;
        let b = resolve(&q(), &e, Some(&committee())).unwrap_err();
        assert_eq!((b.code.as_str(), b.at.as_str()), ("DESIGNATION_DECLINED", "ORG-DEPT"));
        assert!(b.message.contains("ORG-CITY"), "{}", b.message);
    }
}

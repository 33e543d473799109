//! The committee's evaluation, pure: the verifiable judge draw with recusal (R14), the
//! pass rule, pass-rate control (R15) and quota double control (R10) of the tally.

use crate::error::{DomainError, ErrorCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

/// An expert as the draw sees it (the pool snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolExpert {
    pub id: String,
    pub specialty: String,
    pub org: String,
    /// The expert's own ID number, hashed (so a participant cannot be drawn).
    pub person: String,
}

/// One expert need of a plan: how many judges of which specialty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertNeed {
    pub specialty: String,
    pub count: u32,
}

/// Who may not be drawn for this plan (R14 recusal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    /// Units of the participants: their experts are never drawn.
    pub participant_orgs: HashSet<String>,
    /// Hashed ID numbers of the participants: a participant is never drawn.
    pub participant_persons: HashSet<String>,
    /// Experts who declared a relation with a participant.
    pub related_experts: HashSet<String>,
}

impl Recusal {
    /// Whether the expert must recuse.
    pub fn excludes(&self, e: &PoolExpert) -> bool {
        self.participant_orgs.contains(&e.org)
            || self.participant_persons.contains(&e.person)
            || self.related_experts.contains(&e.id)
    }
}

/// SHA-256 hex of the seed: what the committee commits to when the plan is approved.
pub fn commitment(seed: &str) -> String {
    crate::audit::hex(&Sha256::digest(seed.as_bytes()))
}

/// SHA-256 hex of the canonical JSON of the pool snapshot (sorted by expert id).
pub fn snapshot_hash(pool: &[PoolExpert]) -> String {
    let mut sorted = pool.to_vec();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    crate::audit::hex(&Sha256::digest(serde_json::to_vec(&sorted).expect("pool serialises")))
}

/// The order in which the candidates of need `i` are drawn: by SHA-256(seed ‖ i ‖ id).
/// Anyone holding the revealed seed and the snapshot computes the same order.
pub fn candidate_order(
    seed: &str,
    need_index: usize,
    need: &ExpertNeed,
    pool: &[PoolExpert],
    recusal: &Recusal,
) -> Vec<String> {
    let mut keyed: Vec<(String, String)> = pool
        .iter()
        .filter(|e| e.specialty == need.specialty && !recusal.excludes(e))
        .map(|e| {
            let mut h = Sha256::new();
            h.update(seed.as_bytes());
            h.update(b"|");
            h.update(need_index.to_string().as_bytes());
            h.update(b"|");
            h.update(e.id.as_bytes());
            (crate::audit::hex(&h.finalize()), e.id.clone())
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// Why a draw cannot be completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawShortfall {
    pub specialty: String,
    pub needed: u32,
    pub available: u32,
}

/// The panel: for each need, its drawn expert ids in order. Deterministic in
/// (seed, pool, needs, recusal); an expert is drawn at most once across needs.
pub fn draw(
    seed: &str,
    pool: &[PoolExpert],
    needs: &[ExpertNeed],
    recusal: &Recusal,
) -> Result<Vec<Vec<String>>, DrawShortfall> {
    let mut taken = HashSet::new();
    let mut panel = Vec::new();
    for (i, need) in needs.iter().enumerate() {
        let chosen: Vec<String> = candidate_order(seed, i, need, pool, recusal)
            .into_iter()
            .filter(|id| !taken.contains(id))
            .take(need.count as usize)
            .collect();
        if chosen.len() < need.count as usize {
            return Err(DrawShortfall {
                specialty: need.specialty.clone(),
                needed: need.count,
                available: chosen.len() as u32,
            });
        }
        taken.extend(chosen.iter().cloned());
        panel.push(chosen);
    }
    Ok(panel)
}

/// The next substitute for need `i` when a drawn expert declines: the first candidate in
/// the same order not drawn before.
pub fn substitute(
    seed: &str,
    pool: &[PoolExpert],
    need_index: usize,
    need: &ExpertNeed,
    recusal: &Recusal,
    already: &HashSet<String>,
) -> Option<String> {
    candidate_order(seed, need_index, need, pool, recusal).into_iter().find(|id| !already.contains(id))
}

/// One weighted item of a plan's scoring rules (R22, 八(二)(五): grassroots service,
/// open-source contributions and assessments can carry weight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringItem {
    pub item: String,
    pub weight: u32,
}

/// A judge's material score: Σ weight × item score / 100 (items missing score 0).
pub fn weighted_score(rules: &[ScoringItem], scores: &BTreeMap<String, u32>) -> f64 {
    rules.iter().map(|r| f64::from(r.weight) * f64::from(scores.get(&r.item).copied().unwrap_or(0)) / 100.0).sum()
}

/// The pass rule: affirmative votes ≥ numerator/denominator of the judges present
/// (default two thirds, 五(四)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRule {
    pub numerator: u32,
    pub denominator: u32,
}

impl Default for PassRule {
    fn default() -> Self {
        PassRule { numerator: 2, denominator: 3 }
    }
}

impl PassRule {
    /// Whether `agree` of `present` passes (integer arithmetic, no rounding).
    pub fn passes(self, agree: u32, present: u32) -> bool {
        present > 0 && agree * self.denominator >= self.numerator * present
    }
}

/// One participant's votes and score, as tallied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tallied {
    pub application_id: i64,
    /// The unit (for quota double control) and whether it is a public institution.
    pub unit_org: String,
    pub public_institution: bool,
    pub agree: u32,
    pub disagree: u32,
    pub abstain: u32,
    pub present: u32,
    pub score: f64,
}

/// The outcome of one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 通过
    Passed,
    /// 表决未通过
    FailedVote,
    /// 超过通过率控制 (R15)
    OverPassRate,
    /// 超过核定职数 (R10 双控)
    OverQuota,
}

/// Pass-rate limit and quotas applied after the vote.
#[derive(Debug, Clone, Default)]
pub struct Controls {
    /// The plan's pass-rate limit in percent (None = no limit).
    pub pass_rate_limit_percent: Option<u32>,
    /// Declared in advance: the limit does not apply (五(三)).
    pub pass_rate_exception: bool,
    /// Remaining approved quota per public-institution unit.
    pub remaining_quota: BTreeMap<String, i64>,
}

/// Applies the pass rule, then the pass-rate limit (rank by affirmative votes, then total
/// score), then quota double control per public institution, in that ranking.
pub fn decide(rule: PassRule, controls: &Controls, tallied: &[Tallied]) -> Vec<(i64, Outcome, u32)> {
    let mut passers: Vec<&Tallied> = tallied.iter().filter(|t| rule.passes(t.agree, t.present)).collect();
    passers.sort_by(|a, b| {
        b.agree
            .cmp(&a.agree)
            .then(b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal))
            .then(a.application_id.cmp(&b.application_id))
    });
    let limit = match (controls.pass_rate_limit_percent, controls.pass_rate_exception) {
        (Some(p), false) => (tallied.len() as u64 * u64::from(p) / 100) as usize,
        _ => usize::MAX,
    };
    let mut remaining = controls.remaining_quota.clone();
    let mut out = Vec::new();
    let mut passed = 0usize;
    for (rank, t) in passers.iter().enumerate() {
        let outcome = if passed >= limit {
            Outcome::OverPassRate
        } else if t.public_institution && remaining.get(&t.unit_org).copied().unwrap_or(0) <= 0 {
            Outcome::OverQuota
        } else {
            if t.public_institution {
                *remaining.entry(t.unit_org.clone()).or_insert(0) -= 1;
            }
            passed += 1;
            Outcome::Passed
        };
        out.push((t.application_id, outcome, rank as u32 + 1));
    }
    for t in tallied.iter().filter(|t| !rule.passes(t.agree, t.present)) {
        out.push((t.application_id, Outcome::FailedVote, 0));
    }
    out
}

/// R17 (二(四)): all voting is finished by the batch's voting deadline (2024-12-15 unless
/// the committee's batch says otherwise). The one check for a plan's last judging day, a
/// judge's ballot, a tally and an offline session's vote date; `field` names the request
/// field carrying `day`, when one does.
pub fn check_voting_deadline(day: NaiveDate, deadline: NaiveDate, field: Option<&str>) -> Result<(), DomainError> {
    if day > deadline {
        return Err(DomainError::rule("R17", ErrorCode::R17VotingClosed, &[&deadline], field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r17_a_vote_on_the_deadline_counts_and_the_day_after_is_refused_with_its_own_code() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(check_voting_deadline(d("2024-12-15"), d("2024-12-15"), None).is_ok());
        let e = check_voting_deadline(d("2024-12-16"), d("2024-12-15"), Some("voted_on")).unwrap_err();
        assert_eq!((e.code().as_str(), e.status(), e.field()), ("R17_VOTING_CLOSED", 422, Some("voted_on")));
    }

    fn pool(n: usize) -> Vec<PoolExpert> {
        (0..n)
            .map(|i| PoolExpert {
                id: format!("EXP-{i:03}"),
                specialty: if i % 2 == 0 { "内科学".into() } else { "外科学".into() },
                org: format!("ORG-{}", i % 7),
                person: format!("P{i}"),
            })
            .collect()
    }

    fn needs() -> Vec<ExpertNeed> {
        vec![ExpertNeed { specialty: "内科学".into(), count: 5 }, ExpertNeed { specialty: "外科学".into(), count: 3 }]
    }

    #[test]
    fn r14_replaying_the_draw_with_the_revealed_seed_gives_the_same_panel() {
        let p = pool(60);
        let a = draw("seed-1", &p, &needs(), &Recusal::default()).unwrap();
        let b = draw("seed-1", &p, &needs(), &Recusal::default()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, draw("seed-2", &p, &needs(), &Recusal::default()).unwrap());
        assert_eq!(commitment("seed-1").len(), 64);
    }

    #[test]
    fn r14_an_expert_from_a_participants_unit_or_related_or_a_participant_is_never_drawn() {
        let p = pool(60);
        let recusal = Recusal {
            participant_orgs: HashSet::from(["ORG-3".to_owned()]),
            participant_persons: HashSet::from(["P10".to_owned()]),
            related_experts: HashSet::from(["EXP-012".to_owned()]),
        };
        for s in 0..300 {
            let panel = draw(&format!("seed-{s}"), &p, &needs(), &recusal).unwrap();
            for id in panel.iter().flatten() {
                let e = p.iter().find(|e| &e.id == id).unwrap();
                assert!(!recusal.excludes(e), "seed {s} drew {id}");
            }
        }
    }

    #[test]
    fn a_draw_short_of_candidates_says_which_specialty_and_how_many() {
        let p = pool(6);
        let e = draw("s", &p, &needs(), &Recusal::default()).unwrap_err();
        assert_eq!(e, DrawShortfall { specialty: "内科学".into(), needed: 5, available: 3 });
    }

    #[test]
    fn two_thirds_of_judges_present_pass_and_one_less_fails() {
        let r = PassRule::default();
        assert!(r.passes(6, 9));
        assert!(!r.passes(5, 9));
        assert!(r.passes(5, 7)); // 15 >= 14
        assert!(!r.passes(0, 0));
    }

    fn tallied(agree: &[u32]) -> Vec<Tallied> {
        agree
            .iter()
            .enumerate()
            .map(|(i, a)| Tallied {
                application_id: i as i64 + 1,
                unit_org: "U".into(),
                public_institution: false,
                agree: *a,
                disagree: 9 - a,
                abstain: 0,
                present: 9,
                score: 80.0 - i as f64,
            })
            .collect()
    }

    #[test]
    fn r15_ten_participants_limit_sixty_percent_eight_pass_by_votes_six_pass() {
        let t = tallied(&[9, 8, 8, 7, 7, 6, 6, 6, 2, 1]);
        let controls = Controls { pass_rate_limit_percent: Some(60), ..Controls::default() };
        let out = decide(PassRule::default(), &controls, &t);
        let passed: Vec<i64> = out.iter().filter(|o| o.1 == Outcome::Passed).map(|o| o.0).collect();
        let over: Vec<i64> = out.iter().filter(|o| o.1 == Outcome::OverPassRate).map(|o| o.0).collect();
        assert_eq!(passed, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(over, vec![7, 8], "ranked by votes, then score");
        let exception = Controls { pass_rate_exception: true, ..controls };
        assert_eq!(decide(PassRule::default(), &exception, &t).iter().filter(|o| o.1 == Outcome::Passed).count(), 8);
    }

    #[test]
    fn r10_passes_of_a_public_institution_stay_within_its_quota() {
        let mut t = tallied(&[9, 9, 9]);
        for x in &mut t {
            x.public_institution = true;
        }
        let controls = Controls { remaining_quota: BTreeMap::from([("U".to_owned(), 2)]), ..Controls::default() };
        let out = decide(PassRule::default(), &controls, &t);
        assert_eq!(out.iter().filter(|o| o.1 == Outcome::OverQuota).count(), 1);
    }

    #[test]
    fn r22_grassroots_service_and_open_source_contributions_carry_their_declared_weight() {
        let rules = vec![
            ScoringItem { item: "业绩成果".into(), weight: 60 },
            ScoringItem { item: "基层服务".into(), weight: 20 },
            ScoringItem { item: "开源贡献".into(), weight: 20 },
        ];
        let with =
            BTreeMap::from([("业绩成果".to_owned(), 80), ("基层服务".to_owned(), 100), ("开源贡献".to_owned(), 100)]);
        let without = BTreeMap::from([("业绩成果".to_owned(), 80)]);
        assert_eq!(weighted_score(&rules, &with), 88.0);
        assert_eq!(weighted_score(&rules, &without), 48.0);
    }
}

//! 职称巡查 (notice 七, last paragraph), pure: the sample of a sampling run and the declared
//! transitions of inspections and their items.
//!
//! The sample is drawn exactly like the judges (R14, [`super::evaluation`]): the province
//! records the SHA-256 commitment of a secret seed when it creates the run, reveals the seed
//! at the draw, and the sample is [`super::evaluation::draw`] of the seed over the recorded
//! population snapshot — each target a pool entry whose "specialty" is its stratum — so
//! anyone holding the seed and the snapshot replays it.

use super::evaluation::{self as ev, ExpertNeed, PoolExpert, Recusal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The stratum of the committees (policy execution, material review, judging).
pub const COMMITTEES: &str = "committee";
/// The stratum of the self-evaluating units (checked with the industry departments).
pub const UNITS: &str = "unit";
/// The stratum of a committee's applications of the year: `application:<committee id>`.
pub const APPLICATIONS_OF: &str = "application:";

/// One entry of the population a run draws from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// [`COMMITTEES`], [`UNITS`] or `application:<committee id>`.
    pub stratum: String,
    /// The committee id, the unit's organisation id or the application id.
    pub id: String,
    /// Who answers for it: the committee's organising unit, the unit itself.
    pub office: String,
}

/// What a run drew, per stratum, each in draw order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub committees: Vec<String>,
    pub units: Vec<String>,
    pub applications: Vec<String>,
}

/// How many of `n` a ratio of `percent` takes: rounded up, so a non-empty stratum always
/// gives at least one ("按一定比例").
pub fn share(n: usize, percent: u32) -> u32 {
    ((n as u64 * u64::from(percent)).div_ceil(100)) as u32
}

fn pool(population: &[Target], keep: impl Fn(&str) -> bool) -> Vec<PoolExpert> {
    population
        .iter()
        .filter(|t| keep(&t.stratum))
        .map(|t| PoolExpert {
            id: t.id.clone(),
            specialty: t.stratum.clone(),
            org: t.office.clone(),
            person: String::new(),
        })
        .collect()
}

fn need(pool: &[PoolExpert], stratum: &str, percent: u32) -> ExpertNeed {
    ExpertNeed {
        specialty: stratum.to_owned(),
        count: share(pool.iter().filter(|p| p.specialty == stratum).count(), percent),
    }
}

/// The sample of a run: `percent` of the committees and of the self-evaluating units, then
/// `percent` of each drawn committee's applications (the second draw under the seed
/// suffixed `|applications`, so the two draws are independent). Deterministic in (seed,
/// population, percent).
pub fn sample(seed: &str, population: &[Target], percent: u32) -> Sample {
    let first = pool(population, |s| s == COMMITTEES || s == UNITS);
    let needs = [need(&first, COMMITTEES, percent), need(&first, UNITS, percent)];
    // A need never exceeds its stratum, so the draw cannot fall short.
    let panel = ev::draw(seed, &first, &needs, &Recusal::default()).unwrap_or_default();
    let committees = panel.first().cloned().unwrap_or_default();
    let units = panel.get(1).cloned().unwrap_or_default();
    let mut sorted = committees.clone();
    sorted.sort();
    let strata: Vec<String> = sorted.iter().map(|c| format!("{APPLICATIONS_OF}{c}")).collect();
    let second = pool(population, |s| strata.iter().any(|x| x == s));
    let needs: Vec<ExpertNeed> = strata.iter().map(|s| need(&second, s, percent)).collect();
    let applications = ev::draw(&format!("{seed}|applications"), &second, &needs, &Recusal::default())
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    Sample { committees, units, applications }
}

/// The SHA-256 hex of the snapshot (sorted by stratum and id), as recorded with the run.
pub fn snapshot_hash(population: &[Target]) -> String {
    let mut sorted = population.to_vec();
    sorted.sort_by(|a, b| (&a.stratum, &a.id).cmp(&(&b.stratum, &b.id)));
    ev::commitment(&serde_json::to_string(&sorted).expect("targets serialise"))
}

/// Counts per stratum kind, for display.
pub fn strata(population: &[Target]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for t in population {
        let k = if t.stratum == COMMITTEES {
            "committees"
        } else if t.stratum == UNITS {
            "units"
        } else {
            "applications"
        };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Who acts on an inspection item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The provincial HR department (巡查组).
    Province,
    /// The inspected committee office or unit.
    Office,
}

/// The declared moves of an inspection item: (from, action, who, to). Nothing else moves one.
pub const ITEM_TRANSITIONS: &[(&str, &str, Party, &str)] = &[
    ("pending", "find_compliant", Party::Province, "compliant"),
    ("pending", "request_rectification", Party::Province, "rectifying"),
    ("rectifying", "respond", Party::Office, "responded"),
    ("responded", "accept_rectification", Party::Province, "rectified"),
    ("responded", "request_rectification", Party::Province, "rectifying"),
];

/// The declared moves of an inspection: (from, action, to) — the province's only.
pub const INSPECTION_TRANSITIONS: &[(&str, &str, &str)] = &[("committed", "draw", "open"), ("open", "close", "closed")];

/// The item states an inspection may be closed with.
pub const SETTLED: &[&str] = &["compliant", "rectified"];

/// The next state of an item, if the table declares the move.
pub fn item_next(from: &str, action: &str, party: Party) -> Option<&'static str> {
    ITEM_TRANSITIONS.iter().find(|t| t.0 == from && t.1 == action && t.2 == party).map(|t| t.3)
}

/// The next state of an inspection, if the table declares the move.
pub fn inspection_next(from: &str, action: &str) -> Option<&'static str> {
    INSPECTION_TRANSITIONS.iter().find(|t| t.0 == from && t.1 == action).map(|t| t.2)
}

/// The item aspects of a drawn committee (notice 七: 政策执行、材料审核、评审).
pub const COMMITTEE_ASPECTS: &[&str] = &["policy_execution", "material_review", "judging"];

#[cfg(test)]
mod tests {
    use super::*;

    fn population() -> Vec<Target> {
        let mut p = Vec::new();
        for c in 0..10 {
            p.push(Target { stratum: COMMITTEES.into(), id: format!("C{c}"), office: format!("O{c}") });
            for a in 0..5 {
                p.push(Target {
                    stratum: format!("{APPLICATIONS_OF}C{c}"),
                    id: format!("{c}{a}"),
                    office: format!("O{c}"),
                });
            }
        }
        for u in 0..4 {
            p.push(Target { stratum: UNITS.into(), id: format!("U{u}"), office: format!("U{u}") });
        }
        p
    }

    #[test]
    fn a_ratio_takes_its_share_rounded_up_and_never_nothing_of_a_non_empty_stratum() {
        assert_eq!((share(10, 30), share(4, 30), share(5, 30), share(0, 30), share(3, 100)), (3, 2, 2, 0, 3));
    }

    #[test]
    fn replaying_a_run_from_its_seed_and_snapshot_gives_the_same_sample_and_another_seed_another() {
        let p = population();
        let a = sample("seed-1", &p, 30);
        assert_eq!(a, sample("seed-1", &p, 30));
        assert_eq!((a.committees.len(), a.units.len(), a.applications.len()), (3, 2, 6));
        for app in &a.applications {
            assert!(a.committees.iter().any(|c| app.starts_with(&c[1..])), "{app} of a drawn committee");
        }
        assert!((2..20).any(|s| sample(&format!("seed-{s}"), &p, 30) != a));
        let mut shuffled = p.clone();
        shuffled.reverse();
        assert_eq!(snapshot_hash(&p), snapshot_hash(&shuffled));
    }

    #[test]
    fn only_declared_moves_are_allowed_and_the_office_only_responds() {
        assert_eq!(item_next("pending", "request_rectification", Party::Province), Some("rectifying"));
        assert_eq!(item_next("pending", "respond", Party::Office), None);
        assert_eq!(item_next("rectifying", "accept_rectification", Party::Province), None);
        assert_eq!(item_next("rectifying", "respond", Party::Province), None);
        assert_eq!(inspection_next("committed", "close"), None);
    }
}

//! The declared transition table against what the suite did. Every test host checks on
//! stop that each application state change it recorded is declared (`TestApp`'s `Drop`)
//! and appends what it exercised to `target/transitions-exercised.tsv`; `scripts/test`
//! then runs this report (ignored in a plain run: it needs the whole suite first).

use shared::domain::application::unexercised;

#[test]
#[ignore = "run by scripts/test after the whole suite"]
fn report_the_declared_transitions_no_scenario_exercised() {
    let path = e2e::repo_root().join("target").join("transitions-exercised.tsv");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run the suite first)", path.display()));
    let rows: Vec<Vec<&str>> =
        text.lines().map(|l| l.split('\t').collect()).filter(|r: &Vec<&str>| r.len() == 4).collect();
    assert!(!rows.is_empty(), "the suite recorded no transitions");
    let events: Vec<(&str, &str, &str, &str)> = rows.iter().map(|r| (r[0], r[1], r[2], r[3])).collect();
    let missing = unexercised(&events);
    println!("declared transitions exercised by the suite: {} events read", events.len());
    println!("declared transitions no scenario exercised ({}):", missing.len());
    for (from, action, actor, to) in &missing {
        println!("  {} --{}({actor:?})--> {}", from.as_str(), action.as_str(), to.as_str());
    }
}

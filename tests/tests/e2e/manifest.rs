//! `spin.toml` grants the minimum (GUIDE 11) and stays valid for real Spin 4.

use std::collections::BTreeMap;

fn manifest() -> toml::Table {
    let text = std::fs::read_to_string(e2e::app_manifest()).unwrap();
    text.parse().unwrap()
}

#[test]
fn each_component_is_granted_exactly_what_it_needs() {
    let m = manifest();
    let components = m["component"].as_table().unwrap();
    let mut grants = BTreeMap::new();
    for (name, c) in components {
        let dbs: Vec<String> = c
            .get("sqlite_databases")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        let hosts = c.get("allowed_outbound_hosts").and_then(|v| v.as_array()).map_or(0, |a| a.len());
        let vars: Vec<String> =
            c.get("variables").and_then(|v| v.as_table()).map(|t| t.keys().cloned().collect()).unwrap_or_default();
        grants.insert(name.clone(), (dbs, hosts, vars));
    }
    let db = || vec!["default".to_owned()];
    let expected: BTreeMap<String, (Vec<String>, usize, Vec<String>)> = [
        ("health", (vec![], 0, vec![])),
        ("submit", (db(), 0, vec!["auth_secret".into(), "max_upload_bytes".into()])),
        ("review", (db(), 0, vec!["auth_secret".into()])),
        ("session", (db(), 0, vec!["auth_secret".into(), "federation_issuers".into()])),
        // Issue 10: `jobs`, `publicity-timer` and `results` sign the audit chain's anchors.
        ("jobs", (db(), 0, vec!["auth_secret".into(), "seal_private_key".into()])),
        ("chain", (db(), 0, vec!["auth_secret".into()])),
        ("quota", (db(), 0, vec!["auth_secret".into()])),
        ("province", (db(), 0, vec!["auth_secret".into()])),
        ("evaluation", (db(), 0, vec!["auth_secret".into()])),
        ("judging", (db(), 0, vec!["auth_secret".into()])),
        ("publicity-timer", (db(), 0, vec!["seal_private_key".into()])),
        ("admin", (db(), 0, vec!["auth_secret".into(), "max_upload_bytes".into()])),
        ("registration", (db(), 0, vec!["auth_secret".into(), "max_upload_bytes".into()])),
        ("openapi", (vec![], 0, vec![])),
        ("blacklist-lifter", (db(), 0, vec![])),
        // Issue 5: `certificates` seals with the seal key; `verify` is public and holds no
        // variable at all; only `mohrss-report` reaches out, to the registry alone.
        ("results", (db(), 0, vec!["auth_secret".into(), "seal_private_key".into()])),
        (
            "certificates",
            (
                db(),
                0,
                vec![
                    "auth_secret".into(),
                    "max_upload_bytes".into(),
                    "public_origin".into(),
                    "seal_private_key".into(),
                ],
            ),
        ),
        ("verify", (db(), 0, vec![])),
        // Issue 16: the portal serves embedded files only: no database, variable or host.
        ("portal", (vec![], 0, vec![])),
        (
            "mohrss-report",
            (db(), 1, vec!["auth_secret".into(), "mohrss_registry_url".into(), "mohrss_timeout_ms".into()]),
        ),
        // Issue 13: `credit-report` reaches the national credit platform alone.
        (
            "credit-report",
            (db(), 1, vec!["auth_secret".into(), "credit_platform_url".into(), "credit_timeout_ms".into()]),
        ),
        // Issue 17: the public publicity pages, like `verify`: the store, no variable at all.
        ("public", (db(), 0, vec![])),
    ]
    .into_iter()
    // Issue 15: every component with the store may also reach the PostgreSQL server named
    // by `database_host` and reads `database_url` (empty: SQLite).
    .map(|(k, (dbs, hosts, mut vars))| {
        if dbs.is_empty() {
            return (k.to_owned(), (dbs, hosts, vars));
        }
        vars.push("database_url".into());
        vars.sort();
        (k.to_owned(), (dbs, hosts + 1, vars))
    })
    .collect();
    // Issue 10: every component that reads or writes people's records holds the
    // personal-data keys; the public pages, `verify` and the lifter show tokens' masked
    // form only and hold none.
    let expected: BTreeMap<String, (Vec<String>, usize, Vec<String>)> = expected
        .into_iter()
        .map(|(k, (dbs, hosts, mut vars))| {
            if !dbs.is_empty() && !["verify", "public", "blacklist-lifter"].contains(&k.as_str()) {
                vars.extend(["pii_index_key".to_owned(), "pii_key".to_owned(), "pii_old_keys".to_owned()]);
                vars.sort();
            }
            (k, (dbs, hosts, vars))
        })
        .collect();
    assert_eq!(grants, expected);
    for (name, c) in components.iter().filter(|(_, c)| c.get("sqlite_databases").is_some()) {
        let hosts = c["allowed_outbound_hosts"].as_array().unwrap();
        assert_eq!(hosts.last().and_then(|h| h.as_str()), Some("postgres://{{ database_host }}"), "{name}");
        assert_eq!(c["variables"]["database_url"].as_str(), Some("{{ database_url }}"), "{name}");
    }
}

#[test]
fn the_manifest_is_spin_v2_with_six_field_cron_expressions_and_a_build_per_component() {
    let m = manifest();
    assert_eq!(m["spin_manifest_version"].as_integer(), Some(2));
    for cron in m["trigger"]["cron"].as_array().unwrap() {
        let expr = cron["cron_expression"].as_str().unwrap();
        assert_eq!(expr.split_whitespace().count(), 6, "{expr}");
    }
    for (name, c) in m["component"].as_table().unwrap() {
        assert!(c["build"]["command"].as_str().unwrap().contains("wasm32-wasip2"), "{name}");
        assert!(c["source"].as_str().unwrap().starts_with("target/wasm32-wasip2/release/"), "{name}");
    }
    assert!(m["variables"]["auth_secret"].get("default").is_none(), "no secret in the repo");
    assert!(m["variables"]["seal_private_key"].get("default").is_none(), "no seal key in the repo");
    assert_eq!(m["variables"]["seal_private_key"]["secret"].as_bool(), Some(true));
    for key in ["pii_key", "pii_index_key"] {
        assert!(m["variables"][key].get("default").is_none(), "no {key} in the repo");
        assert_eq!(m["variables"][key]["secret"].as_bool(), Some(true), "{key}");
        assert_eq!(m["variables"][key]["required"].as_bool(), Some(true), "{key}");
    }
    assert_eq!(m["variables"]["database_url"]["default"].as_str(), Some(""), "SQLite unless configured");
    assert_eq!(m["variables"]["database_url"]["secret"].as_bool(), Some(true), "the address may hold a password");
    assert_eq!(
        m["component"]["mohrss-report"]["allowed_outbound_hosts"].as_array().unwrap()[0].as_str(),
        Some("{{ mohrss_registry_origin }}"),
        "the registry is the only outbound host"
    );
    assert_eq!(
        m["component"]["credit-report"]["allowed_outbound_hosts"].as_array().unwrap()[0].as_str(),
        Some("{{ credit_platform_origin }}"),
        "the credit platform is the credit reporter's only outbound host"
    );
    assert!(
        m["variables"]["credit_platform_origin"]["default"].as_str().unwrap().ends_with(".invalid"),
        "unset, the platform never resolves: records wait"
    );
}

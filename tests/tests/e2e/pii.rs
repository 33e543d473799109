//! Personal data at rest (issue 10; PIPL art. 28, GB/T 35273), through the host on real
//! SQLite: an older database's clear ID numbers (the demo seed writes them so) are resealed
//! once by `POST /api/jobs/pii-reseal` and are still found by the keyed look-ups; a retired
//! key still opens what it sealed until the reseal moves it to the new key. The scan of the
//! database files after a full flow is in `certificates.rs` (it needs the fake registry).

use e2e::scenario::expect;
use e2e::{repo_root, TestApp, DEV_PII_KEY};
use serde_json::{json, Value};
use shared::auth::Role;
use shared::domain::citizen_id::CitizenId;

const DEMO_PASSWORD: &str = "Demo-2026!";
const ZHANG: &str = "430102198503151236";

fn writable(app: &TestApp) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every valid ID number written out in `text` (18 characters, not inside a longer digit run).
pub fn full_id_numbers(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let digit = |b: u8| b.is_ascii_digit();
    let mut i = 0;
    while i + 18 <= bytes.len() {
        let w = &bytes[i..i + 18];
        let bounded = (i == 0 || !digit(bytes[i - 1])) && (i + 18 == bytes.len() || !digit(bytes[i + 18]));
        if bounded && w[..17].iter().all(|b| digit(*b)) && (digit(w[17]) || w[17] == b'X' || w[17] == b'x') {
            let s = String::from_utf8_lossy(w).to_string();
            if CitizenId::parse(&s).is_ok() {
                out.push(s);
            }
        }
        i += 1;
    }
    out
}

fn reseal(app: &TestApp, province: &str) -> Value {
    expect(app.post("/api/jobs/pii-reseal", province, &json!({})), 200)
}

#[test]
fn clear_id_numbers_of_an_older_database_are_resealed_once_and_still_found_by_the_keyed_look_ups() {
    if e2e::postgres_server().is_some() {
        // The older database is made by writing the demo seed's clear rows straight into the
        // SQLite file; the reseal job itself is the same code through the same store layer.
        return eprintln!("an older SQLite file resealed: not run on PostgreSQL");
    }
    let app = TestApp::start();
    // An older database: the demo rows as they were written before issue 10 — ID numbers in
    // clear in people, applications (column and form), the blacklist, plain SHA-256 hashes.
    let seed = std::fs::read_to_string(repo_root().join("scripts/demo-seed.sql")).unwrap();
    writable(&app).execute_batch(&seed).unwrap();
    let clear = count(&app, "SELECT COUNT(*) FROM applications WHERE citizen_id NOT LIKE 'pii1:%'");
    assert!(clear >= 4, "the seed carries clear numbers: {clear}");
    let zhang_sha: String =
        app.db().query_row("SELECT id_hash FROM people WHERE id = 'P-DEMO-APPLICANT'", [], |r| r.get(0)).unwrap();

    let province = app.token("prov-1", "省人社厅", Role::Province, "ORG-PROVINCE");
    let applicant = app.token("app-zhang", "张三", Role::Applicant, "");
    assert_eq!(app.post("/api/jobs/pii-reseal", applicant.as_str(), &json!({})).0, 403, "the province's job only");
    let first = reseal(&app, &province);
    assert!(first["tokenised"].as_i64().unwrap() >= 4 + 12 + 4, "people, applications and forms: {first}");
    assert!(first["rehashed"].as_i64().unwrap() >= 12 + 7, "people's and experts' hashes: {first}");
    // Idempotent: a second run (the next start, the daily job) changes nothing.
    assert_eq!(reseal(&app, &province), json!({"tokenised": 0, "rekeyed": 0, "rehashed": 0}));

    for (table, column) in [
        ("people", "citizen_id"),
        ("applications", "citizen_id"),
        ("blacklist", "citizen_id"),
        ("certificates", "citizen_id"),
        ("committee_details", "operator_citizen_id"),
    ] {
        let left = count(&app, &format!("SELECT COUNT(*) FROM {table} WHERE {column} NOT LIKE 'pii1:%'"));
        assert_eq!(left, 0, "{table}.{column} still holds clear numbers");
    }
    let forms: Vec<String> = {
        let db = app.db();
        let mut st = db.prepare("SELECT form FROM applications").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(forms.iter().all(|f| full_id_numbers(f.as_bytes()).is_empty()), "{forms:?}");
    let vault = count(&app, "SELECT COUNT(*) FROM pii_vault WHERE sealed LIKE 'e2e1:%'");
    assert!(vault >= 12, "one sealed value per person: {vault}");
    let keyed: String =
        app.db().query_row("SELECT id_hash FROM people WHERE id = 'P-DEMO-APPLICANT'", [], |r| r.get(0)).unwrap();
    assert_ne!(keyed, zhang_sha, "the plain SHA-256 is replaced by the keyed index");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM experts WHERE person_hash IN (SELECT id_hash FROM people)"), 7);

    // Still found: sign-in by ID number, the blacklist search by number, masked answers.
    let v = expect(app.post("/api/session/login", None, &json!({"account": ZHANG, "password": DEMO_PASSWORD})), 200);
    assert!(v["access_token"].as_str().is_some());
    let me = expect(app.get("/api/session/me", v["access_token"].as_str().unwrap()), 200);
    assert_eq!(me["user"]["citizen_id"], "430***********1236", "{me}");
    let unit = app.token("hr-1", "王人事", Role::Unit, "ORG-DEMO-HOSPITAL");
    let listed = expect(app.get("/api/unit/applications/9001", unit.as_str()), 200);
    assert_eq!(listed["citizen_id"], "430***********1239", "masked in the view: {listed}");
    assert!(full_id_numbers(listed.to_string().as_bytes()).is_empty(), "{listed}");
}

#[test]
fn a_host_started_on_postgres_reseals_the_clear_id_numbers_it_finds_there_not_in_its_sqlite_file() {
    let app = TestApp::start();
    if app.database_url().is_none() {
        return eprintln!("the store is SQLite: the start-up reseal of a PostgreSQL store not tested");
    }
    // A row written in clear straight into PostgreSQL (as an older database or a hand-made
    // import would have it).
    app.execute_sql(&format!(
        "INSERT INTO blacklist (citizen_id, name, reason, recorded_on, expires_on, created_at) \
         VALUES ('{ZHANG}', '张三', '学术造假', '2024-01-01', '2030-12-31', '2024-01-01T00:00:00Z')"
    ));
    let clear = "SELECT COUNT(*) FROM blacklist WHERE citizen_id NOT LIKE 'pii1:%'";
    assert_eq!(count(&app, clear), 1);
    // `zhicheng-host up` on that database reseals it before it serves.
    let host = app.replica_process().unwrap();
    assert!(host.startup_output().contains("Personal data resealed: 1 tokenised"), "{}", host.startup_output());
    assert_eq!(count(&app, clear), 0, "the clear number is resealed in PostgreSQL");
    let province = app.token("prov-1", "省人社厅", Role::Province, "ORG-PROVINCE");
    assert_eq!(reseal(&app, &province), json!({"tokenised": 0, "rekeyed": 0, "rehashed": 0}), "nothing left");
}

#[test]
fn a_retired_key_still_opens_what_it_sealed_and_the_reseal_moves_every_value_to_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotation.db");
    let new_key = format!("e2e2:{}", "5a".repeat(32));
    let person = "430102199001011230";
    let person = &format!("{}{}", &person[..17], check_char(&person[..17]));
    {
        let app = TestApp::builder(e2e::app_manifest()).sqlite_path(&path).start().unwrap();
        expect(
            app.post(
                "/api/session/register",
                None,
                &json!({"name": "周轮换", "citizen_id": person, "phone": "13900000077", "password": "Rotate-2024-ok"}),
            ),
            201,
        );
    }
    // The key is rotated: new values under `e2e2`, the old key kept readable.
    let app = TestApp::builder(e2e::app_manifest())
        .sqlite_path(&path)
        .var("pii_key", &new_key)
        .var("pii_old_keys", DEV_PII_KEY)
        .start()
        .unwrap();
    let signed =
        expect(app.post("/api/session/login", None, &json!({"account": person, "password": "Rotate-2024-ok"})), 200);
    let t = signed["access_token"].as_str().unwrap().to_owned();
    // Changing the password opens the number (the password may not contain it).
    let weak = format!("Ab{}", &person[12..]);
    let r =
        app.post("/api/session/password", t.as_str(), &json!({"old_password": "Rotate-2024-ok", "new_password": weak}));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("new_password")), "opened under the old key: {}", r.1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pii_vault WHERE sealed LIKE 'e2e1:%'"), 1);
    let province = app.token("prov-1", "省人社厅", Role::Province, "ORG-PROVINCE");
    let r = reseal(&app, &province);
    assert_eq!(r["rekeyed"], 1, "{r}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pii_vault WHERE sealed NOT LIKE 'e2e2:%'"), 0);
    assert_eq!(reseal(&app, &province)["rekeyed"], 0);
    drop(app);
    // The old key retired for good: everything still opens, the look-up index is unchanged.
    let app = TestApp::builder(e2e::app_manifest()).sqlite_path(&path).var("pii_key", &new_key).start().unwrap();
    let signed =
        expect(app.post("/api/session/login", None, &json!({"account": person, "password": "Rotate-2024-ok"})), 200);
    let t = signed["access_token"].as_str().unwrap().to_owned();
    let r =
        app.post("/api/session/password", t.as_str(), &json!({"old_password": "Rotate-2024-ok", "new_password": weak}));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("new_password")), "{}", r.1);
}

fn check_char(body17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

#[test]
fn a_malformed_key_is_refused_at_the_request_without_echoing_it() {
    let app = TestApp::builder(e2e::app_manifest()).var("pii_key", "no-key-id-here").start().unwrap();
    let r = app.request("GET", "/api/applications", None, None);
    assert_eq!(r.status, 500);
    assert!(!String::from_utf8_lossy(&r.body).contains("no-key-id-here"));
}

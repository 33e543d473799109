//! The whole API of this slice run natively over rusqlite: the same routers the
//! components call, without wasm. Fast feedback; the e2e suite proves the wasm path.
#![cfg(feature = "native")]

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::api::{self, Env, Request, Response};
use shared::auth::{mint, Claims, Role};
use shared::store::native::{apply_migrations_dir, NativeDb};
use shared::store::Db;

const SECRET: &[u8] = b"test-secret-0123456789";

struct World {
    db: NativeDb,
    now: DateTime<Utc>,
}

fn token(sub: &str, role: Role, org: &str) -> String {
    mint(
        SECRET,
        &Claims {
            sub: sub.into(),
            name: format!("{sub}名"),
            role,
            org: org.into(),
            exp: 4_102_444_800,
            sid: None,
            op: None,
        },
    )
}

/// The `jobs` router with the tests' seal key.
fn jobs(req: &Request, db: &dyn Db, env: &Env) -> Response {
    const KEY: &str = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
    api::jobs::handle(req, db, env, &|| {
        shared::certificates::seal::SealKey::from_hex(KEY)
            .map_err(|e| shared::error::DomainError::Internal(e.to_string()))
    })
}

impl World {
    fn new() -> World {
        // Issue 10: ID numbers are sealed with the instance's keys (test-only values).
        shared::pii::install(Some(
            shared::pii::Keys::parse(&format!("t1:{}", "11".repeat(32)), "", &"22".repeat(32)).unwrap(),
        ));
        let db = NativeDb::open_in_memory().unwrap();
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
        // A unit's token is admitted only with an organisation that exists.
        db.execute(
            "INSERT INTO organisations (id, kind, name, region_code, created_at, updated_at) \
             VALUES ('ORG-U1', 'unit', '某医院', '110000', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
            &[],
        )
        .unwrap();
        World { db, now: "2024-09-20T02:00:00Z".parse().unwrap() }
    }

    fn call(&self, method: &str, path_query: &str, tok: Option<&str>, body: Vec<u8>, ct: &str) -> (u16, Value) {
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let mut headers = vec![("content-type".to_owned(), ct.to_owned())];
        if let Some(t) = tok {
            headers.push(("authorization".into(), format!("Bearer {t}")));
        }
        let req = Request { method: method.into(), path: path.into(), query: query.into(), headers, body };
        let env = Env {
            auth_secret: SECRET.to_vec(),
            now: self.now,
            max_upload_bytes: 1024,
            federation_issuers: String::new(),
            public_origin: "http://127.0.0.1:3000".into(),
        };
        let router: fn(&Request, &dyn shared::store::Db, &Env) -> Response = if path.starts_with("/api/unit/") {
            api::unit::handle
        } else if path.starts_with("/api/jobs/") {
            jobs
        } else {
            api::applicant::handle
        };
        let r = router(&req, &self.db, &env);
        (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
    }

    fn json(&self, method: &str, path: &str, tok: &str, body: Value) -> (u16, Value) {
        self.call(method, path, Some(tok), serde_json::to_vec(&body).unwrap(), "application/json")
    }
}

fn eligible_form() -> Value {
    json!({
        "citizen_id": "11010519491231002X",
        "unit_org": "ORG-U1",
        "series": "工程",
        "target_level": "deputy_senior",
        "specialty": "土木工程",
        "committee": "CMT-ENG",
        "current_title": {"series": "工程", "level": "intermediate", "obtained_on": "2018-12-01"},
        "assessments": (2019..=2023).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>(),
        "continuing_education_hours": 96,
        "achievements": [{"kind": "paper", "title": "桥梁论文", "date": "2023-03-01"}]
    })
}

#[test]
fn a_draft_is_submitted_approved_into_publicity_and_closed_by_the_timer() {
    let mut w = World::new();
    let a = token("app-1", Role::Applicant, "");
    let u = token("hr-1", Role::Unit, "ORG-U1");
    let p = token("prov-1", Role::Province, "ORG-PROVINCE");
    let (s, v) = w.json("POST", "/api/applications", &a, json!({"batch_year": 2024, "form": eligible_form()}));
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["citizen_id"], "110***********002X");
    let id = v["id"].as_i64().unwrap();
    // 一: the qualification-review materials the catalogue requires, uploaded.
    for kind in ["evaluation_form", "degree"] {
        let path = format!("/api/applications/{id}/materials?kind={kind}&filename={kind}.pdf");
        let (s, v) = w.call("POST", &path, Some(&a), b"%PDF-1.4\n%%EOF\n".to_vec(), "application/pdf");
        assert_eq!(s, 201, "{v}");
    }
    // 告知承诺: the batch's commitment in the notice's wording, accepted.
    let sha = shared::domain::commitment::text_sha256(shared::domain::commitment::DEFAULT_TEXT);
    let accept = json!({"commitment": {"accepted": true, "text_sha256": sha}});
    let (s, v) = w.json("POST", &format!("/api/applications/{id}/submit"), &a, accept);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "unit_review");
    let (s, v) = w.json(
        "POST",
        &format!("/api/unit/applications/{id}/approve"),
        &u,
        json!({"publicity_start": "2024-09-30", "complaint_office": "人事处", "complaint_phone": "0731-88888888"}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["publicity"]["end"], "2024-10-12");
    w.now = "2024-10-12T15:00:00Z".parse().unwrap(); // 23:00 on 10-12 in Shanghai
    let (_, r) = w.call("POST", "/api/jobs/publicity-timer", Some(&p), vec![], "");
    assert_eq!(r["closed_unit_publicity"], json!([]));
    w.now = "2024-10-12T16:00:00Z".parse().unwrap(); // 00:00 on 10-13
    let (_, r) = w.call("POST", "/api/jobs/publicity-timer", Some(&p), vec![], "");
    assert_eq!(r["closed_unit_publicity"], json!([id]));
    let (_, v) = w.json("GET", &format!("/api/applications/{id}"), &a, json!({}));
    assert_eq!(v["state"], "recommendable");
    let (_, chain) = w.call("GET", "/api/jobs/audit-chain", Some(&p), vec![], "");
    assert_eq!(chain["first_broken_seq"], Value::Null);
    // create, two uploads (the catalogue's materials), submit, approve, close.
    assert_eq!(chain["events"], 6);
}

#[test]
fn an_upload_over_the_limit_is_refused_with_413_naming_the_body() {
    let w = World::new();
    let a = token("app-1", Role::Applicant, "");
    let (_, v) = w.json("POST", "/api/applications", &a, json!({"batch_year": 2024}));
    let id = v["id"].as_i64().unwrap();
    let (s, v) = w.call(
        "POST",
        &format!("/api/applications/{id}/materials?kind=degree&filename=a.pdf"),
        Some(&a),
        vec![0; 1025],
        "application/pdf",
    );
    assert_eq!((s, v["field"].as_str()), (413, Some("body")));
    let (s, v) = w.call(
        "POST",
        &format!("/api/applications/{id}/materials?kind=degree&filename=a.pdf"),
        Some(&a),
        b"%PDF-1.7".to_vec(),
        "application/pdf",
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
}

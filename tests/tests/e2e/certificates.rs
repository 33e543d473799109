//! From result to certificate, end to end through the host (issue 5): result publicity
//! with an objection filed separately, filing with 备案文号, numbers and sealed
//! certificates, public verification, revocation, the Excel import, concurrent
//! generation over 1,000 passers, and the MOHRSS outbox against a fake registry on
//! loopback that fails, times out, and succeeds while the host dies.

use e2e::scenario::{
    audit_filing, citizen_id, expect, filed_passers, filed_passers_with, health_province, issuing_unit, open_publicity,
    title_tree, voted_passed, Province, CITY, COMMITTEE, OTHER_DEPT, PROVINCE_ORG,
};
use e2e::{HostProcess, TestApp};
use serde_json::{json, Value};
use shared::auth::Role;
use shared::certificates::face::SealedCertificate;
use shared::store::pg_native::PgNativeDb;
use shared::store::Db;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

const DOC_15: &str = "湘人社职备〔2024〕15号";
const DOC_16: &str = "湘人社职备〔2024〕16号";

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn state_of(p: &Province, id: i64) -> String {
    p.state(id)
}

fn generate(p: &Province, body: Value) -> Value {
    expect(p.app.post("/api/certificates/jobs", p.province.as_str(), &body), 201)
}

/// `POST …/jobs/{id}/run` for each of `jobs` at once (one thread each; a job twice is two
/// runners of it); their answers, each 200.
fn run_at_once(p: &Province, jobs: &[i64]) -> Vec<Value> {
    std::thread::scope(|s| {
        let hs: Vec<_> = jobs
            .iter()
            .map(|id| {
                s.spawn(move || {
                    let run = p.app.post(&format!("/api/certificates/jobs/{id}/run"), p.province.as_str(), &json!({}));
                    expect(run, 200)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn r19_voted_results_go_through_publicity_and_filing_to_sealed_certificates_with_an_objection_filed_separately() {
    let p = health_province();
    p.approve_quota(3);
    let a = p.qualified("内科学");
    let b = p.qualified_nth(1, "内科学");
    let c = p.qualified_nth(2, "外科学");
    // Voted on Monday 2024-09-30, the eve of National Day.
    voted_passed(&p, &[a, b, c], "2024-09-30");

    // The organising unit sees the session awaiting publicity; others see nothing of it.
    let s = expect(p.app.get("/api/results/sessions", p.cmt.as_str()), 200);
    assert_eq!(s["awaiting_publicity"][0]["passed"], 3);
    assert_eq!(s["awaiting_publicity"][0]["open_deadline"], "2024-10-10", "3 working days after 09-30: 10-08, 09, 10");
    let other_cmt = p.app.token("op-x", "x", Role::CommitteeOrg, "ORG-OTHER-CMT");
    assert_eq!(expect(p.app.get("/api/results/sessions", other_cmt.as_str()), 200)["awaiting_publicity"], json!([]));
    assert_eq!(p.app.get("/api/results/sessions", p.unit.as_str()).0, 403);

    // Publicity opens on the first working day after the holiday and lasts 5 working days.
    p.app.set_clock("2024-10-08T01:00:00Z");
    let pb = expect(open_publicity(&p, "2024-09-30", "2024-10-08"), 201);
    assert_eq!((pb["end_on"].as_str(), pb["opened_late"].as_bool()), (Some("2024-10-14"), Some(false)));
    assert_eq!(pb["filing_deadline"], "2024-10-25", "15 working days after the vote");
    assert_eq!(pb["people"].as_array().unwrap().len(), 3);
    assert!(pb["people"][0]["citizen_id"].as_str().unwrap().contains('*'), "masked");
    let pid = pb["id"].as_i64().unwrap();
    assert_eq!(expect(open_publicity(&p, "2024-09-30", "2024-10-08"), 409)["code"], "NOTHING_TO_PUBLICISE");
    assert_eq!(p.app.get(&format!("/api/results/publicities/{pid}"), other_cmt.as_str()).0, 404);
    assert_eq!(state_of(&p, a), "result_publicity");

    // An objection against b: on hold.
    let o = expect(
        p.app.post(
            &format!("/api/results/applications/{b}/objections"),
            p.cmt.as_str(),
            &json!({"content": "论文涉嫌抄袭"}),
        ),
        201,
    );
    assert_eq!(state_of(&p, b), "result_on_hold");

    // The timer closes publicity on 10-15; b stays on hold; a second run changes nothing.
    p.app.set_clock("2024-10-14T10:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["closed_result_publicity"], json!([]), "the last day is still publicity");
    p.app.set_clock("2024-10-15T01:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["closed_result_publicity"], json!([pid]));
    assert_eq!(r["publicity_passed"], json!([a, c]));
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["closed_result_publicity"], json!([]));
    assert_eq!((state_of(&p, a), state_of(&p, b)), ("publicity_passed".into(), "result_on_hold".into()));

    // Filing for those with no objection standing.
    let f1 = expect(p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid})), 201);
    assert_eq!((f1["late"].as_bool(), f1["separate"].as_bool()), (Some(false), Some(false)));
    let ids: Vec<i64> =
        f1["people"].as_array().unwrap().iter().map(|x| x["application_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![a, c]);
    let f1 = f1["id"].as_i64().unwrap();
    assert_eq!(
        p.app.post(&format!("/api/results/filings/{f1}/audit"), p.cmt.as_str(), &json!({"approve": true})).0,
        403
    );
    let bad = p.app.post(&format!("/api/results/filings/{f1}/audit"), p.province.as_str(), &json!({"approve": true}));
    assert_eq!(expect(bad, 400)["field"], "doc_no");
    p.app.set_clock("2024-10-21T01:00:00Z");
    let audited = audit_filing(&p, f1, DOC_15, "2024-10-21");
    assert_eq!(audited["status"], "approved");
    assert_eq!((state_of(&p, a), state_of(&p, c)), ("filed".into(), "filed".into()));

    // The objection is dismissed after publicity: b is filed separately, later.
    let oid = o["id"].as_i64().unwrap();
    let r = expect(
        p.app.post(
            &format!("/api/results/applications/{b}/objections/{oid}/resolve"),
            p.cmt.as_str(),
            &json!({"upheld": false, "finding": "经查，论文系本人原创"}),
        ),
        200,
    );
    assert_eq!(r["state"], "publicity_passed");
    let f2 = expect(p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid})), 201);
    assert_eq!(f2["separate"], true);
    assert_eq!(f2["people"].as_array().unwrap().len(), 1);
    audit_filing(&p, f2["id"].as_i64().unwrap(), DOC_16, "2024-10-23");

    // Certificates: by filing document number, then by selection.
    p.app.set_clock("2024-10-30T02:00:00Z");
    assert_eq!(
        expect(p.app.post("/api/certificates/jobs", p.province.as_str(), &json!({"doc_no": DOC_15})), 409)["code"],
        "ISSUING_UNIT_MISSING"
    );
    issuing_unit(&p);
    // No title in the title tree: nothing is generated under a made-up name.
    let before = crate::rules::rows(&p, "SELECT * FROM applications ORDER BY id");
    let r = p.app.post("/api/certificates/jobs", p.province.as_str(), &json!({"doc_no": DOC_15}));
    assert_eq!(expect(r, 409)["code"], "TITLE_NOT_IN_TREE");
    assert_eq!(expect(p.app.get("/api/certificates", p.province.as_str()), 200)["total"], 0);
    assert_eq!(crate::rules::rows(&p, "SELECT * FROM applications ORDER BY id"), before);
    title_tree(&p);
    let cands =
        expect(p.app.get(&format!("/api/certificates/candidates?doc_no={}", enc(DOC_15)), p.province.as_str()), 200);
    assert_eq!(cands["total"], 2);
    let job = generate(&p, json!({"doc_no": DOC_15}));
    assert_eq!(
        (job["status"].as_str(), job["issued"].as_i64(), job["total"].as_i64()),
        (Some("done"), Some(2), Some(2))
    );
    let job = generate(&p, json!({"application_ids": [a, b]}));
    assert_eq!((job["issued"].as_i64(), job["skipped"].as_i64()), (Some(1), Some(1)), "a already has one");
    assert!(job["problems"][0]["reason"].as_str().unwrap().starts_with("已发证"));
    assert_eq!(state_of(&p, b), "certified");

    let all = expect(p.app.get("/api/certificates", p.province.as_str()), 200);
    assert_eq!(all["total"], 3);
    let nos: Vec<String> =
        all["items"].as_array().unwrap().iter().map(|c| c["certificate_no"].as_str().unwrap().into()).collect();
    assert_eq!(
        nos,
        vec!["B042499000000001", "B042499000000002", "B042499000000003"],
        "level B, series 04 (卫生), 24, 9900, serial"
    );

    // The holder downloads their own; nobody else sees it.
    let mine = expect(p.app.get("/api/certificates", p.applicant.as_str()), 200);
    assert_eq!(mine["total"], 1);
    let cid = mine["items"][0]["id"].as_i64().unwrap();
    let detail = expect(p.app.get(&format!("/api/certificates/{cid}"), p.applicant.as_str()), 200);
    let doc = &detail["document"]["certificate"];
    assert_eq!((doc["name"].as_str(), doc["approval_doc_no"].as_str()), (Some("doc-wang"), Some(DOC_15)));
    assert_eq!((doc["citizen_id"].as_str(), doc["gender"].as_str()), (Some("430***********1236"), Some("男")));
    assert_eq!((doc["obtained_on"].as_str(), doc["issued_on"].as_str()), (Some("2024-09-30"), Some("2024-10-30")));
    assert_eq!(
        (doc["issuer"].as_str(), doc["unit"].as_str()),
        (Some("湖南省人力资源和社会保障厅"), Some("湘雅某医院"))
    );
    let other = p.app.token("doc-9", "医生9", Role::Applicant, "");
    assert_eq!(p.app.get(&format!("/api/certificates/{cid}"), other.as_str()).0, 404);
    assert_eq!(expect(p.app.get("/api/certificates", p.unit.as_str()), 200)["total"], 3, "the unit sees its staff's");
    assert_eq!(expect(p.app.get("/api/certificates", other_cmt.as_str()), 200)["total"], 0);
    assert_eq!(p.app.get("/api/certificates", p.dept.as_str()).0, 403);
    let html = p.app.request("GET", &format!("/api/certificates/{cid}/html"), Some(p.applicant.as_str()), None);
    let text = String::from_utf8(html.body).unwrap();
    let code = detail["verification_code"].as_str().unwrap();
    assert!(
        text.contains("<svg")
            && text.contains(&format!("/verify/certificates/B042499000000001?code={code}"))
            && !text.contains("/api/verify/certificates/")
    );
    assert!(!text.contains("430102198503151236"));
    // The QR code's address is the configured public origin, whatever Host the caller sends.
    let forged =
        raw_get_with_host(&p.app, &format!("/api/certificates/{cid}/html"), &p.applicant, "verify.evil.example");
    assert!(forged.starts_with("HTTP/1.1 200"), "{}", &forged[..forged.len().min(200)]);
    assert!(
        forged.contains(&format!("http://127.0.0.1:3000/verify/certificates/B042499000000001?code={code}"))
            && !forged.contains("evil.example"),
        "the QR follows the public_origin variable, never the Host header"
    );

    // The tracking shows every step.
    let t = expect(p.app.get(&format!("/api/chain/applications/{a}/tracking"), p.province.as_str()), 200);
    let actions: Vec<&str> = t["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for want in
        ["open_result_publicity", "close_result_publicity", "request_filing", "approve_filing", "issue_certificate"]
    {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    // Revoked for fraud (七(一)): the application is revoked, the person blacklisted for 3 years.
    let r = p.app.post(
        &format!("/api/certificates/{cid}/revoke"),
        p.province.as_str(),
        &json!({"reason": "业绩材料造假", "fraud": true, "version": 1}),
    );
    assert_eq!(expect(r, 200)["status"], "revoked");
    assert_eq!(state_of(&p, a), "revoked");
    let r = p.app.post(&format!("/api/certificates/{cid}/revoke"), p.province.as_str(), &json!({"reason": "再次"}));
    assert_eq!(expect(r, 409)["code"], "CERTIFICATE_REVOKED");
    let b = expect(p.app.get("/api/admin/blacklist", p.province.as_str()), 200);
    assert_eq!(b["total"], 1);
    let chain = expect(p.app.get("/api/jobs/audit-chain", p.province.as_str()), 200);
    assert_eq!(chain["first_broken_seq"], Value::Null);
}

#[test]
fn r18_result_publicity_limits_around_national_day_2024_and_late_acts_need_an_exception_and_are_flagged() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.qualified("内科学");
    let b = p.qualified_nth(1, "内科学");
    voted_passed(&p, &[a], "2024-09-30");
    voted_passed(&p, &[b], "2024-09-27");

    // 10-10 is the last day to open publicity of the 09-30 session; the 09-27 session's is
    // 10-08 (09-29 was an adjusted Sunday workday, then National Day 10-01..07).
    p.app.set_clock("2024-10-09T01:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    let flagged: Vec<(&str, &str)> = r["late_result_publicity_sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["voted_on"].as_str().unwrap(), f["deadline"].as_str().unwrap()))
        .collect();
    assert_eq!(flagged, vec![("2024-09-27", "2024-10-08")]);
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["late_result_publicity_sessions"], json!([]), "flagged once");
    let s = expect(p.app.get("/api/results/sessions", p.cmt.as_str()), 200);
    assert_eq!(s["flags"][0]["kind"], "publicity_not_opened");

    // A start in the past is refused; the 09-30 session opened on 10-11 is late: refused
    // (R18), then allowed and flagged once the province records an exception for it.
    assert_eq!(expect(open_publicity(&p, "2024-09-30", "2024-10-08"), 400)["field"], "start_on");
    p.app.set_clock("2024-10-11T01:00:00Z");
    assert_eq!(expect(open_publicity(&p, "2024-09-30", "2024-10-11"), 422)["code"], "R18_RESULT_PUBLICITY_LATE");
    let e = json!({"kind": "late_result_publicity", "year": 2024, "committee": COMMITTEE, "voted_on": "2024-09-30",
                   "until": "2024-10-11", "reason": "经省人社厅同意延后公示"});
    expect(p.app.post("/api/admin/rule-exceptions", p.province.as_str(), &e), 201);
    let pb = expect(open_publicity(&p, "2024-09-30", "2024-10-11"), 201);
    assert_eq!(pb["opened_late"], true);
    assert_eq!(pb["end_on"], "2024-10-17", "10-12 (adjusted Saturday), 14, 15, 16, 17");
    let pid = pb["id"].as_i64().unwrap();

    // Still publicity on its last day; passed the day after.
    p.app.set_clock("2024-10-17T09:00:00Z");
    assert_eq!(
        expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200)
            ["closed_result_publicity"],
        json!([])
    );
    p.app.set_clock("2024-10-18T01:00:00Z");
    assert_eq!(
        expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200)
            ["closed_result_publicity"],
        json!([pid])
    );

    // Filing was due by 10-25 (15 working days after 09-30): the timer flags it on 10-28,
    // and a request after that is accepted but marked late.
    p.app.set_clock("2024-10-25T09:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["overdue_filing_sessions"], json!([]));
    p.app.set_clock("2024-10-28T01:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(r["overdue_filing_sessions"][0]["deadline"], "2024-10-25");
    let f = expect(p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid})), 201);
    assert_eq!(f["late"], true);
    // The province rejects with an opinion: the organising unit may request again.
    let fid = f["id"].as_i64().unwrap();
    let r = p.app.post(&format!("/api/results/filings/{fid}/audit"), p.province.as_str(), &json!({"approve": false}));
    assert_eq!(expect(r, 400)["field"], "opinion");
    let r = p.app.post(
        &format!("/api/results/filings/{fid}/audit"),
        p.province.as_str(),
        &json!({"approve": false, "opinion": "请补充职数使用情况说明"}),
    );
    assert_eq!(expect(r, 200)["status"], "rejected");
    assert_eq!(state_of(&p, a), "publicity_passed");
    let again = p.app.post(
        &format!("/api/results/filings/{fid}/audit"),
        p.province.as_str(),
        &json!({"approve": false, "opinion": "x"}),
    );
    assert_eq!(expect(again, 409)["code"], "FILING_AUDITED");
    expect(p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid})), 201);
    assert_eq!(state_of(&p, a), "filing_requested");
}

#[test]
fn an_upheld_objection_means_not_passed_and_the_person_is_never_filed() {
    let p = health_province();
    p.approve_quota(1);
    let a = p.qualified("内科学");
    voted_passed(&p, &[a], "2024-09-30");
    p.app.set_clock("2024-10-08T01:00:00Z");
    let pid = expect(open_publicity(&p, "2024-09-30", "2024-10-08"), 201)["id"].as_i64().unwrap();
    let object = |content: &str| {
        expect(
            p.app.post(
                &format!("/api/results/applications/{a}/objections"),
                p.cmt.as_str(),
                &json!({"content": content}),
            ),
            201,
        )
    };
    let resolve = |oid: &Value, upheld: bool| {
        p.app.post(
            &format!("/api/results/applications/{a}/objections/{}/resolve", oid["id"]),
            p.cmt.as_str(),
            &json!({"upheld": upheld, "finding": "调查结论"}),
        )
    };
    // Dismissed while publicity runs: back into publicity.
    let o1 = object("一");
    assert_eq!(expect(resolve(&o1, false), 200)["state"], "result_publicity");
    assert_eq!(expect(resolve(&o1, false), 409)["code"], "OBJECTION_RESOLVED");
    // Two more: one dismissed while the other is pending keeps the hold; the other upheld.
    let (o2, o3) = (object("二"), object("三"));
    assert_eq!(expect(resolve(&o2, false), 200)["state"], "result_on_hold", "another objection is pending");
    assert_eq!(expect(resolve(&o3, true), 200)["state"], "not_passed");
    p.app.set_clock("2024-10-15T01:00:00Z");
    p.app.fire_cron("publicity-timer");
    let r = p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid}));
    assert_eq!(expect(r, 409)["code"], "NOTHING_TO_FILE");
    let objections = expect(p.app.get(&format!("/api/results/applications/{a}/objections"), p.cmt.as_str()), 200);
    assert_eq!(objections.as_array().unwrap().len(), 3);
    assert_eq!(state_of(&p, a), "not_passed");
    // Another organising unit cannot touch it.
    let other_cmt = p.app.token("op-x", "x", Role::CommitteeOrg, "ORG-OTHER-CMT");
    let r =
        p.app.post(&format!("/api/results/applications/{a}/objections"), other_cmt.as_str(), &json!({"content": "x"}));
    assert_eq!(r.0, 404);
}

// ---------------------------------------------------------------- certificates without the chain

/// A province with the issuing unit 9900 only (certificates come from Excel imports).
pub(crate) fn import_province(app: TestApp) -> (TestApp, String) {
    let province = app.token("op-prov", "专技处", Role::Province, PROVINCE_ORG);
    // The province's own organisation comes with the migrations (0007).
    expect(app.post("/api/certificates/issuing-units", province.as_str(), &json!({"org_id": PROVINCE_ORG})), 201);
    // The imported rows' specialty is in the specialty tree (an unknown one is refused).
    expect(
        app.post(
            "/api/admin/specialties",
            province.as_str(),
            &json!({"parent_code": "10", "code": "1002", "name": "内科学"}),
        ),
        201,
    );
    (app, province)
}

pub(crate) fn row(name: &str, id: &str, level: &str, date: &str) -> Vec<String> {
    [name, id, "某医院", "卫生", "内科学", "主任医师", level, "湖南省卫生高评会", DOC_15, date, ""]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

fn workbook(rows: Vec<Vec<String>>) -> Vec<u8> {
    let headers: Vec<&str> = shared::certificates::imports::columns().iter().map(|c| c.column.header).collect();
    let mut sheet = shared::excel::Sheet::new("职称证书", &headers);
    sheet.rows = rows;
    shared::excel::write_xlsx(&[sheet]).unwrap()
}

pub(crate) fn import(app: &TestApp, province: &str, rows: Vec<Vec<String>>) -> Vec<i64> {
    let (s, body) = app.post_bytes(
        "/api/certificates/imports?filename=certs.xlsx",
        province,
        shared::excel::XLSX_CONTENT_TYPE,
        workbook(rows),
    );
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, 201, "{report}");
    let id = report["id"].as_i64().unwrap();
    let c = expect(app.post(&format!("/api/certificates/imports/{id}/commit"), province, &json!({})), 200);
    let nos: Vec<String> =
        c["certificates"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    nos.iter()
        .map(|no| {
            let l = expect(app.get(&format!("/api/certificates?certificate_no={no}"), province), 200);
            l["items"][0]["id"].as_i64().unwrap()
        })
        .collect()
}

#[test]
fn an_excel_import_reports_each_bad_rows_number_column_and_reason_and_commits_only_after_confirmation() {
    let (app, province) = import_province(TestApp::start());
    app.set_clock("2024-11-01T02:00:00Z");
    let (s, tpl) = app.get_bytes("/api/certificates/imports/template", province.as_str());
    assert_eq!(s, 200);
    assert_eq!(shared::excel::read_first_sheet(&tpl).unwrap()[0][1], "身份证号");
    let mut bad_id = row("王五", "430102198503151235", "副高级", "2024-09-30");
    bad_id[4] = String::new();
    // A specialty neither in the specialty tree nor reviewed by any committee.
    let mut unknown_specialty = row("孙八", &citizen_id(9), "副高级", "2024-09-30");
    unknown_specialty[4] = "儿科学".into();
    let rows = vec![
        row("张三", "430102198503151236", "正高级", "2024-09-30"),
        bad_id,
        row("赵六", &citizen_id(7), "中级", "2024/09/30"),
        row("钱七", &citizen_id(8), "副高级", "2024-09-30"),
        row("张三", "430102198503151236", "正高级", "2024-09-30"),
        unknown_specialty,
    ];
    let (s, body) = app.post_bytes(
        "/api/certificates/imports?filename=certs.xlsx",
        province.as_str(),
        shared::excel::XLSX_CONTENT_TYPE,
        workbook(rows),
    );
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, 201, "{report}");
    assert_eq!(
        (report["total"].as_i64(), report["passed"].as_i64(), report["failed"].as_i64()),
        (Some(6), Some(2), Some(4))
    );
    let errs: Vec<(i64, &str, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["header"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errs,
        vec![
            (3, "B", "身份证号"),
            (3, "E", "专业"),
            (4, "G", "职称层级"),
            (4, "J", "取得资格时间"),
            (6, "B", "身份证号"),
            (7, "E", "专业")
        ],
        "{report}"
    );
    assert!(report["errors"][0]["reason"].as_str().unwrap().contains("校验位"));
    assert!(report["errors"][4]["reason"].as_str().unwrap().contains("重复"));
    assert!(report["errors"][5]["reason"].as_str().unwrap().contains("儿科学"), "{report}");
    // Nothing is written before confirmation.
    assert_eq!(expect(app.get("/api/certificates", province.as_str()), 200)["total"], 0);
    let id = report["id"].as_i64().unwrap();
    let c = expect(app.post(&format!("/api/certificates/imports/{id}/commit"), province.as_str(), &json!({})), 200);
    assert_eq!(c["certificates"], json!(["A042499000000001", "B042499000000001"]), "one scope per level");
    assert_eq!(
        expect(app.post(&format!("/api/certificates/imports/{id}/commit"), province.as_str(), &json!({})), 409)["code"],
        "IMPORT_COMMITTED"
    );
    assert_eq!(
        expect(app.get(&format!("/api/certificates/imports/{id}"), province.as_str()), 200)["status"],
        "committed"
    );
    // The same person again: refused per row (a valid certificate is held).
    let (_, body) = app.post_bytes(
        "/api/certificates/imports",
        province.as_str(),
        shared::excel::XLSX_CONTENT_TYPE,
        workbook(vec![row("张三", "430102198503151236", "正高级", "2024-09-30")]),
    );
    let again: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (again["passed"].as_i64(), again["errors"][0]["reason"].as_str()),
        (Some(0), Some("此人已持有该系列、层级的有效证书"))
    );
    // A foreign file is refused whole.
    let (s, _) = app.post_bytes(
        "/api/certificates/imports",
        province.as_str(),
        shared::excel::XLSX_CONTENT_TYPE,
        b"not xlsx".to_vec(),
    );
    assert_eq!(s, 400);
    // The export lists both, masked.
    let (s, x) = app.get_bytes("/api/certificates/export", province.as_str());
    assert_eq!(s, 200);
    let sheet = shared::excel::read_first_sheet(&x).unwrap();
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[1][2], "430***********1236");

    // A configured number format (segments), saved compare-and-set.
    let f = expect(app.get("/api/certificates/number-format", province.as_str()), 200);
    assert_eq!(f["version"], 0);
    let format = json!({"segments": [{"kind": "literal", "text": "HN"}, {"kind": "year", "digits": 4},
        {"kind": "issuing_code"}, {"kind": "level_letter"}, {"kind": "serial", "width": 5}],
        "level_letters": {"deputy_senior": "F", "full_senior": "Z"}, "grow_by": 100});
    let saved = expect(
        app.put("/api/certificates/number-format", province.as_str(), &json!({"format": format, "version": 0})),
        200,
    );
    assert_eq!(saved["version"], 1);
    let stale = app.put("/api/certificates/number-format", province.as_str(), &json!({"format": format, "version": 0}));
    assert_eq!(expect(stale, 409)["code"], "CERTIFICATE_STALE");
    let bad = json!({"format": {"segments": [{"kind": "level_letter"}], "grow_by": 1}, "version": 1});
    assert_eq!(expect(app.put("/api/certificates/number-format", province.as_str(), &bad), 400)["field"], "format");
    let id = import(&app, &province, vec![row("孙八", &citizen_id(9), "副高级", "2024-09-30")])[0];
    let c = expect(app.get(&format!("/api/certificates/{id}"), province.as_str()), 200);
    assert_eq!(c["certificate_no"], "HN20249900F00001");

    // The issuing unit is cancelled with a reason: no more certificates under its code.
    let units = expect(app.get("/api/certificates/issuing-units", province.as_str()), 200);
    let uid = units["items"][0]["id"].as_i64().unwrap();
    let r =
        app.post(&format!("/api/certificates/issuing-units/{uid}/cancel"), province.as_str(), &json!({"reason": ""}));
    assert_eq!(expect(r, 400)["field"], "reason");
    let r = app.post(
        &format!("/api/certificates/issuing-units/{uid}/cancel"),
        province.as_str(),
        &json!({"reason": "机构调整"}),
    );
    assert_eq!(expect(r, 200)["status"], "cancelled");
    let (_, body) = app.post_bytes(
        "/api/certificates/imports",
        province.as_str(),
        shared::excel::XLSX_CONTENT_TYPE,
        workbook(vec![row("周九", &citizen_id(10), "副高级", "2024-09-30")]),
    );
    let r: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(r["errors"][0]["header"], "发证单位编码", "{r}");
    let (s, x) = app.get_bytes("/api/certificates/issuing-units/export", province.as_str());
    assert_eq!(s, 200);
    assert_eq!(shared::excel::read_first_sheet(&x).unwrap()[1][4], "机构调整");
}

#[test]
fn the_seal_verifies_with_the_published_key_and_changing_one_field_breaks_it() {
    let (app, province) = import_province(TestApp::start());
    app.set_clock("2024-11-01T02:00:00Z");
    let ids = import(&app, &province, vec![row("张三", "430102198503151236", "副高级", "2024-09-30")]);
    let detail = expect(app.get(&format!("/api/certificates/{}", ids[0]), province.as_str()), 200);
    let doc: SealedCertificate = serde_json::from_value(detail["document"].clone()).unwrap();
    assert_eq!(doc.certificate.canonical(), detail["canonical"].as_str().unwrap());

    // Anyone fetches the public key without a token and verifies offline.
    let keys = expect(app.get("/api/verify/seal-keys", None), 200);
    assert_eq!((keys["algorithm"].as_str(), keys["distid"].as_str()), (Some("SM2-with-SM3"), Some("1234567812345678")));
    let key = &keys["keys"][0];
    assert_eq!(key["key_id"], doc.seal.key_id.as_str());
    let public = key["public_key"].as_str().unwrap();
    assert_eq!(public, shared::certificates::seal::SealKey::from_hex(e2e::DEV_SEAL_KEY).unwrap().public_key_hex());
    assert_eq!(doc.verify(public), Ok(true));
    let mut tampered = doc.clone();
    tampered.certificate.level = "正高级".into();
    assert_eq!(tampered.verify(public), Ok(false));

    // The service checks a presented document the same way.
    let ok = expect(app.post("/api/verify/documents", None, &serde_json::to_value(&doc).unwrap()), 200);
    assert_eq!((ok["seal_valid"].as_bool(), ok["status"].as_str()), (Some(true), Some("valid")));
    let bad = expect(app.post("/api/verify/documents", None, &serde_json::to_value(&tampered).unwrap()), 200);
    assert_eq!((bad["seal_valid"].as_bool(), bad["status"].as_str()), (Some(false), Some("unknown")));
}

#[test]
fn public_verification_returns_masked_data_only_and_a_wrong_code_gets_nothing() {
    let (app, province) = import_province(TestApp::start());
    app.set_clock("2024-11-01T02:00:00Z");
    let ids = import(&app, &province, vec![row("张三", "430102198503151236", "副高级", "2024-09-30")]);
    let d = expect(app.get(&format!("/api/certificates/{}", ids[0]), province.as_str()), 200);
    let (no, code) = (d["certificate_no"].as_str().unwrap(), d["verification_code"].as_str().unwrap());

    let r = app.request("GET", &format!("/api/verify/certificates/{no}?code={}", code.to_lowercase()), None, None);
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body.clone()).unwrap();
    assert!(!text.contains("430102198503151236") && text.contains("430***********1236"), "{text}");
    let v = r.json();
    assert_eq!((v["status"].as_str(), v["seal_valid"].as_bool()), (Some("valid"), Some(true)));
    assert_eq!(v["certificate"]["name"], "张三");

    let wrong = app.get(&format!("/api/verify/certificates/{no}?code=00000000"), None);
    let unknown = app.get(&format!("/api/verify/certificates/B999999999999999?code={code}"), None);
    let missing = app.get(&format!("/api/verify/certificates/{no}"), None);
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong, unknown, "a wrong code and an unknown number look the same");
    assert_eq!(missing, unknown);

    // After revocation, verification says so (without the reason).
    expect(
        app.post(
            &format!("/api/certificates/{}/revoke", ids[0]),
            province.as_str(),
            &json!({"reason": "内部原因备注"}),
        ),
        200,
    );
    let v = expect(app.get(&format!("/api/verify/certificates/{no}?code={code}"), None), 200);
    assert_eq!(v["status"], "revoked");
    assert!(!v.to_string().contains("内部原因备注"));
}

// ---------------------------------------------------------------- 1,000 at once

#[test]
fn two_generation_jobs_over_the_same_thousand_filed_passers_issue_a_thousand_distinct_numbers_and_a_small_pool_grows() {
    const N: u32 = 1000;
    let p = health_province();
    filed_passers(&p, N, DOC_15, 4);
    // A pool of 5 numbers by hand (批量生成证号); it runs out and grows by itself.
    let pool = expect(
        p.app.post(
            "/api/certificates/number-pools",
            p.province.as_str(),
            &json!({"level": "deputy_senior", "series": "卫生", "year": 2024, "issuer_code": "9900", "start": 1, "end": 5}),
        ),
        201,
    );
    assert_eq!(pool["scope"], "B04249900#######");
    let overlap = p.app.post(
        "/api/certificates/number-pools",
        p.province.as_str(),
        &json!({"level": "deputy_senior", "series": "卫生", "year": 2024, "issuer_code": "9900", "start": 5, "end": 9}),
    );
    assert_eq!(expect(overlap, 400)["field"], "start");

    let started = std::time::Instant::now();
    // Two jobs over the same 1,000 (by document number, by query), created, then run at once.
    let created: Vec<i64> = [
        json!({"doc_no": DOC_15, "run": false}),
        json!({"query": {"batch_year": 2024, "committee": COMMITTEE}, "run": false}),
    ]
    .into_iter()
    .map(|body| {
        let j = generate(&p, body);
        assert_eq!((j["total"].as_i64(), j["done"].as_i64()), (Some(i64::from(N)), Some(0)));
        j["id"].as_i64().unwrap()
    })
    .collect();
    let jobs = run_at_once(&p, &created);
    eprintln!(
        "two concurrent jobs over {N} in {:?}: issued {} + {}",
        started.elapsed(),
        jobs[0]["issued"],
        jobs[1]["issued"]
    );
    let issued: i64 = jobs.iter().map(|j| j["issued"].as_i64().unwrap()).sum();
    let skipped: i64 = jobs.iter().map(|j| j["skipped"].as_i64().unwrap()).sum();
    assert_eq!(issued, i64::from(N), "{jobs:?}");
    // Both ran at once over the same people: whichever reached a person second skipped them.
    assert_eq!(skipped, i64::from(N));
    assert!(jobs.iter().all(|j| j["status"] == "done" && j["failed"] == 0));
    assert_eq!(issued + skipped, jobs.iter().map(|j| j["total"].as_i64().unwrap()).sum::<i64>());

    let db = p.app.db();
    let (count, distinct): (i64, i64) = db
        .query_row("SELECT COUNT(*), COUNT(DISTINCT certificate_no) FROM certificates", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((count, distinct), (i64::from(N), i64::from(N)));
    let nos: BTreeSet<String> = db
        .prepare("SELECT certificate_no FROM certificates")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: BTreeSet<String> = (1..=i64::from(N)).map(|s| format!("B04249900{s:07}")).collect();
    assert_eq!(nos, expected, "serials 1..=1000, none skipped, none twice");
    let pools = expect(p.app.get("/api/certificates/number-pools", p.province.as_str()), 200);
    let ranges: Vec<(i64, i64, &str)> = pools["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["start_serial"].as_i64().unwrap(), p["end_serial"].as_i64().unwrap(), p["origin"].as_str().unwrap())
        })
        .collect();
    assert_eq!(ranges, vec![(6, 1005, "auto"), (1, 5, "manual")]);
    let outbox: i64 =
        db.query_row("SELECT COUNT(DISTINCT certificate_id) FROM mohrss_outbox", [], |r| r.get(0)).unwrap();
    assert_eq!(outbox, i64::from(N), "each certificate queued for MOHRSS in its own transaction");
}

// ---------------------------------------------------------------- a replica killed mid-batch (issue 15)

/// The queries of the sessions of `db`'s database that wait for a lock (read outside any
/// transaction: `pg_stat_activity` is a snapshot per transaction).
fn lock_waiters(db: &PgNativeDb) -> Vec<String> {
    db.query("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", &[])
        .unwrap()
        .iter()
        .map(|r| r.text(0).unwrap())
        .collect()
}

/// Waits (at most a minute) until a session of `db`'s database waits for a lock in a
/// statement containing `update` (the store wraps an update with RETURNING in a `WITH`).
fn await_lock_waiter(db: &PgNativeDb, update: &str) {
    for _ in 0..3000 {
        if lock_waiters(db).iter().any(|q| q.contains(update)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no session waits in `{update}…`: {:?}", lock_waiters(db));
}

/// Opens a transaction on `hold` that holds one row (`UPDATE … SET x = x`), as a writer
/// would, and may sit idle in it as long as the test needs.
fn hold_row(hold: &PgNativeDb, update: &str, params: &[shared::store::Value]) {
    hold.execute("SET idle_in_transaction_session_timeout = 0", &[]).unwrap();
    hold.execute("BEGIN", &[]).unwrap();
    hold.execute(update, params).unwrap();
}

/// A province with `N` filed passers on PostgreSQL and replica A (a separate process)
/// with a generation job over them created (not run): (province, A, the passers, job id,
/// database URL). `None` on SQLite. `before_a` runs on the database before A starts.
fn batch_for_replica_a(n: u32, before_a: impl FnOnce(&str)) -> Option<(Province, HostProcess, Vec<i64>, i64, String)> {
    let p = health_province();
    let url = p.app.database_url()?.to_owned();
    let ids = filed_passers(&p, n, DOC_15, 4);
    before_a(&url);
    let a = p.app.replica_process().unwrap();
    a.set_clock("2024-10-30T02:00:00Z");
    let body = json!({"doc_no": DOC_15, "run": false});
    let (s, job) = a.send("POST", "/api/certificates/jobs", Some(p.province.as_str()), &body).unwrap();
    assert_eq!(s, 201, "{job}");
    let id = job["id"].as_i64().unwrap();
    Some((p, a, ids, id, url))
}

/// Runs job `id` on replica A and stops A in its second chunk: `stop(&a)` is called while A
/// waits in that chunk's writing transaction at its first item (`ids[1]`) with its
/// certificate written, not committed, and the first chunk (a run's first chunk is one
/// item) committed. The second chunk (`ids[1]`, `ids[2]`) is claimed, its numbers (2 and 3)
/// reserved, and sealed. Steered by row locks, not by timing: one session holds the job's
/// row, so A's first chunk waits in its writing; another holds the second item's row,
/// released after `stop`. Returns the thread of A's request.
fn stop_replica_a_in_its_second_chunk(
    a: &HostProcess,
    province: &str,
    url: &str,
    ids: &[i64],
    id: i64,
    stop: impl FnOnce(&HostProcess),
) -> std::thread::JoinHandle<anyhow::Result<(u16, Value)>> {
    let hold_job = PgNativeDb::connect(url).unwrap();
    let hold_item = PgNativeDb::connect(url).unwrap();
    let probe = PgNativeDb::connect(url).unwrap();
    hold_row(&hold_job, "UPDATE certificate_jobs SET total = total WHERE id = ?", &[id.into()]);
    hold_row(
        &hold_item,
        "UPDATE certificate_job_items SET status = status WHERE job_id = ? AND application_id = ?",
        &[id.into(), ids[1].into()],
    );
    let (base, token) = (a.base_url().to_owned(), province.to_owned());
    let run = std::thread::spawn(move || {
        e2e::send_json(&base, "POST", &format!("/api/certificates/jobs/{id}/run"), Some(&token), &json!({}))
    });
    await_lock_waiter(&probe, "UPDATE certificate_jobs");
    hold_job.execute("COMMIT", &[]).unwrap();
    await_lock_waiter(&probe, "UPDATE certificate_job_items");
    let row = &probe.query("SELECT issued, status FROM certificate_jobs WHERE id = ?", &[id.into()]).unwrap()[0];
    let progress = (row.int(0).unwrap(), row.text(1).unwrap());
    assert_eq!(progress, (1, "running".to_owned()), "progress, not finished; replica A:\n{}", a.log());
    stop(a);
    hold_item.execute("COMMIT", &[]).unwrap();
    run
}

/// The stopped replica A's claims on its second chunk outlive it until their lease lapses,
/// 60 s after A claimed them on A's clock (set to 02:00:00): replica B (the test's own
/// host), at 02:00:58, sees those two items in flight, and its run waits for the lease, not
/// less, before it takes them over with their reserved numbers.
fn replica_b_sees_a_s_claims_until_their_lease_lapses(p: &Province, id: i64) -> std::time::Instant {
    p.app.set_clock("2024-10-30T02:00:58Z");
    let view = expect(p.app.get(&format!("/api/certificates/jobs/{id}"), p.province.as_str()), 200);
    assert_eq!(view["in_flight"], 2, "{view}");
    let until = view["in_flight_until"].as_str().unwrap_or_default();
    assert!(until > "2024-10-30T02:01:00" && until < "2024-10-30T02:01:30", "lease until {until}");
    std::time::Instant::now()
}

/// Replica B (the test's own host) runs job `id` to the end; every passer then has exactly
/// one certificate, the serials are 1..=n with none twice and none skipped, each is queued
/// for the registry once, and the audit chain verifies.
fn replica_b_finishes_the_batch(p: &Province, ids: &[i64], id: i64) {
    let n = ids.len() as i64;
    let waited = replica_b_sees_a_s_claims_until_their_lease_lapses(p, id);
    let done = expect(p.app.post(&format!("/api/certificates/jobs/{id}/run"), p.province.as_str(), &json!({})), 200);
    assert!(waited.elapsed() >= Duration::from_secs(1), "B took over A's claims before their lease lapsed");
    assert_eq!((done["in_flight"].as_i64(), done["voided"].as_array().map(Vec::len)), (Some(0), Some(0)), "{done}");
    assert_eq!(
        (done["status"].as_str(), done["done"].as_i64(), done["total"].as_i64(), done["issued"].as_i64()),
        (Some("done"), Some(n), Some(n), Some(n)),
        "{done}"
    );
    let db = p.app.db();
    let rows: Vec<(i64, String)> = db
        .prepare("SELECT application_id, certificate_no FROM certificates ORDER BY certificate_no")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let holders: BTreeSet<i64> = rows.iter().map(|(a, _)| *a).collect();
    assert_eq!((rows.len(), holders), (ids.len(), ids.iter().copied().collect()), "one certificate each");
    let nos: Vec<&str> = rows.iter().map(|(_, no)| no.as_str()).collect();
    let expected: Vec<String> = (1..=n).map(|s| format!("B04249900{s:07}")).collect();
    assert_eq!(nos, expected, "serials 1..={n}: the stopped chunk's number issued once, by B, and no gap");
    let items: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM certificate_job_items WHERE job_id = ? AND status = 'issued' \
             AND certificate_id IN (SELECT id FROM certificates)",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(items, n);
    let outbox: (i64, i64) = db
        .query_row("SELECT COUNT(*), COUNT(DISTINCT certificate_id) FROM mohrss_outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(outbox, (n, n), "each certificate queued for the registry once");
    let chain = expect(p.app.get("/api/jobs/audit-chain", p.province.as_str()), 200);
    assert_eq!(chain["breaks"], json!([]), "{chain}");
}

#[test]
fn a_replica_killed_mid_certificate_batch_leaves_the_other_to_finish_it_with_each_number_once_and_none_skipped() {
    let Some((p, a, ids, id, url)) = batch_for_replica_a(12, |_| ()) else {
        return eprintln!("the store is SQLite: no second replica to kill (one file beside one process)");
    };
    let run = stop_replica_a_in_its_second_chunk(&a, &p.province, &url, &ids, id, HostProcess::kill);
    let answered = run.join().unwrap();
    assert!(answered.is_err(), "the killed replica cannot have answered: {answered:?}");
    let certified: i64 = p.app.db().query_row("SELECT COUNT(*) FROM certificates", [], |r| r.get(0)).unwrap();
    assert_eq!(certified, 1, "the killed chunk's certificate rolled back with its connection");
    replica_b_finishes_the_batch(&p, &ids, id);
}

#[test]
fn a_replica_frozen_mid_certificate_batch_loses_its_transaction_when_idle_and_the_other_finishes_the_batch() {
    // A frozen replica (SIGSTOP: a hung machine, or one cut off by the network) keeps its
    // connection open, so nothing tells PostgreSQL it is gone; its open chunk would hold the
    // writer lock until TCP noticed. The database's idle_in_transaction_session_timeout
    // (set by the migrations, 60 s; 2 s for this test's replica) is the lease that expires.
    let mut default = None;
    let Some((p, a, ids, id, url)) = batch_for_replica_a(6, |url| {
        let db = PgNativeDb::connect(url).unwrap();
        default = Some(
            db.query("SELECT current_setting('idle_in_transaction_session_timeout')", &[]).unwrap()[0].text(0).unwrap(),
        );
        let name = url.rsplit('/').next().unwrap();
        db.execute(&format!("ALTER DATABASE \"{name}\" SET idle_in_transaction_session_timeout = '2s'"), &[]).unwrap();
    }) else {
        return eprintln!("the store is SQLite: no second replica to freeze (one file beside one process)");
    };
    assert_eq!(default.as_deref(), Some("1min"), "the migrations' default for the database");
    let freeze = |a: &HostProcess| {
        let status = std::process::Command::new("kill").args(["-STOP", &a.id().to_string()]).status().unwrap();
        assert!(status.success(), "SIGSTOP replica A");
    };
    let _run = stop_replica_a_in_its_second_chunk(&a, &p.province, &url, &ids, id, freeze);
    // B waits for the writer lock until PostgreSQL ends A's idle transaction. Meanwhile a
    // second job, over ids[2] alone (one of A's claimed items), waits for A's claim to
    // lapse rather than reserve a second number for the same person, then issues it with
    // the pool's next number (4: 1 is on A's first certificate, 2 and 3 are A's claims).
    let waited = replica_b_sees_a_s_claims_until_their_lease_lapses(&p, id);
    let other = generate(&p, json!({"application_ids": [ids[2]]}));
    assert!(waited.elapsed() >= Duration::from_secs(1), "the second job took a person A holds");
    assert_eq!((other["status"].as_str(), other["issued"].as_i64()), (Some("done"), Some(1)), "{other}");
    let no_of = |a: i64| -> String {
        p.app
            .db()
            .query_row("SELECT certificate_no FROM certificates WHERE application_id = ?", [a], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(no_of(ids[2]), "B042499000000004");
    // B finishes the batch: ids[1] with A's reserved 2; ids[2] is skipped, already issued,
    // and the 3 reserved for it is voided (作废), so every number taken is accounted for.
    p.app.set_clock("2024-10-30T02:02:00Z");
    let done = expect(p.app.post(&format!("/api/certificates/jobs/{id}/run"), p.province.as_str(), &json!({})), 200);
    assert_eq!(
        (done["status"].as_str(), done["issued"].as_i64(), done["skipped"].as_i64(), done["in_flight"].as_i64()),
        (Some("done"), Some(5), Some(1), Some(0)),
        "{done}"
    );
    assert_eq!(
        done["voided"],
        json!([{"certificate_no": "B042499000000003", "application_id": ids[2],
                "reason": "已发证（B042499000000004）", "voided_at": "2024-10-30T02:02:00Z"}])
    );
    assert_eq!(done["problems"][0]["reason"], "已发证（B042499000000004）");
    assert_eq!(no_of(ids[1]), "B042499000000002");
    let nos: BTreeSet<String> = ids.iter().map(|a| no_of(*a)).collect();
    let expected: BTreeSet<String> = [1, 2, 4, 5, 6, 7].iter().map(|s| format!("B04249900{s:07}")).collect();
    assert_eq!(nos, expected, "one certificate each; 3 voided, none twice");
    let voids: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'void_certificate_number'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(voids, 1, "the voided number is audited");
    let chain = expect(p.app.get("/api/jobs/audit-chain", p.province.as_str()), 200);
    assert_eq!(chain["breaks"], json!([]), "{chain}");
    a.kill();
}

#[test]
fn r8_a_directed_title_is_marked_on_its_certificate_and_its_registry_record_and_an_ordinary_one_is_not() {
    // 八(二): a title of directed evaluation (定向评价、定向使用) says so on its face.
    let p = health_province();
    let ids = filed_passers_with(&p, 2, DOC_15, 1, &|person, form| form["directed_evaluation"] = json!(person == 101));
    let job = generate(&p, json!({"doc_no": DOC_15}));
    assert_eq!((job["status"].as_str(), job["issued"].as_i64()), (Some("done"), Some(2)), "{job}");
    let db = p.app.db();
    let title_of = |a: i64, sql: &str| -> String {
        let json: String = db.query_row(sql, [a], |r| r.get(0)).unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        // A certificate's payload is its face; an outbox record carries it in its body.
        let face = if v["body"]["certificate"].is_object() { &v["body"]["certificate"] } else { &v };
        face["title"].as_str().unwrap_or_default().to_owned()
    };
    let face = "SELECT payload FROM certificates WHERE application_id = ?";
    let record = "SELECT o.payload FROM mohrss_outbox o JOIN certificates c ON c.id = o.certificate_id \
                  WHERE c.application_id = ?";
    let (ordinary, directed) = (title_of(ids[0], face), title_of(ids[1], face));
    assert!(!ordinary.is_empty() && !ordinary.contains("定向"), "{ordinary}");
    assert_eq!(directed, format!("{ordinary}（定向评价、定向使用）"));
    assert_eq!(title_of(ids[1], record), directed, "the registry record carries the face");
    assert_eq!(title_of(ids[0], record), ordinary);
}

#[test]
fn a_job_run_by_two_runners_at_once_seals_side_by_side_and_issues_each_number_once() {
    // Issue 14: two `…/run` requests on one job (the portal sends two) claim alternate
    // chunks, seal them at the same time, and take turns only to write.
    const N: u32 = 16;
    let p = health_province();
    let ids = filed_passers(&p, N, DOC_15, 4);
    let id = generate(&p, json!({"doc_no": DOC_15, "run": false}))["id"].as_i64().unwrap();
    let runs = run_at_once(&p, &[id, id]);
    // Each run returns when nothing is left to claim and no other runner holds an item.
    for r in &runs {
        assert_eq!(
            (r["status"].as_str(), r["done"].as_i64(), r["in_flight"].as_i64()),
            (Some("done"), Some(i64::from(N)), Some(0))
        );
    }
    let job = expect(p.app.get(&format!("/api/certificates/jobs/{id}"), p.province.as_str()), 200);
    assert_eq!(
        (job["issued"].as_i64(), job["skipped"].as_i64(), job["failed"].as_i64()),
        (Some(i64::from(N)), Some(0), Some(0))
    );
    assert_eq!(job["voided"], json!([]));
    let db = p.app.db();
    let rows: Vec<(i64, String)> = db
        .prepare("SELECT application_id, certificate_no FROM certificates ORDER BY application_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut ids = ids;
    ids.sort_unstable();
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), ids, "one certificate each");
    // Numbers are reserved in application order as chunks are claimed.
    let expected: Vec<String> = (1..=i64::from(N)).map(|s| format!("B04249900{s:07}")).collect();
    assert_eq!(rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(), expected);
    let (outbox, claims): (i64, i64) = db
        .query_row(
            "SELECT (SELECT COUNT(DISTINCT certificate_id) FROM mohrss_outbox), \
             (SELECT COUNT(*) FROM certificate_job_claims)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((outbox, claims), (i64::from(N), 0), "each queued once; no claim left");
    let listed = expect(p.app.get("/api/certificates?page_size=1", p.province.as_str()), 200);
    assert_eq!(listed["total"], N);
    let chain = expect(p.app.get("/api/jobs/audit-chain", p.province.as_str()), 200);
    assert_eq!(chain["breaks"], json!([]), "{chain}");
}

// ---------------------------------------------------------------- the MOHRSS outbox

/// How the fake registry answers the next batch.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// 503, nothing stored.
    Unavailable,
    /// Stores the records, then holds the connection past the sender's timeout.
    StoreThenHang(Duration),
    /// Stores and answers.
    Succeed,
    /// Stores, tells the test, waits for its go, then answers.
    StoreThenWait,
}

#[derive(Default)]
struct RegistryState {
    mode: Vec<Mode>,
    /// record key → the record, once each (the registry dedupes by record key).
    records: HashMap<String, Value>,
    /// batch key → the first answer.
    answers: HashMap<String, Value>,
    /// Every record delivery received (with repeats).
    deliveries: usize,
    requests: usize,
}

/// A fake national registry on loopback, speaking the interface of
/// `shared::certificates::registry`.
struct FakeRegistry {
    port: u16,
    state: Arc<Mutex<RegistryState>>,
    received: mpsc::Receiver<()>,
    go: mpsc::Sender<()>,
}

impl FakeRegistry {
    fn start() -> FakeRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(RegistryState::default()));
        let (received_tx, received) = mpsc::channel();
        let (go, go_rx) = mpsc::channel::<()>();
        let go_rx = Arc::new(Mutex::new(go_rx));
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (st, received, go) = (st.clone(), received_tx.clone(), go_rx.clone());
                // One thread per connection: a hanging answer holds up nothing else.
                std::thread::spawn(move || serve(stream, &st, &received, &go));
            }
        });
        FakeRegistry { port, state, received, go }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn next(&self, modes: &[Mode]) {
        let mut s = self.state.lock().unwrap();
        s.mode = modes.iter().rev().cloned().collect();
    }

    fn record_keys(&self) -> BTreeSet<String> {
        self.state.lock().unwrap().records.keys().cloned().collect()
    }
}

pub(crate) fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let mut more = |buf: &mut Vec<u8>| -> Option<()> {
        let n = stream.read(&mut tmp).ok()?;
        (n > 0).then(|| buf.extend_from_slice(&tmp[..n]))
    };
    let header_end = loop {
        more(&mut buf)?;
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let header = |name: &str| head.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()));
    let key = header("idempotency-key:").unwrap_or_default();
    if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        // Chunked: size line, data, CRLF … until the zero-size chunk.
        let mut body = Vec::new();
        let mut at = header_end;
        loop {
            let line_end = loop {
                if let Some(i) = buf[at..].windows(2).position(|w| w == b"\r\n") {
                    break at + i;
                }
                more(&mut buf)?;
            };
            let size_text = String::from_utf8_lossy(&buf[at..line_end]).to_string();
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            at = line_end + 2;
            if size == 0 {
                return Some((key, body));
            }
            while buf.len() < at + size + 2 {
                more(&mut buf)?;
            }
            body.extend_from_slice(&buf[at..at + size]);
            at += size + 2;
        }
    }
    let len: usize = header("content-length:").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < header_end + len {
        more(&mut buf)?;
    }
    Some((key, buf[header_end..header_end + len].to_vec()))
}

pub(crate) fn respond(stream: &mut TcpStream, status: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Stores a batch's records once per record key and returns the answer (the first one
/// for a batch key seen before).
fn store(st: &Mutex<RegistryState>, key: &str, body: &[u8]) -> Value {
    let batch: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(batch["batch_key"], key, "the header carries the batch key");
    let mut s = st.lock().unwrap();
    let records = batch["records"].as_array().unwrap();
    s.deliveries += records.len();
    if let Some(a) = s.answers.get(key) {
        return a.clone();
    }
    let mut results = Vec::new();
    for r in records {
        let rk = r["record_key"].as_str().unwrap().to_owned();
        let status = if s.records.contains_key(&rk) { "duplicate" } else { "accepted" };
        s.records.entry(rk.clone()).or_insert_with(|| r.clone());
        results.push(json!({"record_key": rk, "status": status, "receipt": format!("MOHRSS-{rk}")}));
    }
    let answer = json!({"batch_key": key, "results": results});
    s.answers.insert(key.to_owned(), answer.clone());
    answer
}

fn serve(
    mut stream: TcpStream,
    st: &Mutex<RegistryState>,
    received: &mpsc::Sender<()>,
    go: &Mutex<mpsc::Receiver<()>>,
) {
    let Some((key, body)) = read_request(&mut stream) else { return };
    let mode = {
        let mut s = st.lock().unwrap();
        s.requests += 1;
        s.mode.pop().unwrap_or(Mode::Succeed)
    };
    match mode {
        Mode::Unavailable => respond(&mut stream, "503 Service Unavailable", b"{\"error\":\"maintenance\"}"),
        Mode::StoreThenHang(d) => {
            store(st, &key, &body);
            std::thread::sleep(d);
        }
        Mode::Succeed => {
            let a = store(st, &key, &body);
            respond(&mut stream, "200 OK", a.to_string().as_bytes());
        }
        Mode::StoreThenWait => {
            let a = store(st, &key, &body);
            let _ = received.send(());
            let _ = go.lock().unwrap().recv_timeout(Duration::from_secs(30));
            respond(&mut stream, "200 OK", a.to_string().as_bytes());
        }
    }
}

fn outbox(app: &TestApp, province: &str) -> Value {
    expect(app.get("/api/mohrss/outbox?page_size=100", province), 200)
}

fn count(v: &Value, status: &str) -> i64 {
    v["counts"][status].as_i64().unwrap_or(0)
}

fn registry_app(reg: &FakeRegistry, db: Option<&std::path::Path>) -> TestApp {
    let mut b = TestApp::builder(e2e::app_manifest())
        .var("mohrss_registry_origin", &reg.origin())
        .var("mohrss_timeout_ms", "1500");
    if let Some(path) = db {
        b = b.sqlite_path(path);
    }
    b.start().unwrap()
}

/// Issue 15: the registry report's cron runs on every replica. While one replica's send is
/// in flight (the registry has stored the batch and not yet answered), the other
/// replica's run finds nothing due: every record reaches the registry once, and is
/// acknowledged once the answer comes.
#[test]
fn the_registry_report_fired_on_a_second_replica_during_the_first_ones_send_sends_each_record_once() {
    let reg = FakeRegistry::start();
    let a = registry_app(&reg, None);
    let Some(url) = a.database_url().map(str::to_owned) else {
        return eprintln!("the store is SQLite: no replicas to test");
    };
    let b = TestApp::builder(e2e::app_manifest())
        .var("database_url", &url)
        .var("database_host", &e2e::zhicheng_host::pg::host_port(&url).unwrap())
        .var("mohrss_registry_origin", &reg.origin())
        .var("mohrss_timeout_ms", "1500")
        .start()
        .unwrap();
    let (a, province) = import_province(a);
    a.set_clock("2024-11-01T02:00:00Z");
    b.set_clock("2024-11-01T02:00:00Z");
    let rows = (0..6).map(|i| row(&format!("申报人{i}"), &citizen_id(40 + i), "副高级", "2024-09-30")).collect();
    let ids = import(&a, &province, rows);
    assert_eq!(ids.len(), 6);
    assert_eq!(count(&outbox(&a, &province), "pending"), 6);

    reg.next(&[Mode::StoreThenWait]);
    std::thread::scope(|s| {
        let first = s.spawn(|| a.fire_cron("mohrss-report"));
        reg.received.recv_timeout(Duration::from_secs(30)).expect("replica a's batch reached the registry");
        b.fire_cron("mohrss-report");
        let during = reg.state.lock().unwrap().deliveries;
        assert_eq!(during, 6, "replica b sent nothing while a's send was in flight");
        reg.go.send(()).unwrap();
        first.join().unwrap();
    });
    b.fire_cron("mohrss-report");
    let st = reg.state.lock().unwrap();
    assert_eq!((st.deliveries, st.records.len()), (6, 6), "each record delivered once");
    drop(st);
    let o = outbox(&b, &province);
    assert_eq!((count(&o, "acknowledged"), count(&o, "pending"), count(&o, "sent")), (6, 0, 0), "{o}");
}

#[test]
fn the_registry_holds_exactly_one_record_per_certificate_and_revocation_through_failures_a_timeout_and_a_host_death() {
    if e2e::postgres_server().is_some() {
        // The host's death is simulated by copying the SQLite file at an instant and starting
        // a host on the copy; PostgreSQL has no such file (the shared lease logic is the same).
        return eprintln!("SQLite-file crash simulation: not run on PostgreSQL");
    }
    let reg = FakeRegistry::start();
    let (app, province) = import_province(registry_app(&reg, None));
    app.set_clock("2024-11-01T02:00:00Z");
    let ids = import(
        &app,
        &province,
        vec![
            row("张三", "430102198503151236", "副高级", "2024-09-30"),
            row("李四", &citizen_id(1), "副高级", "2024-09-30"),
        ],
    );
    // Fraud: revoked, blacklisted for 3 years, and the revocation queued too.
    let r = expect(
        app.post(
            &format!("/api/certificates/{}/revoke", ids[1]),
            province.as_str(),
            &json!({"reason": "论文造假", "fraud": true}),
        ),
        200,
    );
    assert_eq!(r["status"], "revoked");
    let until: String = app
        .db()
        .query_row("SELECT expires_on FROM blacklist WHERE citizen_id = ?1", [e2e::pii_token(&citizen_id(1))], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(until, "2027-10-31");
    assert_eq!(count(&outbox(&app, &province), "pending"), 3);
    // The counts honour the filters, as the page does: one certificate's records only.
    let one = expect(app.get(&format!("/api/mohrss/outbox?certificate_id={}", ids[1]), province.as_str()), 200);
    assert_eq!((count(&one, "pending"), one["total"].as_i64()), (2, Some(2)), "issued and revoked: {one}");
    let none = expect(app.get("/api/mohrss/outbox?status=acknowledged", province.as_str()), 200);
    assert_eq!((count(&none, "pending"), none["total"].as_i64()), (0, Some(0)));

    // 1. The registry is down: the batch waits for its backoff.
    reg.next(&[Mode::Unavailable]);
    app.fire_cron("mohrss-report");
    let o = outbox(&app, &province);
    assert_eq!((count(&o, "pending"), count(&o, "acknowledged")), (3, 0));
    assert!(o["items"][0]["last_error"].as_str().unwrap().contains("503"));
    app.fire_cron("mohrss-report");
    assert_eq!(reg.state.lock().unwrap().requests, 1, "not again before the backoff");

    // 2. It stores the batch but the answer never comes (timeout): retried later.
    app.advance_clock(61);
    reg.next(&[Mode::StoreThenHang(Duration::from_secs(4))]);
    app.fire_cron("mohrss-report");
    assert_eq!(count(&outbox(&app, &province), "pending"), 3);
    let b = expect(app.get("/api/mohrss/batches", province.as_str()), 200);
    assert_eq!((b["items"][0]["status"].as_str(), b["items"][0]["attempts"].as_i64()), (Some("retry"), Some(2)));
    assert_eq!(reg.record_keys().len(), 3, "the registry holds them already");

    // 3. It answers: the same batch key again; the registry recognises every record.
    app.advance_clock(121);
    reg.next(&[Mode::Succeed]);
    app.fire_cron("mohrss-report");
    let o = outbox(&app, &province);
    assert_eq!(count(&o, "acknowledged"), 3, "{o}");
    assert!(o["items"].as_array().unwrap().iter().all(|r| r["receipt"].as_str().unwrap().starts_with("MOHRSS-")));

    // 4. The host dies after the registry stored a batch and before the answer was recorded.
    let more = import(&app, &province, vec![row("王五", &citizen_id(2), "副高级", "2024-09-30")]);
    expect(
        app.post(&format!("/api/certificates/{}/revoke", ids[0]), province.as_str(), &json!({"reason": "重复发证"})),
        200,
    );
    reg.next(&[Mode::StoreThenWait]);
    let snapshot = tempfile::tempdir().unwrap();
    let disk = snapshot.path().join("after-crash.db");
    std::thread::scope(|s| {
        let tick = s.spawn(|| app.fire_cron("mohrss-report"));
        reg.received.recv_timeout(Duration::from_secs(30)).unwrap();
        // What is on disk at this instant is what a restarted host finds.
        app.db().execute("VACUUM INTO ?1", [disk.to_str().unwrap()]).unwrap();
        reg.go.send(()).unwrap();
        tick.join().unwrap();
    });
    drop(app);
    let app = registry_app(&reg, Some(&disk));
    app.set_clock("2024-11-01T02:10:00Z");
    let o = outbox(&app, &province);
    assert_eq!(count(&o, "sent"), 2, "sent, outcome unknown: {o}");
    app.fire_cron("mohrss-report");
    assert_eq!(count(&outbox(&app, &province), "sent"), 2, "still within the lease: not sent twice at once");
    app.advance_clock(601);
    reg.next(&[Mode::Succeed]);
    app.fire_cron("mohrss-report");
    assert_eq!(count(&outbox(&app, &province), "acknowledged"), 5);

    // 5. Dead letter after 8 sends, then "report selected" delivers it.
    let last = import(&app, &province, vec![row("赵六", &citizen_id(3), "副高级", "2024-09-30")]);
    reg.next(&[Mode::Unavailable; 8]);
    for _ in 0..8 {
        app.fire_cron("mohrss-report");
        app.advance_clock(6 * 3600);
    }
    let o = expect(app.get(&format!("/api/mohrss/outbox?certificate_id={}", last[0]), province.as_str()), 200);
    assert_eq!((o["items"][0]["status"].as_str(), o["items"][0]["attempts"].as_i64()), (Some("failed"), Some(8)));
    assert!(o["items"][0]["last_error"].as_str().unwrap().starts_with("after 8 send(s)"));
    let r = expect(app.post("/api/mohrss/report", province.as_str(), &json!({"certificate_ids": [last[0]]})), 200);
    assert_eq!((r["requeued"].as_i64(), r["run"]["acknowledged"].as_i64()), (Some(1), Some(1)));
    let r = expect(app.post("/api/mohrss/report", province.as_str(), &json!({"all": true})), 200);
    assert_eq!(r["run"]["sends"], 0, "nothing left unreported");
    let applicant = app.token("hr", "hr", Role::Applicant, "");
    assert_eq!(app.post("/api/mohrss/report", applicant.as_str(), &json!({"all": true})).0, 403);

    // Exactly one record per certificate and per revocation, however often each was sent.
    let keys = reg.record_keys();
    let nos = |ids: &[i64]| -> Vec<String> {
        ids.iter()
            .map(|i| {
                expect(app.get(&format!("/api/certificates/{i}"), province.as_str()), 200)["certificate_no"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let mut want = BTreeSet::new();
    for no in nos(&[ids[0], ids[1], more[0], last[0]]) {
        want.insert(format!("issue:{no}"));
    }
    for no in nos(&[ids[1], ids[0]]) {
        want.insert(format!("revoke:{no}"));
    }
    assert_eq!(keys, want);
    let s = reg.state.lock().unwrap();
    assert!(s.deliveries > keys.len(), "records were delivered more than once ({}) and kept once", s.deliveries);
    let issue = &s.records[&format!("issue:{}", nos(&[ids[0]])[0])];
    assert_eq!(issue["body"]["citizen_id"], "430102198503151236", "the registry indexes by the full ID number");
    assert_eq!(issue["body"]["seal"]["algorithm"], "SM2-with-SM3");
}

#[test]
fn reporting_to_a_host_outside_the_allow_list_is_refused_and_retried_not_lost() {
    // The registry origin is the default (`.invalid`): the send fails, the record waits.
    let (app, province) = import_province(TestApp::start());
    app.set_clock("2024-11-01T02:00:00Z");
    import(&app, &province, vec![row("张三", "430102198503151236", "副高级", "2024-09-30")]);
    app.fire_cron("mohrss-report");
    let o = outbox(&app, &province);
    assert_eq!(count(&o, "pending"), 1);
    assert!(o["items"][0]["last_error"].is_string());
}

/// A GET with a Host header of the caller's choosing, over a plain socket (HTTP clients set
/// Host from the URL).
fn raw_get_with_host(app: &TestApp, path: &str, token: &str, host: &str) -> String {
    use std::io::{Read, Write};
    let addr = app.base_url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// Annex 3 §1.17 (issue 12, who does what): a city or county HR bureau issues certificates
/// under its own issuing-unit code, for the filed applications whose audit path it was on;
/// a bureau off the path sees no candidates and cannot select them, nor use another's code;
/// each sees only its own jobs. Refusals issue nothing.
#[test]
fn a_city_bureau_issues_certificates_under_its_own_code_for_the_applications_on_its_path() {
    let p = health_province();
    let ids = filed_passers(&p, 2, DOC_15, 2);
    for (org, code) in [(CITY, "0101"), (OTHER_DEPT, "0202")] {
        expect(
            p.app.post("/api/certificates/issuing-units", p.province.as_str(), &json!({"org_id": org, "code": code})),
            201,
        );
    }
    let other = expect(p.app.get("/api/certificates/candidates", p.other_dept.as_str()), 200);
    assert_eq!(other["total"], 0, "{other}");
    let before = crate::rules::rows(&p, "SELECT id, state, version FROM applications ORDER BY id");
    let r = p.app.post("/api/certificates/jobs", p.other_dept.as_str(), &json!({"application_ids": [ids[0]]}));
    assert_eq!(expect(r, 400)["field"], "application_ids[0]");
    let r = p.app.post("/api/certificates/jobs", p.city.as_str(), &json!({"doc_no": DOC_15, "issuer_code": "0202"}));
    assert_eq!(expect(r, 400)["field"], "issuer_code");
    assert_eq!(p.app.post("/api/certificates/jobs", p.unit.as_str(), &json!({"doc_no": DOC_15})).0, 403);
    assert_eq!(crate::rules::rows(&p, "SELECT id, state, version FROM applications ORDER BY id"), before);

    let mine = expect(p.app.get("/api/certificates/candidates", p.city.as_str()), 200);
    assert_eq!(mine["total"], 2, "the city reviewed both on their path: {mine}");
    let job = expect(p.app.post("/api/certificates/jobs", p.city.as_str(), &json!({"doc_no": DOC_15})), 201);
    assert_eq!(
        (job["status"].as_str(), job["issued"].as_i64(), job["issuer_code"].as_str()),
        (Some("done"), Some(2), Some("0101")),
        "{job}"
    );
    let id = job["id"].as_i64().unwrap();
    assert_eq!((p.state(ids[0]), p.state(ids[1])), ("certified".to_owned(), "certified".to_owned()));
    let all = expect(p.app.get("/api/certificates", p.province.as_str()), 200);
    let nos: Vec<&str> = all["items"].as_array().unwrap().iter().filter_map(|c| c["certificate_no"].as_str()).collect();
    assert!(nos.iter().all(|n| n.contains("0101")), "numbered under the city's code: {nos:?}");
    // Each sees its own jobs; the province all.
    assert_eq!(expect(p.app.get("/api/certificates/jobs", p.city.as_str()), 200)["total"], 1);
    assert_eq!(expect(p.app.get("/api/certificates/jobs", p.other_dept.as_str()), 200)["total"], 0);
    assert_eq!(p.app.get(&format!("/api/certificates/jobs/{id}"), p.other_dept.as_str()).0, 404);
    assert_eq!(expect(p.app.get(&format!("/api/certificates/jobs/{id}"), p.province.as_str()), 200)["issued"], 2);
    let by: String = p
        .app
        .db()
        .query_row(
            "SELECT role FROM audit_events WHERE action = 'issue_certificate' AND subject_kind = 'application' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, "dept", "the transition is the bureau's, declared for it");
}

/// Issue 10: after a full flow — registration, applications submitted through the portal's
/// path, a blacklist entry, certificates sealed, the registry report sent — no full ID number
/// is anywhere in the SQLite files (database and write-ahead log), not even in freed pages:
/// tables hold tokens, the vault holds ciphertext. The registry itself got the full numbers.
#[test]
fn no_full_id_number_is_in_the_database_files_after_submission_certificates_and_the_registry_report() {
    let reg = FakeRegistry::start();
    let p = e2e::scenario::health_province_on(registry_app(&reg, None));
    let registered = citizen_id(77);
    expect(
        p.app.post(
            "/api/session/register",
            None,
            &json!({"name": "郑登记", "citizen_id": registered, "phone": "13900000078", "password": "Scan-2024-ok"}),
        ),
        201,
    );
    let ids = filed_passers(&p, 2, DOC_15, 1);
    let listed = citizen_id(78);
    expect(
        p.app.post(
            "/api/admin/blacklist",
            p.province.as_str(),
            &json!({"citizen_id": listed, "name": "钱失信", "reason": "伪造学历"}),
        ),
        201,
    );
    let job = generate(&p, json!({"doc_no": DOC_15}));
    assert_eq!(job["issued"].as_i64(), Some(2), "{job}");
    reg.next(&[Mode::Succeed]);
    p.app.fire_cron("mohrss-report");
    assert_eq!(count(&outbox(&p.app, p.province.as_str()), "acknowledged"), 2);
    let sent: Vec<String> = reg
        .state
        .lock()
        .unwrap()
        .records
        .values()
        .map(|r| r["body"]["citizen_id"].as_str().unwrap().to_owned())
        .collect();
    let applicants: Vec<String> = (100..102).map(citizen_id).collect();
    assert_eq!(sent.iter().cloned().collect::<BTreeSet<_>>(), applicants.iter().cloned().collect());
    assert_eq!(ids.len(), 2);

    let mut bytes = std::fs::read(p.app.db_path()).unwrap();
    let wal = p.app.db_path().with_extension("db-wal");
    let wal = if wal.exists() { wal } else { std::path::PathBuf::from(format!("{}-wal", p.app.db_path().display())) };
    bytes.extend(std::fs::read(&wal).unwrap_or_default());
    assert!(bytes.len() > 100_000, "the files were read ({} bytes)", bytes.len());
    let text = String::from_utf8_lossy(&bytes);
    for n in applicants.iter().chain([&registered, &listed]) {
        assert!(!text.contains(n.as_str()), "{} found in the database files", &n[..6]);
    }
    // The scanner itself finds a number written out (the control of this check).
    assert_eq!(
        super::pii::full_id_numbers(format!("姓名 {} 内科", applicants[0]).as_bytes()),
        vec![applicants[0].clone()]
    );
    let found = super::pii::full_id_numbers(&bytes);
    assert!(found.is_empty(), "{} full ID number(s) in the database files", found.len());
    // The tables hold tokens and the vault one sealed value per person.
    let tokens: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM certificates WHERE citizen_id LIKE 'pii1:%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tokens, 2);
    let sealed: i64 = p.app.db().query_row("SELECT COUNT(*) FROM pii_vault", [], |r| r.get(0)).unwrap();
    assert!(sealed >= 4, "{sealed}");
}

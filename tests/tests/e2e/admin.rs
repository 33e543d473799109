//! Provincial administration end to end (issue 6): the built `admin`, `registration`,
//! `blacklist-lifter` and `openapi` components with the rest of the app, over HTTP through
//! the local host, on a fresh SQLite file per test. Excel files are built from the
//! downloaded templates and the app's exports are read back with calamine.

use calamine::Reader;
use e2e::TestApp;
use serde_json::{json, Value};
use shared::auth::Role;
use shared::excel::{write_xlsx, Sheet, XLSX_CONTENT_TYPE};

const UNIT: &str = "ORG-XY-HOSPITAL";
const CITY_HEALTH: &str = "ORG-CS-HEALTH";
const CITY_HR: &str = "ORG-CS-HR";
const CMT_ORG: &str = "ORG-CMT-HEALTH";

fn expect(r: (u16, Value), status: u16) -> Value {
    assert_eq!(r.0, status, "{}", r.1);
    r.1
}

fn province(app: &TestApp) -> String {
    app.token("prov-1", "省厅专技处", Role::Province, "ORG-PROVINCE")
}

/// A valid citizen ID number (GB 11643 check digit) from 17 digits.
fn citizen_id(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{body17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Every row of the first sheet of an xlsx, read with calamine.
fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// Downloads a template, checks it is an xlsx with dropdown options, and builds an upload
/// from it: its header row (as the template has it) and `rows`.
fn from_template(app: &TestApp, token: &str, kind: &str, rows: &[&[&str]]) -> Vec<u8> {
    let r = app.request("GET", &format!("/api/admin/imports/{kind}/template"), Some(token), None);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.content_type.as_deref(), Some(XLSX_CONTENT_TYPE));
    let wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    assert_eq!(wb.sheet_names()[1..], ["填写说明".to_owned(), "选项".to_owned()]);
    let template = read_xlsx(&r.body);
    let headers: Vec<&str> = template[0].iter().map(String::as_str).collect();
    let mut sheet = Sheet::new("导入", &headers);
    sheet.rows = rows.iter().map(|r| r.iter().map(|s| (*s).to_owned()).collect()).collect();
    write_xlsx(&[sheet]).unwrap()
}

/// Uploads (validate), then commits; returns (validation report, commit report).
fn import(app: &TestApp, token: &str, kind: &str, file: Vec<u8>) -> (Value, Value) {
    let r = app.request(
        "POST",
        &format!("/api/admin/imports/{kind}?filename={kind}.xlsx"),
        Some(token),
        Some((XLSX_CONTENT_TYPE, file)),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let validated = r.json();
    let id = validated["id"].as_i64().unwrap();
    let committed = expect(app.post(&format!("/api/admin/imports/{kind}/{id}/commit"), token, &json!({})), 200);
    (validated, committed)
}

/// The (row, column, header) of each reported error.
fn error_cells(report: &Value) -> Vec<(i64, String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap_or("").into(),
                e["header"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn health_form(citizen: &str, unit: &str, committee: &str) -> Value {
    json!({
        "citizen_id": citizen,
        "unit_org": unit,
        "series": "卫生",
        "target_level": "deputy_senior",
        "specialty": "内科学",
        "committee": committee,
        "current_title": {"series": "卫生", "level": "intermediate", "obtained_on": "2018-12-01"},
        "assessments": (2019..=2023).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>(),
        "continuing_education_hours": 100,
        "grassroots_service_months": 12,
        "achievements": [{"kind": "paper", "title": "病例研究", "date": "2023-03-01"}]
    })
}

fn draft(app: &TestApp, applicant: &str, form: Value) -> i64 {
    let v = expect(app.post("/api/applications", applicant, &json!({"batch_year": 2024, "form": form})), 201);
    v["id"].as_i64().unwrap()
}

// ---------------------------------------------------------------- building a province from Excel

#[test]
fn a_province_is_built_from_excel_templates_with_one_bad_row_each_reported_and_skipped() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");

    // Organisations: the bad row has a 4-digit region code (column E).
    let file = from_template(
        &app,
        &p,
        "organisations",
        &[
            &[UNIT, "用人单位", "湘雅某医院", "", "430100", "否", "否"],
            &[CITY_HEALTH, "主管部门/省直厅局", "长沙市卫生健康委员会", "", "430100", "否", "否"],
            &[CITY_HR, "市州人社局", "长沙市人力资源和社会保障局", "", "430100", "否", "否"],
            &["ORG-BAD", "市州人社局", "区划有误的机构", "", "4301", "否", "否"],
            &[CMT_ORG, "高评会组建单位", "湖南省卫生高评会办公室", "", "430000", "否", "否"],
        ],
    );
    let (v, c) = import(&app, &p, "organisations", file);
    assert_eq!((v["total"].as_i64(), v["passed"].as_i64(), v["failed"].as_i64()), (Some(5), Some(4), Some(1)), "{v}");
    assert_eq!(error_cells(&v), vec![(5, "E".into(), "行政区划代码".into())]);
    assert_eq!((c["status"].as_str(), c["passed"].as_i64()), (Some("committed"), Some(4)), "{c}");

    // Specialties: the bad row's parent does not exist (column A); a child follows its
    // parent from earlier in the same file.
    let file = from_template(
        &app,
        &p,
        "specialties",
        &[
            &["10", "1002", "临床医学"],
            &["1002", "100201", "内科学"],
            &["99", "9901", "不存在的上级"],
            &["1002", "100210", "外科学"],
        ],
    );
    let (v, c) = import(&app, &p, "specialties", file);
    assert_eq!(error_cells(&v), vec![(4, "A".into(), "上级专业代码".into())], "{v}");
    assert_eq!(c["passed"].as_i64(), Some(3), "{c}");
    // Validation alone wrote nothing; the commit wrote exactly the passing rows.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM specialties WHERE is_root = 0"), 3);

    // Institutions: the bad row's node type does not match the organisation's kind (column A).
    let file = from_template(
        &app,
        &p,
        "institutions",
        &[
            &["市州人社局", CITY_HR, "长沙市职称改革工作领导小组办公室", "中级", "认定", "请携带学历证书原件"],
            &["省人社厅", CITY_HR, "湖南省人力资源和社会保障厅", "中级", "初定", ""],
        ],
    );
    let (v, c) = import(&app, &p, "institutions", file);
    assert_eq!(error_cells(&v), vec![(3, "A".into(), "受理节点类型".into())], "{v}");
    assert_eq!(c["passed"].as_i64(), Some(1));

    // Audit paths: unit → city health commission (upper audit) → city HR (formal review) →
    // the committee's office (recheck); the bad row names an unknown lower (column A).
    let file = from_template(
        &app,
        &p,
        "audit-paths",
        &[
            &[UNIT, CITY_HEALTH, "副高级", "评审", "上级审核"],
            &[CITY_HEALTH, CITY_HR, "副高级", "评审", "形式审查"],
            &["ORG-NOWHERE", CITY_HR, "副高级", "评审", "上级审核"],
            &[CITY_HR, CMT_ORG, "副高级", "评审", "上级审核"],
        ],
    );
    let (v, c) = import(&app, &p, "audit-paths", file);
    assert_eq!(error_cells(&v), vec![(4, "A".into(), "下级机构编号".into())], "{v}");
    assert_eq!(c["passed"].as_i64(), Some(3));

    // Committees: the bad row names a specialty outside the tree (column H).
    let operator = citizen_id("43010219800101123");
    let file = from_template(
        &app,
        &p,
        "committees",
        &[
            &[
                "CMT-HEALTH",
                "湖南省卫生系列高级职称评审委员会",
                "卫生",
                "正高级",
                "是",
                "2026-12-31",
                CMT_ORG,
                "内科学、外科学",
                "评审费:300；面试答辩费:100",
                "王五",
                &operator,
                "0731-84327000",
                "",
            ],
            &[
                "CMT-DENTAL",
                "口腔高评会",
                "卫生",
                "正高级",
                "是",
                "2026-12-31",
                CMT_ORG,
                "牙科学",
                "",
                "赵六",
                &operator,
                "0731-84327001",
                "",
            ],
        ],
    );
    let (v, c) = import(&app, &p, "committees", file);
    assert_eq!(error_cells(&v), vec![(3, "H".into(), "评审专业".into())], "{v}");
    assert_eq!(c["passed"].as_i64(), Some(1));
    let cmt = expect(app.get("/api/admin/committees/CMT-HEALTH", p.as_str()), 200);
    assert_eq!(cmt["specialties"], json!(["内科学", "外科学"]));
    assert_eq!(
        cmt["fees"],
        json!([{"item": "interview", "amount_fen": 10000}, {"item": "review", "amount_fen": 30000}])
    );
    assert_eq!(
        cmt["operator_citizen_id"],
        "430***********".to_owned() + &operator[14..],
        "the operator's ID is masked"
    );

    // A committed import cannot be committed twice; the report stays readable.
    let id = c["id"].as_i64().unwrap();
    let (s, e) = app.post(&format!("/api/admin/imports/committees/{id}/commit"), p.as_str(), &json!({}));
    assert_eq!((s, e["code"].as_str()), (409, Some("IMPORT_ALREADY_COMMITTED")));
    assert_eq!(expect(app.get(&format!("/api/admin/imports/committees/{id}"), p.as_str()), 200)["status"], "committed");

    // The path resolves on this data, and an application climbs it.
    let sim = expect(
        app.get(
            &format!(
                "/api/chain/simulate?unit_org={UNIT}&series=%E5%8D%AB%E7%94%9F&specialty=%E5%86%85%E7%A7%91%E5%AD%A6\
                 &level=deputy_senior&committee=CMT-HEALTH"
            ),
            p.as_str(),
        ),
        200,
    );
    assert_eq!(sim["ok"], true, "{sim}");
    let chain: Vec<(&str, &str)> = sim["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["org"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(chain, vec![(CITY_HEALTH, "audit"), (CITY_HR, "formal_review"), (CMT_ORG, "recheck")]);

    let applicant = app.token("doc-li", "李医生", Role::Applicant, "");
    let unit = app.token("hr-xy", "医院人事处", Role::Unit, UNIT);
    let id = draft(&app, &applicant, health_form(&citizen_id("43010219850315123"), UNIT, "CMT-HEALTH"));
    expect(app.submit(id, applicant.as_str()), 200);
    app.set_clock("2024-09-20T02:00:00Z");
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
    expect(app.post(&format!("/api/unit/applications/{id}/approve"), unit.as_str(), &body), 200);
    app.set_clock("2024-09-30T02:00:00Z");
    app.fire_cron("publicity-timer");
    let v = expect(app.post(&format!("/api/unit/applications/{id}/recommend"), unit.as_str(), &json!({})), 200);
    assert_eq!(v["state"], "upper_audit", "{v}");

    // Every created object is audited and the chain verifies.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'commit_import'"), 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE subject_kind = 'specialty'"), 3);
    let chain = expect(app.get("/api/jobs/audit-chain", p.as_str()), 200);
    assert_eq!(chain["first_broken_seq"], Value::Null, "{chain}");
}

#[test]
fn an_import_of_a_file_that_is_not_the_template_is_refused_whole() {
    let app = TestApp::start();
    let p = province(&app);
    let mut sheet = Sheet::new("x", &["专业代码", "专业名称"]);
    sheet.rows.push(vec!["0801".into(), "力学".into()]);
    let r = app.request(
        "POST",
        "/api/admin/imports/specialties",
        Some(&p),
        Some((XLSX_CONTENT_TYPE, write_xlsx(&[sheet]).unwrap())),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("上级专业代码"), "{}", r.json());
    let r =
        app.request("POST", "/api/admin/imports/specialties", Some(&p), Some((XLSX_CONTENT_TYPE, b"PK-not".to_vec())));
    assert_eq!((r.status, r.json()["field"].as_str()), (400, Some("file")));
    app.add_organisations(&[(UNIT, "unit")]);
    let unit = app.token("hr", "人事", Role::Unit, UNIT);
    let r = app.request("GET", "/api/admin/imports/specialties/template", Some(&unit), None);
    assert_eq!(r.status, 403);
}

// ---------------------------------------------------------------- exports

#[test]
fn an_export_of_5000_blacklist_records_is_a_valid_xlsx_with_every_row_and_masked_ids() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    let ids: Vec<String> =
        (0..5000).map(|i| citizen_id(&format!("43010219{:02}0101{:03}", 60 + i / 1000, i % 1000))).collect();
    let names: Vec<String> = (0..5000).map(|i| format!("人员{i:04}")).collect();
    let rows: Vec<Vec<&str>> =
        ids.iter().zip(&names).map(|(id, n)| vec![id.as_str(), n.as_str(), "提供虚假材料", "2024-06-01", ""]).collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let file = from_template(&app, &p, "blacklist", &rows);
    let (v, c) = import(&app, &p, "blacklist", file);
    assert_eq!((v["passed"].as_i64(), v["failed"].as_i64()), (Some(5000), Some(0)), "{}", v["errors"]);
    assert_eq!(c["passed"].as_i64(), Some(5000));

    // One page is 20; the export is all 5,000.
    let page = expect(app.get("/api/admin/blacklist?page_size=20", p.as_str()), 200);
    assert_eq!((page["items"].as_array().unwrap().len(), page["total"].as_i64()), (20, Some(5000)));
    let r = app.request("GET", "/api/admin/blacklist/export", Some(&p), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type.as_deref(), Some(XLSX_CONTENT_TYPE));
    let sheet = read_xlsx(&r.body);
    assert_eq!(sheet.len(), 5001, "the header and every row");
    assert_eq!(sheet[0][..3], ["编号".to_owned(), "姓名".to_owned(), "身份证号".to_owned()]);
    let exported: std::collections::HashSet<&str> = sheet[1..].iter().map(|r| r[2].as_str()).collect();
    for id in &ids {
        let masked = format!("{}***********{}", &id[..3], &id[14..]);
        assert!(exported.contains(masked.as_str()), "{masked}");
    }
    assert!(sheet[1..].iter().all(|r| r[2].len() == 18 && r[2][3..14].chars().all(|c| c == '*')));
    // No full ID number in any cell of any sheet: every run of ID characters (digits, X) of
    // 18 or more, gathered once. (A search of the raw file per ID was quadratic, seconds of
    // the suite, and looked into compressed bytes.)
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    let cells: Vec<String> = wb
        .worksheets()
        .into_iter()
        .flat_map(|(_, range)| {
            range.rows().flat_map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>()
        })
        .collect();
    assert!(cells.len() >= 5001 * 3, "every sheet's cells were read: {}", cells.len());
    let runs: Vec<&str> = cells
        .iter()
        .flat_map(|cell| cell.split(|c: char| !(c.is_ascii_digit() || c == 'X')))
        .filter(|run| run.len() >= 18)
        .collect();
    assert!(!ids.iter().any(|id| runs.iter().any(|run| run.contains(id.as_str()))), "no full ID number in the file");
    assert!(sheet[1..].iter().all(|r| r[6] == "记录中"));
}

// ---------------------------------------------------------------- blacklist and R5

#[test]
fn a_blacklisted_person_is_refused_until_the_record_period_passes_and_the_lifter_lifts_it() {
    let app = TestApp::start();
    let p = province(&app);
    let applicant = app.token("doc-zhao", "赵医生", Role::Applicant, "");
    let person = citizen_id("43010219790808456");
    app.set_clock("2024-09-10T02:00:00Z");
    let id = draft(&app, &applicant, health_form(&person, UNIT, "CMT-HEALTH"));

    // Found by name, added with the period 2021-09-20 .. 2024-09-19 (3 years by default).
    let people = expect(app.get("/api/admin/people?q=%E8%B5%B5%E5%8C%BB%E7%94%9F", p.as_str()), 200);
    assert_eq!(people[0]["citizen_id"], format!("430***********{}", &person[14..]));
    let rec = expect(
        app.post(
            "/api/admin/blacklist",
            p.as_str(),
            &json!({"application_id": people[0]["application_id"], "reason": "2021年申报提供虚假论文", "recorded_on": "2021-09-20"}),
        ),
        201,
    );
    assert_eq!((rec["expires_on"].as_str(), rec["status"].as_str()), (Some("2024-09-19"), Some("recorded")), "{rec}");
    let bid = rec["id"].as_i64().unwrap();
    let (s, e) = app.post(
        "/api/admin/blacklist",
        p.as_str(),
        &json!({"citizen_id": person, "name": "赵医生", "reason": "重复"}),
    );
    assert_eq!((s, e["code"].as_str()), (409, Some("BLACKLIST_DUPLICATE")));

    // R5: submission refused while recorded.
    let (s, e) = app.submit(id, applicant.as_str());
    assert_eq!(s, 422, "{e}");
    assert!(e["violations"].as_array().unwrap().iter().any(|v| v["rule"] == "R5"), "{e}");

    // The job before the period ends changes nothing.
    app.set_clock("2024-09-19T15:59:59Z");
    app.fire_cron("blacklist-lifter");
    assert_eq!(expect(app.get(&format!("/api/admin/blacklist/{bid}"), p.as_str()), 200)["status"], "recorded");

    // The period has passed (Asia/Shanghai 2024-09-20): expired, then lifted by the job.
    app.set_clock("2024-09-20T01:00:00Z");
    assert_eq!(expect(app.get(&format!("/api/admin/blacklist/{bid}"), p.as_str()), 200)["status"], "expired");
    app.fire_cron("blacklist-lifter");
    let rec = expect(app.get(&format!("/api/admin/blacklist/{bid}"), p.as_str()), 200);
    assert_eq!((rec["status"].as_str(), rec["lifted_reason"].as_str()), (Some("lifted"), Some("记录期满，自动解除")));
    app.fire_cron("blacklist-lifter");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'lift_blacklist_expired'"),
        1,
        "lifted once"
    );

    // Submission accepted.
    let v = expect(app.submit(id, applicant.as_str()), 200);
    assert_eq!(v["state"], "unit_review");

    // Each step audited, by whom, in order; the chain verifies.
    let db = app.db();
    let mut stmt = db
        .prepare("SELECT action, actor, COALESCE(to_state, '') FROM audit_events WHERE subject_kind = 'blacklist' ORDER BY seq")
        .unwrap();
    let steps: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        steps,
        vec![
            ("add_blacklist".into(), "prov-1".into(), "recorded".into()),
            ("lift_blacklist_expired".into(), "system:blacklist-lifter".into(), "lifted".into()),
        ]
    );
    let history = expect(app.get(&format!("/api/admin/history/blacklist/{bid}"), p.as_str()), 200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(
        history[0]["detail"]["citizen_id"],
        format!("430***********{}", &person[14..]),
        "masked in the trail too"
    );
    let chain = expect(app.get("/api/jobs/audit-chain", p.as_str()), 200);
    assert_eq!(chain["first_broken_seq"], Value::Null);
}

#[test]
fn a_blacklist_record_is_modified_and_lifted_by_hand_with_a_reason_and_versions_are_checked() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    let person = citizen_id("43010219700101001");
    let rec = expect(
        app.post(
            "/api/admin/blacklist",
            p.as_str(),
            &json!({"citizen_id": person, "name": "钱某", "reason": "论文抄袭"}),
        ),
        201,
    );
    assert_eq!((rec["recorded_on"].as_str(), rec["expires_on"].as_str()), (Some("2024-09-10"), Some("2027-09-09")));
    let id = rec["id"].as_i64().unwrap();
    let body = |v: i64| json!({"name": "钱某某", "reason": "论文抄袭（经核实）", "recorded_on": "2024-09-10", "expires_on": "2026-09-09", "version": v});
    let m = expect(app.put(&format!("/api/admin/blacklist/{id}"), p.as_str(), &body(1)), 200);
    assert_eq!((m["version"].as_i64(), m["expires_on"].as_str()), (Some(2), Some("2026-09-09")));
    let (s, e) = app.put(&format!("/api/admin/blacklist/{id}"), p.as_str(), &body(1));
    assert_eq!((s, e["code"].as_str()), (409, Some("ADMIN_STALE")));
    let (s, _) = app.post(&format!("/api/admin/blacklist/{id}/lift"), p.as_str(), &json!({"reason": " "}));
    assert_eq!(s, 400);
    let l = expect(
        app.post(&format!("/api/admin/blacklist/{id}/lift"), p.as_str(), &json!({"reason": "复议撤销", "version": 2})),
        200,
    );
    assert_eq!((l["status"].as_str(), l["lifted_reason"].as_str()), (Some("lifted"), Some("复议撤销")));
    let listed = expect(app.get("/api/admin/blacklist?status=lifted", p.as_str()), 200);
    assert_eq!(listed["total"], 1);
    app.add_organisations(&[(UNIT, "unit")]);
    let (s, _) = app.get("/api/admin/blacklist", app.token("hr", "人事", Role::Unit, UNIT).as_str());
    assert_eq!(s, 403, "only the province reads the blacklist");
}

// ---------------------------------------------------------------- unit registration

#[test]
fn a_unit_registration_is_rejected_with_an_opinion_corrected_approved_and_the_unit_can_then_act() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    for (id, kind, name) in [(CITY_HR, "city_hr", "长沙市人社局"), ("ORG-ZZ-HR", "city_hr", "株洲市人社局")]
    {
        expect(
            app.post(
                "/api/province/organisations",
                p.as_str(),
                &json!({"id": id, "kind": kind, "name": name, "region_code": "430100"}),
            ),
            201,
        );
    }
    let hr = app.token("op-cs", "长沙人社", Role::Dept, CITY_HR);
    let other_hr = app.token("op-zz", "株洲人社", Role::Dept, "ORG-ZZ-HR");
    let registrant = app.token("reg-qian", "钱经办", Role::Applicant, "");
    let code = "91350100M000100Y43";
    let org = format!("ORG-{code}");
    let form = |name: &str, version: Option<i64>| {
        json!({"credit_code": code, "name": name, "region_code": "430104", "legal_representative": "孙法人",
               "contact_name": "钱经办", "contact_phone": "0731-88888888", "review_org": CITY_HR, "version": version})
    };

    let reg = expect(app.post("/api/registrations", registrant.as_str(), &form("湖南某科技公司", None)), 201);
    let id = reg["id"].as_i64().unwrap();
    assert_eq!((reg["status"].as_str(), reg["org_id"].as_str()), (Some("pending"), Some(org.as_str())));
    let (s, _) = app.post_bytes(
        &format!("/api/registrations/{id}/attachments?kind=business_licence&filename=licence.jpg"),
        registrant.as_str(),
        "image/jpeg",
        b"\xff\xd8\xff\xe0blurry scan".to_vec(),
    );
    assert_eq!(s, 201);
    // Not yet approved: no token for the organisation.
    let (s, e) = app.post(&format!("/api/registrations/{id}/token"), registrant.as_str(), &json!({}));
    assert_eq!((s, e["code"].as_str()), (409, Some("REGISTRATION_NOT_APPROVED")));
    // A registration is only its registrant's and its HR office's.
    let (s, _) = app.get(&format!("/api/registrations/{id}"), app.token("reg-x", "他人", Role::Applicant, "").as_str());
    assert_eq!(s, 404);
    let (s, _) = app.get(&format!("/api/admin/registrations/{id}"), other_hr.as_str());
    assert_eq!(s, 404);
    assert_eq!(expect(app.get("/api/admin/registrations", other_hr.as_str()), 200)["total"], 0);

    // The HR office sees the attachment and rejects with an opinion.
    let seen = expect(app.get(&format!("/api/admin/registrations/{id}"), hr.as_str()), 200);
    let aid = seen["attachments"][0]["id"].as_i64().unwrap();
    let (s, bytes) = app.get_bytes(&format!("/api/admin/registrations/{id}/attachments/{aid}"), hr.as_str());
    assert_eq!((s, bytes.as_slice()), (200, &b"\xff\xd8\xff\xe0blurry scan"[..]));
    let (s, _) = app.post(&format!("/api/admin/registrations/{id}/reject"), hr.as_str(), &json!({}));
    assert_eq!(s, 400, "a rejection needs an opinion");
    let opinion = "营业执照扫描件不清晰，单位名称与执照不符，请重新上传清晰执照并按执照填写单位全称";
    let r = expect(
        app.post(&format!("/api/admin/registrations/{id}/reject"), hr.as_str(), &json!({"opinion": opinion})),
        200,
    );
    assert_eq!(r["status"], "rejected");

    // The unit reads the opinion, corrects, resubmits.
    let mine = expect(app.get(&format!("/api/registrations/{id}"), registrant.as_str()), 200);
    assert_eq!((mine["status"].as_str(), mine["opinion"].as_str()), (Some("rejected"), Some(opinion)));
    let fixed = expect(
        app.put(
            &format!("/api/registrations/{id}"),
            registrant.as_str(),
            &form("湖南某科技有限公司", mine["version"].as_i64()),
        ),
        200,
    );
    assert_eq!(fixed["status"], "pending");
    let (s, _) = app.post_bytes(
        &format!("/api/registrations/{id}/attachments?kind=business_licence&filename=licence-clear.pdf"),
        registrant.as_str(),
        "application/pdf",
        b"%PDF-1.7 clear".to_vec(),
    );
    assert_eq!(s, 201);

    // Approved: the organisation is active.
    let r = expect(
        app.post(&format!("/api/admin/registrations/{id}/approve"), hr.as_str(), &json!({"opinion": "材料齐全"})),
        200,
    );
    assert_eq!(r["status"], "approved");
    let orgs = expect(app.get(&format!("/api/admin/organisations?q={org}"), p.as_str()), 200);
    assert_eq!(
        (orgs["items"][0]["status"].as_str(), orgs["items"][0]["name"].as_str()),
        (Some("active"), Some("湖南某科技有限公司"))
    );
    let (s, e) = app.post(&format!("/api/admin/registrations/{id}/approve"), hr.as_str(), &json!({}));
    assert_eq!((s, e["code"].as_str()), (409, Some("REGISTRATION_NOT_PENDING")));

    // The unit can then act: with the exchanged token it reviews its employee's application.
    let t = expect(app.post(&format!("/api/registrations/{id}/token"), registrant.as_str(), &json!({})), 200);
    assert_eq!(t["org"], org.as_str());
    let unit = t["token"].as_str().unwrap();
    let applicant = app.token("eng-sun", "孙工", Role::Applicant, "");
    let mut form = health_form(&citizen_id("43010219880808123"), &org, "CMT-X");
    form["series"] = json!("工程");
    form["current_title"]["series"] = json!("工程");
    let aid = draft(&app, &applicant, form);
    expect(app.submit(aid, applicant.as_str()), 200);
    let listed = expect(app.get("/api/unit/applications", unit), 200);
    assert_eq!(listed["total"], 1);
    let body = json!({"publicity_start": "2024-09-11", "complaint_office": "公司人力资源部", "complaint_phone": "0731-88888888"});
    let v = expect(app.post(&format!("/api/unit/applications/{aid}/approve"), unit, &body), 200);
    assert_eq!(v["state"], "unit_publicity");

    let db = app.db();
    let mut stmt = db
        .prepare("SELECT action FROM audit_events WHERE subject_kind = 'unit_registration' AND action NOT LIKE 'upload%' ORDER BY seq")
        .unwrap();
    let actions: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(actions, ["register_unit", "reject_registration", "correct_registration", "approve_registration"]);
}

// ---------------------------------------------------------------- guards

/// The health committees and specialties of the guard scenarios, over the JSON API.
fn committees_setup(app: &TestApp, p: &str) {
    for (id, kind) in [(UNIT, "unit"), (CMT_ORG, "committee_org")] {
        expect(
            app.post(
                "/api/province/organisations",
                p,
                &json!({"id": id, "kind": kind, "name": id, "region_code": "430100"}),
            ),
            201,
        );
    }
    for (parent, code, name) in [("10", "1002", "临床医学"), ("1002", "100201", "内科学"), ("1002", "100210", "外科学")]
    {
        expect(app.post("/api/admin/specialties", p, &json!({"parent_code": parent, "code": code, "name": name})), 201);
    }
    for id in ["CMT-A", "CMT-B"] {
        expect(
            app.post(
                "/api/admin/committees",
                p,
                &json!({"id": id, "name": format!("{id} 卫生高评会"), "series": "卫生", "max_level": "full_senior",
                        "valid_until": "2026-12-31", "organisers": [CMT_ORG], "specialties": ["内科学"],
                        "fees": [{"item": "review", "amount": 300}],
                        "operator": {"name": "王五", "citizen_id": "11010519491231002X", "phone": "0731-84327000"}}),
            ),
            201,
        );
    }
}

#[test]
fn deleting_a_specialty_in_use_is_refused_and_an_unused_one_is_deleted() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    committees_setup(&app, &p);
    let id_of = |code: &str| {
        let l = expect(app.get(&format!("/api/admin/specialties?q={code}"), p.as_str()), 200);
        l["items"].as_array().unwrap().iter().find(|s| s["code"] == code).unwrap()["id"].as_i64().unwrap()
    };
    let (s, e) = app.delete(&format!("/api/admin/specialties/{}", id_of("100201")), p.as_str());
    assert_eq!((s, e["code"].as_str()), (409, Some("SPECIALTY_IN_USE")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("CMT-A"), "{e}");
    let (s, e) = app.delete(&format!("/api/admin/specialties/{}", id_of("1002")), p.as_str());
    assert_eq!((s, e["code"].as_str()), (409, Some("SPECIALTY_HAS_CHILDREN")));
    let (s, e) = app.delete("/api/admin/specialties/10", p.as_str());
    assert_eq!((s, e["code"].as_str()), (409, Some("SPECIALTY_ROOT_FIXED")));
    // Renaming a used specialty is refused too (committees and forms name it).
    let inner = expect(app.get(&format!("/api/admin/specialties/{}", id_of("100201")), p.as_str()), 200);
    let (s, e) = app.put(
        &format!("/api/admin/specialties/{}", inner["id"]),
        p.as_str(),
        &json!({"code": "100201", "name": "内科", "version": inner["version"]}),
    );
    assert_eq!((s, e["code"].as_str()), (409, Some("SPECIALTY_IN_USE")));
    let (s, _) = app.delete(&format!("/api/admin/specialties/{}", id_of("100210")), p.as_str());
    assert_eq!(s, 200, "外科学 is used by nothing");
    let tree = expect(app.get("/api/admin/specialties/tree", app.token("a", "a", Role::Applicant, "").as_str()), 200);
    let medicine = tree.as_array().unwrap().iter().find(|n| n["code"] == "10").unwrap();
    assert_eq!(medicine["children"][0]["children"].as_array().unwrap().len(), 1);
}

#[test]
fn cancelling_a_committee_with_open_applications_is_refused_until_they_are_transferred() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    committees_setup(&app, &p);
    let applicant = app.token("doc-li", "李医生", Role::Applicant, "");
    let id = draft(&app, &applicant, health_form(&citizen_id("43010219850315123"), UNIT, "CMT-A"));
    expect(app.submit(id, applicant.as_str()), 200);

    let cancel = |version: Option<i64>| {
        app.post(
            "/api/admin/committees/CMT-A/cancel",
            p.as_str(),
            &json!({"reason": "组建单位调整，评委会撤销", "version": version}),
        )
    };
    let (s, e) = cancel(None);
    assert_eq!((s, e["code"].as_str()), (409, Some("COMMITTEE_HAS_OPEN_APPLICATIONS")), "{e}");
    assert!(e["message"].as_str().unwrap().contains(&format!("#{id}")), "{e}");
    // Nor may the specialty those applications use be removed from it.
    let c = expect(app.get("/api/admin/committees/CMT-A", p.as_str()), 200);
    let mut edit = json!({"name": c["name"], "series": "卫生", "max_level": "full_senior", "valid_until": "2026-12-31",
        "organisers": [CMT_ORG], "specialties": ["外科学"], "fees": [],
        "operator": {"name": "王五", "citizen_id": "11010519491231002X", "phone": "0731-84327000"}, "version": c["version"]});
    let (s, e) = app.put("/api/admin/committees/CMT-A", p.as_str(), &edit);
    assert_eq!((s, e["code"].as_str()), (409, Some("COMMITTEE_SPECIALTY_IN_USE")), "{e}");
    edit["specialties"] = json!(["内科学", "外科学"]);
    let c2 = expect(app.put("/api/admin/committees/CMT-A", p.as_str(), &edit), 200);
    assert_eq!(c2["version"].as_i64(), Some(c["version"].as_i64().unwrap() + 1));
    let (s, e) = app.put("/api/admin/committees/CMT-A", p.as_str(), &edit);
    assert_eq!((s, e["code"].as_str()), (409, Some("ADMIN_STALE")), "the version moved on");

    // Transferred to CMT-B (the audit chain's transfer, §1.27), then cancellable.
    let t = expect(
        app.post(
            "/api/province/transfers",
            p.as_str(),
            &json!({"application_ids": [id], "to_committee": "CMT-B", "reason": "CMT-A 撤销"}),
        ),
        200,
    );
    assert_eq!(t["count"], 1, "{t}");
    let done = expect(cancel(c2["version"].as_i64()), 200);
    assert_eq!(
        (done["status"].as_str(), done["cancel_reason"].as_str()),
        (Some("cancelled"), Some("组建单位调整，评委会撤销"))
    );
    let (s, e) = cancel(None);
    assert_eq!((s, e["code"].as_str()), (409, Some("COMMITTEE_CANCELLED")));

    // The export lists both, the operator's ID masked.
    let r = app.request("GET", "/api/admin/committees/export", Some(&p), None);
    let sheet = read_xlsx(&r.body);
    assert_eq!(sheet.len(), 3);
    assert!(sheet[1..].iter().all(|r| r[10] == "110***********002X"), "{sheet:?}");
    assert_eq!(sheet[1][12], "已注销");
}

// ---------------------------------------------------------------- batches and calendar

#[test]
fn a_deadline_into_an_unloaded_year_is_refused_until_the_province_loads_its_schedule() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2026-12-20T02:00:00Z");
    // The 2026 batch, set up by the province; the notice's minimums hold.
    let batch = json!({"year": 2026, "material_cutoff": "2026-09-30", "voting_deadline": "2026-12-15",
                       "unit_publicity_working_days": 4, "notice": "湘人社函〔2026〕1号"});
    let (s, e) = app.post("/api/admin/batches", p.as_str(), &batch);
    assert_eq!((s, e["field"].as_str()), (400, Some("unit_publicity_working_days")));
    let mut batch = batch;
    batch["unit_publicity_working_days"] = json!(5);
    let b = expect(app.post("/api/admin/batches", p.as_str(), &batch), 201);
    assert_eq!((b["version"].as_i64(), b["plan_lead_working_days_other"].as_i64()), (Some(1), Some(15)));
    batch["version"] = json!(1);
    batch["unit_publicity_working_days"] = json!(7);
    assert_eq!(expect(app.put("/api/admin/batches/2026", p.as_str(), &batch), 200)["version"], 2);
    let (s, e) = app.put("/api/admin/batches/2026", p.as_str(), &batch);
    assert_eq!((s, e["code"].as_str()), (409, Some("ADMIN_STALE")));
    batch["version"] = json!(2);
    batch["unit_publicity_working_days"] = json!(5);
    expect(app.put("/api/admin/batches/2026", p.as_str(), &batch), 200);

    // A submitted application whose publicity would run into 2027: after the online
    // qualification audit's 09-30 (二(一)), so under an extension the province records.
    let ext = json!({"kind": "qualification_audit_extension", "year": 2026, "until": "2026-12-31",
                     "reason": "跨年公示的工作日计算（演示延期）"});
    expect(app.post("/api/admin/rule-exceptions", p.as_str(), &ext), 201);
    let applicant = app.token("eng-zhou", "周工", Role::Applicant, "");
    app.add_organisations(&[(UNIT, "unit")]);
    let unit = app.token("hr-1", "人事", Role::Unit, UNIT);
    let mut form = health_form(&citizen_id("43010219850315123"), UNIT, "CMT-X");
    form["series"] = json!("工程");
    form["current_title"]["series"] = json!("工程");
    form["achievements"][0]["date"] = json!("2026-03-01");
    form["assessments"] = json!((2021..=2025).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>());
    let v = expect(app.post("/api/applications", applicant.as_str(), &json!({"batch_year": 2026, "form": form})), 201);
    let id = v["id"].as_i64().unwrap();
    expect(app.submit(id, applicant.as_str()), 200);
    let body =
        json!({"publicity_start": "2026-12-28", "complaint_office": "人事处", "complaint_phone": "0731-84327000"});
    let (s, e) = app.post(&format!("/api/unit/applications/{id}/approve"), unit.as_str(), &body);
    assert_eq!((s, e["code"].as_str()), (422, Some("CALENDAR_YEAR_NOT_PUBLISHED")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("2027"));
    let (s, _) = app.get("/api/admin/calendar/2027", p.as_str());
    assert_eq!(s, 422);

    // The province loads 2027 (New Year's Day off on Friday 01-01).
    let schedule = json!({"notice": "国务院办公厅关于2027年部分节假日安排的通知", "off": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": []});
    let (s, _) = app.put("/api/admin/calendar/2027", unit.as_str(), &schedule);
    assert_eq!(s, 403);
    let y = expect(app.put("/api/admin/calendar/2027", p.as_str(), &schedule), 200);
    assert_eq!(y["off"].as_array().unwrap().len(), 3);
    let (s, e) = app.put("/api/admin/calendar/2027", p.as_str(), &schedule);
    assert_eq!((s, e["code"].as_str()), (409, Some("CALENDAR_YEAR_PUBLISHED")));

    // Now the five working days are 12-29, 12-30, 12-31, 01-04, 01-05.
    let v = expect(app.post(&format!("/api/unit/applications/{id}/approve"), unit.as_str(), &body), 200);
    assert_eq!(v["publicity"]["end"], "2027-01-05");
    let years: Vec<i64> = expect(app.get("/api/admin/calendar", p.as_str()), 200)
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2024, 2025, 2026, 2027]);
}

#[test]
fn the_title_tree_and_institutions_are_administered_with_their_guards() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    let t = expect(
        app.post(
            "/api/admin/titles",
            p.as_str(),
            &json!({"series": "卫生", "name": "副主任医师", "level": "副高级", "mohrss_title": "副主任医师", "mohrss_code": "232"}),
        ),
        201,
    );
    let (s, e) = app.post(
        "/api/admin/titles",
        p.as_str(),
        &json!({"series": "新系列", "name": "x", "level": "中级", "mohrss_title": "x"}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("series")), "series are fixed roots");
    // A title targeted by an application can be neither deleted nor moved to another level.
    let applicant = app.token("doc-li", "李医生", Role::Applicant, "");
    draft(&app, &applicant, health_form(&citizen_id("43010219850315123"), UNIT, "CMT-X"));
    let (s, e) = app.delete(&format!("/api/admin/titles/{}", t["id"]), p.as_str());
    assert_eq!((s, e["code"].as_str()), (409, Some("TITLE_IN_USE")));
    let (s, e) = app.put(
        &format!("/api/admin/titles/{}", t["id"]),
        p.as_str(),
        &json!({"series": "卫生", "name": "副主任医师", "level": "正高级", "mohrss_title": "副主任医师", "version": 1}),
    );
    assert_eq!((s, e["code"].as_str()), (409, Some("TITLE_IN_USE")));
    let series = expect(app.get("/api/admin/title-series", applicant.as_str()), 200);
    assert_eq!(series.as_array().unwrap().len(), 28);

    // An institution: created, edited, cancelled with a reason; its notice readable by applicants.
    expect(
        app.post(
            "/api/province/organisations",
            p.as_str(),
            &json!({"id": CITY_HR, "kind": "city_hr", "name": "长沙市人社局", "region_code": "430100"}),
        ),
        201,
    );
    let body = |v: Option<i64>| {
        json!({"node_type": "city_hr", "org_id": CITY_HR, "certificate_name": "长沙市职称改革工作领导小组办公室",
               "level": "intermediate", "method": "recognition", "notice": "请携带原件", "version": v})
    };
    let i = expect(app.post("/api/admin/institutions", p.as_str(), &body(None)), 201);
    let (s, e) = app.post("/api/admin/institutions", p.as_str(), &body(None));
    assert_eq!((s, e["code"].as_str()), (409, Some("INSTITUTION_EXISTS")));
    let path = format!("/api/admin/institutions/{}", i["id"]);
    expect(app.put(&path, p.as_str(), &body(Some(1))), 200);
    assert_eq!(expect(app.get(&path, applicant.as_str()), 200)["notice"], "请携带原件");
    let c = expect(app.post(&format!("{path}/cancel"), p.as_str(), &json!({"reason": "机构职能调整"})), 200);
    assert_eq!((c["status"].as_str(), c["cancel_reason"].as_str()), (Some("cancelled"), Some("机构职能调整")));
    let sheet = read_xlsx(&app.request("GET", "/api/admin/institutions/export", Some(&p), None).body);
    assert_eq!(sheet[1][7], "已注销");
}

#[test]
fn an_upper_organisation_edits_only_its_own_audit_path_edges() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    for (id, kind) in [(UNIT, "unit"), (CITY_HEALTH, "dept"), (CITY_HR, "city_hr"), ("ORG-OTHER", "dept")] {
        expect(
            app.post(
                "/api/province/organisations",
                p.as_str(),
                &json!({"id": id, "kind": kind, "name": id, "region_code": "430100"}),
            ),
            201,
        );
    }
    let upper = app.token("op-h", "卫健委", Role::Dept, CITY_HEALTH);
    let other = app.token("op-o", "其他", Role::Dept, "ORG-OTHER");
    let e = expect(
        app.post(
            "/api/chain/lowers",
            upper.as_str(),
            &json!({"lower_org": UNIT, "level": "deputy_senior", "step": "audit"}),
        ),
        201,
    );
    let path = format!("/api/admin/audit-paths/{}", e["id"]);
    let (s, _) =
        app.put(&path, other.as_str(), &json!({"upper_org": CITY_HEALTH, "step": "formal_review", "version": 1}));
    assert_eq!(s, 404, "another organisation's edge does not exist for it");
    let (s, err) = app.put(&path, upper.as_str(), &json!({"upper_org": CITY_HR, "step": "audit", "version": 1}));
    assert_eq!((s, err["field"].as_str()), (400, Some("upper_org")), "only the province moves a lower elsewhere");
    let v = expect(
        app.put(&path, upper.as_str(), &json!({"upper_org": CITY_HEALTH, "step": "formal_review", "version": 1})),
        200,
    );
    assert_eq!((v["step"].as_str(), v["version"].as_i64()), (Some("formal_review"), Some(2)));
    let v =
        expect(app.put(&path, p.as_str(), &json!({"upper_org": CITY_HR, "step": "formal_review", "version": 2})), 200);
    assert_eq!(v["upper_org"], CITY_HR);
    // A loop is refused: with UNIT → CITY_HR, moving CITY_HR's edge up to UNIT would come back.
    let up = expect(
        app.post(
            "/api/chain/lowers?upper_org=ORG-OTHER",
            p.as_str(),
            &json!({"lower_org": CITY_HR, "level": "deputy_senior", "step": "audit"}),
        ),
        201,
    );
    let (s, err) = app.put(
        &format!("/api/admin/audit-paths/{}", up["id"]),
        p.as_str(),
        &json!({"upper_org": UNIT, "step": "audit", "version": 1}),
    );
    assert_eq!((s, err["field"].as_str()), (400, Some("upper_org")), "{err}");
    assert!(err["message"].as_str().unwrap().contains("循环"));
    let listed = expect(app.get("/api/admin/audit-paths?org=ORG-CS-HR", p.as_str()), 200);
    assert_eq!(listed["total"], 2);
    let sheet = read_xlsx(&app.request("GET", "/api/admin/audit-paths/export", Some(&p), None).body);
    assert_eq!(sheet.len(), 3);
}

#[test]
fn the_province_edits_an_organisations_name_region_and_parent_and_refuses_a_loop_naming_the_field() {
    let app = TestApp::start();
    let p = province(&app);
    app.set_clock("2024-09-10T02:00:00Z");
    for (id, kind) in [(UNIT, "unit"), (CITY_HEALTH, "dept"), (CITY_HR, "city_hr")] {
        expect(
            app.post(
                "/api/province/organisations",
                p.as_str(),
                &json!({"id": id, "kind": kind, "name": id, "region_code": "430100"}),
            ),
            201,
        );
    }
    let path = |id: &str| format!("/api/admin/organisations/{id}");
    let edit = |name: &str, region: &str, parent: Option<&str>, version: i64| json!({"name": name, "region_code": region, "parent_id": parent, "version": version});
    let v = expect(app.get(&path(UNIT), p.as_str()), 200);
    assert_eq!((v["version"].as_i64(), v["parent_id"].is_null()), (Some(1), true), "{v}");

    // The hospital under the health commission, the commission under the city HR bureau.
    let v = expect(app.put(&path(UNIT), p.as_str(), &edit("湘雅附属医院", "430102", Some(CITY_HEALTH), 1)), 200);
    assert_eq!(
        (v["name"].as_str(), v["region_code"].as_str(), v["parent_id"].as_str(), v["parent_name"].as_str()),
        (Some("湘雅附属医院"), Some("430102"), Some(CITY_HEALTH), Some(CITY_HEALTH))
    );
    assert_eq!(v["version"], 2);
    expect(app.put(&path(CITY_HEALTH), p.as_str(), &edit("长沙市卫健委", "430100", Some(CITY_HR), 1)), 200);

    // The tree of administrative parents: city HR bureau → health commission → hospital.
    let tree = expect(app.get("/api/admin/organisations/tree", p.as_str()), 200);
    let find = |nodes: &Value, id: &str| -> Option<Value> {
        fn walk(nodes: &Value, id: &str) -> Option<Value> {
            nodes
                .as_array()?
                .iter()
                .find_map(|n| if n["id"] == id { Some(n.clone()) } else { walk(&n["children"], id) })
        }
        walk(nodes, id)
    };
    let hr = find(&tree, CITY_HR).expect("the city HR bureau in the tree");
    assert!(tree.as_array().unwrap().iter().any(|n| n["id"] == CITY_HR), "a top-level organisation: {hr}");
    let health = find(&hr["children"], CITY_HEALTH).expect("the commission under the city HR bureau");
    assert_eq!(health["children"][0]["id"], UNIT, "{health}");
    assert_eq!(health["children"][0]["name"], "湘雅附属医院");
    assert!(
        find(&tree, UNIT).is_some() && tree.as_array().unwrap().iter().all(|n| n["id"] != UNIT),
        "only under its parent"
    );

    // The city HR bureau under the hospital would come back to itself: refused, naming the loop.
    let (s, e) = app.put(&path(CITY_HR), p.as_str(), &edit(CITY_HR, "430100", Some(UNIT), 1));
    assert_eq!((s, e["code"].as_str(), e["field"].as_str()), (400, Some("INVALID_FIELD"), Some("parent_id")), "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("循环") && message.contains(&format!("{CITY_HR} → {UNIT} → {CITY_HEALTH} → {CITY_HR}")),
        "{message}"
    );
    // Itself, an unknown parent, an unknown region: each names its field.
    for (body, field) in [
        (edit(CITY_HR, "430100", Some(CITY_HR), 1), "parent_id"),
        (edit(CITY_HR, "430100", Some("ORG-NOWHERE"), 1), "parent_id"),
        (edit(CITY_HR, "990100", None, 1), "region_code"),
        (edit(" ", "430100", None, 1), "name"),
    ] {
        let (s, e) = app.put(&path(CITY_HR), p.as_str(), &body);
        assert_eq!((s, e["field"].as_str()), (400, Some(field)), "{e}");
    }
    let (s, e) = app.put(&path("ORG-NOWHERE"), p.as_str(), &edit("无", "430100", None, 1));
    assert_eq!((s, e["code"].as_str()), (404, Some("NOT_FOUND")));
    // A version read before another edit is stale; only the province edits.
    let (s, e) = app.put(&path(UNIT), p.as_str(), &edit("旧名", "430102", None, 1));
    assert_eq!((s, e["code"].as_str()), (409, Some("ADMIN_STALE")), "{e}");
    let dept = app.token("op-h", "卫健委", Role::Dept, CITY_HEALTH);
    assert_eq!(app.put(&path(UNIT), dept.as_str(), &edit("越权", "430102", None, 2)).0, 403);
    assert_eq!(app.get(&path(UNIT), dept.as_str()).0, 403);
    assert_eq!(app.get("/api/admin/organisations/tree", dept.as_str()).0, 403);
    // Clearing the parent; the lookup shows the new name; every edit is audited.
    let v = expect(app.put(&path(UNIT), p.as_str(), &edit("湘雅附属医院", "430102", None, 2)), 200);
    assert!(v["parent_id"].is_null(), "{v}");
    let found = expect(app.get("/api/admin/organisations?q=湘雅附属", p.as_str()), 200);
    assert_eq!(found["items"][0]["id"], UNIT);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE subject_kind = 'organisation' AND action = 'update_organisation'"
        ),
        3
    );
}

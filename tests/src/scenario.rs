//! Scenario builders shared by the end-to-end tests: a health-series province with a
//! hospital (public institution) under the health commission, the city HR bureau doing
//! formal review, and the health committee's office rechecking — set up over the API.

pub use crate::submit_body;
use crate::TestApp;
use serde_json::{json, Value};
use shared::auth::Role;

/// The hospital (a public institution) where the applicants work.
pub const UNIT: &str = "ORG-XY-HOSPITAL";
/// The supervising department (upper audit).
pub const DEPT: &str = "ORG-HEALTH-COMMISSION";
/// The city HR bureau (formal review).
pub const CITY: &str = "ORG-CS-HRSS";
/// The health committee's organising office (recheck).
pub const CMT_ORG: &str = "ORG-HEALTH-CMT-OFFICE";
/// A department off the path.
pub const OTHER_DEPT: &str = "ORG-EDU-DEPT";
/// Another committee's organising office (off this scenario's path).
pub const OTHER_CMT_ORG: &str = "ORG-OTHER-CMT";
/// The health-series senior committee.
pub const COMMITTEE: &str = "CMT-HEALTH-SENIOR";

/// Everyone of a health-series scenario, with tokens.
#[allow(missing_docs)]
pub struct Province {
    pub app: TestApp,
    pub applicant: String,
    pub unit: String,
    pub dept: String,
    pub dept_2: String,
    pub city: String,
    pub cmt: String,
    pub other_dept: String,
    pub province: String,
}

/// Asserts the status and returns the body.
pub fn expect(r: (u16, Value), status: u16) -> Value {
    assert_eq!(r.0, status, "{}", r.1);
    r.1
}

/// A province with a hospital (public institution) under the health commission, the
/// city HR bureau doing formal review, and the health committee's office rechecking.
/// Sets the province up over the API (organisations, committee, paths).
pub fn health_province() -> Province {
    health_province_on(TestApp::start())
}

/// [`health_province`] on a host started by the caller (with its own variables).
pub fn health_province_on(app: TestApp) -> Province {
    let t = |sub: &str, role, org: &str| app.token(sub, sub, role, org);
    let p = Province {
        applicant: t("doc-wang", Role::Applicant, ""),
        unit: t("hr-hosp", Role::Unit, UNIT),
        dept: t("op-dept", Role::Dept, DEPT),
        dept_2: t("op-dept-2", Role::Dept, DEPT),
        city: t("op-city", Role::Dept, CITY),
        cmt: t("op-cmt", Role::CommitteeOrg, CMT_ORG),
        other_dept: t("op-edu", Role::Dept, OTHER_DEPT),
        province: t("op-prov", Role::Province, "ORG-PROVINCE"),
        app,
    };
    p.app.set_clock("2024-08-01T02:00:00Z");
    for (id, kind, name, public) in [
        (UNIT, "unit", "湘雅某医院", true),
        (DEPT, "dept", "省卫生健康委", false),
        (CITY, "city_hr", "长沙市人社局", false),
        (CMT_ORG, "committee_org", "卫生高评会办公室", false),
        (OTHER_DEPT, "dept", "省教育厅", false),
        (OTHER_CMT_ORG, "committee_org", "工程高评会办公室", false),
    ] {
        expect(
            p.app.post(
                "/api/province/organisations",
                p.province.as_str(),
                &json!({"id": id, "kind": kind, "name": name, "region_code": "430100", "public_institution": public}),
            ),
            201,
        );
    }
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": COMMITTEE, "name": "湖南省卫生系列高级职称评审委员会", "organising_org": CMT_ORG,
                    "series": "卫生", "max_level": "full_senior", "valid_until": "2025-12-31",
                    "specialties": ["内科学", "外科学"]}),
        ),
        201,
    );
    // Each upper designates its lower (指定下级), and the lower confirms (annex 2 §1.6.2).
    for (token, lower, lower_token, step) in
        [(&p.dept, UNIT, &p.unit, "audit"), (&p.city, DEPT, &p.dept, "formal_review"), (&p.cmt, CITY, &p.city, "audit")]
    {
        let edge = expect(
            p.app.post(
                "/api/chain/lowers",
                token.as_str(),
                &json!({"lower_org": lower, "level": "deputy_senior", "step": step}),
            ),
            201,
        );
        assert_eq!(edge["confirmation"], "pending", "{edge}");
        confirm_designation(&p.app, lower_token, edge["id"].as_i64().unwrap());
    }
    p
}

/// The designated lower confirms edge `id` (审核层级配置单位确认, annex 2 §1.6.2).
pub fn confirm_designation(app: &TestApp, lower_token: &str, id: i64) -> Value {
    let e = expect(app.post(&format!("/api/chain/designations/{id}/confirm"), lower_token, &json!({})), 200);
    assert_eq!(e["confirmation"], "confirmed", "{e}");
    e
}

/// A valid synthetic ID number for the `n`-th applicant of a scenario (GB 11643 check
/// character computed): born 1980-01-01 plus `n` days below 8,000 (aged 22 to 44 in 2024);
/// from 8,000 on (the benchmark's crowds), born in 1975–1979 with the sequence number
/// telling people of the same birthday apart, each number still distinct.
pub fn citizen_id(n: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let (birth, sequence) = if n < 8000 {
        (chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + chrono::Days::new(u64::from(n)), 100 + n % 900)
    } else {
        let m = n - 8000;
        (chrono::NaiveDate::from_ymd_opt(1975, 1, 1).unwrap() + chrono::Days::new(u64::from(m % 1800)), m / 1800 % 1000)
    };
    let body = format!("430102{}{sequence:03}", birth.format("%Y%m%d"));
    let sum: u32 = body.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// The eligible health-series form of the main applicant.
pub fn form(specialty: &str) -> Value {
    form_of("430102198503151236", specialty)
}

/// The eligible health-series form of a given person.
pub fn form_of(citizen: &str, specialty: &str) -> Value {
    json!({
        "citizen_id": citizen,
        "unit_org": UNIT,
        "series": "卫生",
        "target_level": "deputy_senior",
        "specialty": specialty,
        "committee": COMMITTEE,
        "current_title": {"series": "卫生", "level": "intermediate", "obtained_on": "2018-12-01"},
        "assessments": (2019..=2023).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>(),
        "continuing_education_hours": 100,
        "grassroots_service_months": 12,
        "achievements": [{"kind": "paper", "title": "病例研究", "date": "2023-03-01"}]
    })
}

impl Province {
    /// Declares and approves the hospital's 2024 quota of `n` deputy-senior posts.
    pub fn approve_quota(&self, n: u32) {
        self.app.set_clock("2024-08-01T02:00:00Z");
        let q = expect(
            self.app.post(
                "/api/quotas",
                self.unit.as_str(),
                &json!({"batch_year": 2024, "series": "卫生", "level": "deputy_senior", "vacant_posts": n + 1, "requested": n}),
            ),
            201,
        );
        assert_eq!(q["auditor_org"], DEPT);
        let id = q["id"].as_i64().unwrap();
        expect(self.app.post(&format!("/api/quotas/{id}/audit"), self.dept.as_str(), &json!({"approve": true})), 200);
    }

    /// A special-case quota of `n` posts for `year` (三(二)2) through its whole path: the
    /// unit files it, the health commission checks it and submits its summary in the
    /// 07-01..07-20 window, the province approves. Leaves the clock on `year`-07-10.
    pub fn approve_special_quota(&self, year: i32, n: usize) -> i64 {
        self.app.set_clock(&format!("{year}-07-10T02:00:00Z"));
        let quota = json!({"batch_year": year, "series": "卫生", "level": "deputy_senior", "vacant_posts": 0,
                           "requested": n, "special_category": "high_level_talent", "reason": "专场评审职数"});
        let q = expect(self.app.post("/api/quotas/special", self.unit.as_str(), &quota), 201);
        let id = q["id"].as_i64().unwrap();
        expect(self.app.post(&format!("/api/quotas/{id}/audit"), self.dept.as_str(), &json!({"approve": true})), 200);
        expect(
            self.app.post(
                "/api/quotas/special/reports",
                self.dept.as_str(),
                &json!({"batch_year": year, "report": "关于特殊情况评审职数的专项报告", "quota_ids": [id]}),
            ),
            201,
        );
        expect(
            self.app.post(&format!("/api/quotas/{id}/audit"), self.province.as_str(), &json!({"approve": true})),
            200,
        );
        id
    }

    /// Submitted, publicised (2024-09-23 .. 09-29) and recommendable.
    pub fn recommendable(&self, specialty: &str) -> i64 {
        self.recommendable_as(&self.applicant, "430102198503151236", specialty)
    }

    /// The `n`-th other applicant's application, recommendable.
    pub fn recommendable_nth(&self, n: u32, specialty: &str) -> i64 {
        let token = self.app.token(&format!("doc-{n}"), &format!("医生{n}"), Role::Applicant, "");
        self.recommendable_as(&token, &citizen_id(n), specialty)
    }

    fn recommendable_as(&self, applicant: &str, citizen: &str, specialty: &str) -> i64 {
        self.app.set_clock("2024-09-20T02:00:00Z");
        let body = json!({"batch_year": 2024, "form": form_of(citizen, specialty)});
        let v = expect(self.app.post("/api/applications", applicant, &body), 201);
        let id = v["id"].as_i64().unwrap();
        expect(self.app.submit(id, applicant), 200);
        let body = json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
        let v = expect(self.app.post(&format!("/api/unit/applications/{id}/approve"), self.unit.as_str(), &body), 200);
        assert_eq!(v["publicity"]["end"], "2024-09-29", "Sunday 09-29 is an adjusted workday");
        self.app.set_clock("2024-09-30T02:00:00Z");
        self.app.fire_cron("publicity-timer");
        assert_eq!(self.state(id), "recommendable");
        id
    }

    /// The application's state, as the province sees it.
    pub fn state(&self, id: i64) -> String {
        expect(self.app.get(&format!("/api/chain/applications/{id}"), self.province.as_str()), 200)["state"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An organisation acts on its step (`approve`, `return`, `pass-down`, `reject`, `recheck`).
    pub fn act(&self, token: &str, id: i64, op: &str, body: Value) -> (u16, Value) {
        self.app.post(&format!("/api/chain/applications/{id}/{op}"), token, &body)
    }

    /// Recommended and approved by every level up to the committee's recheck.
    pub fn at_recheck(&self, specialty: &str) -> i64 {
        let id = self.recommendable(specialty);
        self.climb_to_recheck(id)
    }

    /// The `n`-th other applicant's application, qualified.
    pub fn qualified_nth(&self, n: u32, specialty: &str) -> i64 {
        let id = self.climb_to_recheck(self.recommendable_nth(n, specialty));
        expect(self.act(&self.cmt, id, "recheck", json!({"pass": true})), 200);
        id
    }

    /// The main applicant's application recommended by the unit: held by the department
    /// (upper audit).
    pub fn at_upper_audit(&self, specialty: &str) -> i64 {
        let id = self.recommendable(specialty);
        self.recommend(id)
    }

    fn recommend(&self, id: i64) -> i64 {
        expect(self.app.post(&format!("/api/unit/applications/{id}/recommend"), self.unit.as_str(), &json!({})), 200);
        id
    }

    fn climb_to_recheck(&self, id: i64) -> i64 {
        self.recommend(id);
        expect(self.act(&self.dept, id, "approve", json!({"opinion": "同意上报"})), 200);
        expect(self.act(&self.city, id, "approve", json!({"opinion": "形式审查通过"})), 200);
        id
    }

    /// The main applicant's application, qualified.
    pub fn qualified(&self, specialty: &str) -> i64 {
        let id = self.at_recheck(specialty);
        expect(self.act(&self.cmt, id, "recheck", json!({"pass": true})), 200);
        id
    }
}

// ---------------------------------------------------------------- to filed passers

/// The province's own organisation (from migration 0007).
pub const PROVINCE_ORG: &str = "ORG-PROVINCE";

/// The committee met offline on `voted_on` and these qualified applications passed — all
/// through the evaluation API (issue 4): special quota headroom for the double control
/// (inside its 07-01..07-20 window), an offline plan filed ahead of the review (R13) and
/// audited, then the offline results. The test clock is moved for each step and restored.
pub fn voted_passed(p: &Province, ids: &[i64], voted_on: &str) {
    let resume = p.app.clock();
    let day = chrono::NaiveDate::parse_from_str(voted_on, "%Y-%m-%d").unwrap();
    let year = chrono::Datelike::year(&day);
    let committee = p
        .app
        .db()
        .query_row("SELECT committee FROM applications WHERE id = ?", [ids[0]], |r| r.get::<_, String>(0))
        .unwrap();
    p.approve_special_quota(year, ids.len());
    p.app.set_clock(&format!("{}T02:00:00Z", day - chrono::Days::new(45)));
    let plan = json!({"committee": committee, "batch_year": year, "offline": true, "review_start": voted_on,
                      "judging_end": voted_on, "place": "线下评审会场", "participants": ids,
                      "pass_rate_limit_percent": 100});
    let plan = expect(p.app.post("/api/evaluation/plans", p.cmt.as_str(), &plan), 201)["id"].as_i64().unwrap();
    expect(p.app.post(&format!("/api/evaluation/plans/{plan}/submit"), p.cmt.as_str(), &json!({})), 200);
    expect(
        p.app.post(&format!("/api/evaluation/plans/{plan}/audit"), p.province.as_str(), &json!({"approve": true})),
        200,
    );
    p.app.set_clock(&format!("{voted_on}T10:00:00Z"));
    let results: Vec<Value> =
        ids.iter().map(|id| json!({"application_id": id, "agree": 9, "disagree": 0, "present": 9})).collect();
    let out = expect(
        p.app.post(
            &format!("/api/evaluation/plans/{plan}/offline-results"),
            p.cmt.as_str(),
            &json!({"voted_on": voted_on, "results": results}),
        ),
        200,
    );
    assert!(out.as_array().unwrap().iter().all(|r| r["outcome"] == "passed"), "{out}");
    p.app.set_clock(&resume);
}

/// The title the certificates carry, from the title tree (annex 3 §1.2).
pub fn title_tree(p: &Province) {
    expect(
        p.app.post(
            "/api/admin/titles",
            p.province.as_str(),
            &json!({"series": "卫生", "name": "副主任医师", "level": "副高级", "mohrss_title": "副主任医师", "mohrss_code": "232"}),
        ),
        201,
    );
}

/// The province's own organisation (省本级, region 439900, from migration 0007) made the
/// issuing unit, with its code 9900.
pub fn issuing_unit(p: &Province) -> Value {
    let u = expect(
        p.app.post("/api/certificates/issuing-units", p.province.as_str(), &json!({"org_id": PROVINCE_ORG})),
        201,
    );
    assert_eq!((u["code"].as_str(), u["status"].as_str()), (Some("9900"), Some("active")), "last 4 digits of 439900");
    u
}

/// `n` applicants (the `first`-th on) qualified for review, built over the chain API in
/// phases so that many go fast: submit and publicise at 09-20, the timer at 09-30, then
/// the climb. `threads` workers send the requests.
pub fn qualified_many(p: &Province, first: u32, n: u32, threads: usize) -> Vec<i64> {
    qualified_many_with(p, first, n, threads, &|_, _| ())
}

/// [`qualified_many`] with `tweak(person, form)` applied to each person's form first.
pub fn qualified_many_with(
    p: &Province,
    first: u32,
    n: u32,
    threads: usize,
    tweak: &(dyn Fn(u32, &mut Value) + Sync),
) -> Vec<i64> {
    fn each<T: Sync>(items: &[T], threads: usize, f: &(dyn Fn(&T) -> i64 + Sync)) -> Vec<i64> {
        let per = items.len().div_ceil(threads);
        let mut out: Vec<i64> = std::thread::scope(|s| {
            let hs: Vec<_> =
                items.chunks(per.max(1)).map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<_>>())).collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        out.sort_unstable();
        out
    }
    let people: Vec<u32> = (first..first + n).collect();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let ids = each(&people, threads, &|i| {
        let token = p.app.token(&format!("doc-{i}"), &format!("医生{i}"), Role::Applicant, "");
        let mut form = form_of(&citizen_id(*i), "内科学");
        tweak(*i, &mut form);
        let body = json!({"batch_year": 2024, "form": form});
        let id = expect(p.app.post("/api/applications", token.as_str(), &body), 201)["id"].as_i64().unwrap();
        expect(p.app.submit(id, token.as_str()), 200);
        let body = json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
        expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), p.unit.as_str(), &body), 200);
        id
    });
    p.app.set_clock("2024-09-30T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    each(&ids, threads, &|id| {
        expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
        expect(p.act(&p.dept, *id, "approve", json!({})), 200);
        expect(p.act(&p.city, *id, "approve", json!({})), 200);
        expect(p.act(&p.cmt, *id, "recheck", json!({"pass": true})), 200);
        *id
    })
}

/// Opens the publicity of the session voted on `voted_on` (its plan found in the list of
/// sessions awaiting publicity).
pub fn open_publicity(p: &Province, voted_on: &str, start_on: &str) -> (u16, Value) {
    let sessions = expect(p.app.get("/api/results/sessions", p.cmt.as_str()), 200);
    let plan_id = sessions["awaiting_publicity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["voted_on"] == voted_on)
        .map_or(Value::Null, |s| s["plan_id"].clone());
    p.app.post(
        "/api/results/publicities",
        p.cmt.as_str(),
        &json!({"committee": COMMITTEE, "voted_on": voted_on, "plan_id": plan_id, "start_on": start_on,
                "complaint_office": "卫生高评会办公室", "complaint_phone": "0731-84000000"}),
    )
}

/// The province approves filing `filing` under `doc_no`, filed on `filed_on`.
pub fn audit_filing(p: &Province, filing: i64, doc_no: &str, filed_on: &str) -> Value {
    expect(
        p.app.post(
            &format!("/api/results/filings/{filing}/audit"),
            p.province.as_str(),
            &json!({"approve": true, "doc_no": doc_no, "filed_on": filed_on, "opinion": "同意备案"}),
        ),
        200,
    )
}

/// The most participants of one offline plan in [`filed_passers`]: more are split over
/// plans, each with its publicity and filing, all filed under the one document number (as
/// a committee meets in several sessions). A plan's results are entered in one request,
/// and the API takes at most 256 KiB of JSON: about 3,500 participants' results.
pub const PASSERS_PER_PLAN: usize = 2000;

/// `n` passers of the health senior committee filed under `doc_no`, with the province's
/// issuing unit (code 9900) and the title 副主任医师 in the title tree: ready for a
/// certificate generation job at 2024-10-30 (the clock is left there). `threads` workers
/// send the requests.
pub fn filed_passers(p: &Province, n: u32, doc_no: &str, threads: usize) -> Vec<i64> {
    filed_passers_with(p, n, doc_no, threads, &|_, _| ())
}

/// [`filed_passers`] with `tweak(person, form)` applied to each person's form first
/// (people are numbered from 100).
pub fn filed_passers_with(
    p: &Province,
    n: u32,
    doc_no: &str,
    threads: usize,
    tweak: &(dyn Fn(u32, &mut Value) + Sync),
) -> Vec<i64> {
    p.approve_quota(n);
    let ids = qualified_many_with(p, 100, n, threads, tweak);
    let plans = ids.chunks(PASSERS_PER_PLAN);
    for passers in plans.clone() {
        voted_passed(p, passers, "2024-09-30");
    }
    p.app.set_clock("2024-10-08T01:00:00Z");
    let publicities: Vec<i64> =
        plans.map(|_| expect(open_publicity(p, "2024-09-30", "2024-10-08"), 201)["id"].as_i64().unwrap()).collect();
    p.app.set_clock("2024-10-15T01:00:00Z");
    p.app.fire_cron("publicity-timer");
    for pid in publicities {
        let f = expect(p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid})), 201);
        audit_filing(p, f["id"].as_i64().unwrap(), doc_no, "2024-10-21");
    }
    issuing_unit(p);
    title_tree(p);
    p.app.set_clock("2024-10-30T02:00:00Z");
    ids
}

//! People, operators and sign-in (issue 11), end to end through the `session` component:
//! register → sign in → apply under one's own ID number only; a unit registration makes its
//! registrant the first administrator, who adds an operator; the operator's actions are
//! audited in their name; disabling the operator or signing out refuses its tokens at once;
//! delegations hold only inside their window; five wrong passwords lock the account.

use e2e::scenario::*;
use e2e::TestApp;
use serde_json::{json, Value};

const PASSWORD: &str = "Hunan-2024-ok";

fn register(app: &TestApp, name: &str, citizen: &str, phone: &str) -> String {
    let v = expect(
        app.post(
            "/api/session/register",
            None,
            &json!({"name": name, "citizen_id": citizen, "phone": phone, "password": PASSWORD}),
        ),
        201,
    );
    v["person_id"].as_str().unwrap().to_owned()
}

/// A unit registration (annex 3 §1.25) addressed to the city HR bureau.
fn register_unit(app: &TestApp, registrant: &str) -> Value {
    expect(
        app.post(
            "/api/registrations",
            registrant,
            &json!({"credit_code": "91350100M000100Y43", "name": "湖南某科技公司", "region_code": "430104",
                    "legal_representative": "孙法人", "contact_name": "钱经办", "contact_phone": "0731-88888888",
                    "review_org": CITY}),
        ),
        201,
    )
}

fn login(app: &TestApp, account: &str) -> Value {
    expect(app.post("/api/session/login", None, &json!({"account": account, "password": PASSWORD})), 200)
}

fn token(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

fn switch(app: &TestApp, person_token: &str, operator_id: i64) -> String {
    token(&expect(app.post("/api/session/switch", person_token, &json!({"operator_id": operator_id})), 200))
}

#[test]
fn a_registered_person_signs_in_and_applies_only_under_their_own_id_number() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let me = citizen_id(11);
    let person = register(&p.app, "赵医生", &me, "13800000011");
    // Weak passwords and bad ID numbers are refused by name.
    let (s, e) = p.app.post(
        "/api/session/register",
        None,
        &json!({"name": "钱", "citizen_id": citizen_id(12), "phone": "13800000012", "password": "password"}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("password")), "{e}");
    let (s, e) = p.app.post(
        "/api/session/register",
        None,
        &json!({"name": "钱", "citizen_id": "430102198503151237", "phone": "13800000012", "password": PASSWORD}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("citizen_id")), "{e}");
    let (s, e) = p.app.post(
        "/api/session/register",
        None,
        &json!({"name": "赵", "citizen_id": me, "phone": "13800000013", "password": PASSWORD}),
    );
    assert_eq!((s, e["code"].as_str()), (409, Some("PERSON_EXISTS")));

    let signed = login(&p.app, "13800000011");
    assert_eq!(
        (signed["user"]["person_id"].as_str(), signed["role"].as_str()),
        (Some(person.as_str()), Some("applicant"))
    );
    assert!(!signed["user"]["citizen_id"].as_str().unwrap().contains(&me[6..14]), "the ID number is masked");
    let t = token(&signed);
    // Someone else's ID number: refused, nothing stored.
    let before: i64 = p.app.db().query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0)).unwrap();
    let (s, e) = p.app.post(
        "/api/applications",
        t.as_str(),
        &json!({"batch_year": 2024, "form": form_of(&citizen_id(99), "内科学")}),
    );
    assert_eq!((s, e["code"].as_str()), (403, Some("NOT_OWN_CITIZEN_ID")), "{e}");
    let after: i64 = p.app.db().query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after);
    // Without a number the person's own is filled in; with their own it is accepted.
    let mut form = form_of(&me, "内科学");
    form.as_object_mut().unwrap().remove("citizen_id");
    let draft = expect(p.app.post("/api/applications", t.as_str(), &json!({"batch_year": 2024, "form": form})), 201);
    let id = draft["id"].as_i64().unwrap();
    let stored: String =
        p.app.db().query_row("SELECT citizen_id FROM applications WHERE id = ?", [id], |r| r.get(0)).unwrap();
    assert_eq!(stored, e2e::pii_token(&me), "the person's own number, stored as its token");
    expect(p.app.submit(id, t.as_str()), 200);
    // The event names the person.
    let actor: String = p
        .app
        .db()
        .query_row("SELECT actor FROM audit_events WHERE action = 'submit' AND subject_id = ?", [id.to_string()], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(actor, person);
}

#[test]
fn the_registrant_administers_the_new_unit_and_its_operator_acts_in_its_own_name_until_disabled() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let registrant = register(&p.app, "钱经办", &citizen_id(21), "13800000021");
    let reg_token = token(&login(&p.app, "13800000021"));
    let reg = register_unit(&p.app, &reg_token);
    let rid = reg["id"].as_i64().unwrap();
    let org = reg["org_id"].as_str().unwrap().to_owned();
    expect(p.app.post(&format!("/api/admin/registrations/{rid}/approve"), p.city.as_str(), &json!({})), 200);
    // The registrant is the first administrator: the membership shows at sign-in.
    let signed = login(&p.app, &citizen_id(21));
    let admin_op = signed["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["org"] == org.as_str() && m["title"] == "管理员")
        .unwrap_or_else(|| panic!("no admin membership: {signed}"))["operator_id"]
        .as_i64()
        .unwrap();
    let admin = switch(&p.app, &token(&signed), admin_op);

    // The administrator adds an operator (a registered person) as reviewer.
    let clerk_person = register(&p.app, "孙审核", &citizen_id(22), "13800000022");
    let op = expect(
        p.app.post("/api/operators", admin.as_str(), &json!({"citizen_id": citizen_id(22), "duty": "reviewer"})),
        201,
    );
    let op_id = op["id"].as_i64().unwrap();
    let (s, _) = p.app.post("/api/operators", admin.as_str(), &json!({"citizen_id": citizen_id(23), "duty": "clerk"}));
    assert_eq!(s, 400, "an unregistered person cannot be an operator");
    let clerk = switch(&p.app, &token(&login(&p.app, "13800000022")), op_id);
    // A non-administrator cannot manage operators.
    assert_eq!(p.app.get("/api/operators", clerk.as_str()).0, 403);

    // An applicant of the new unit submits; the operator approves it into publicity.
    let applicant = p.app.token("eng-li", "李工", shared::auth::Role::Applicant, "");
    let mut form = form_of(&citizen_id(24), "内科学");
    form["unit_org"] = json!(org);
    let id =
        expect(p.app.post("/api/applications", applicant.as_str(), &json!({"batch_year": 2024, "form": form})), 201)
            ["id"]
            .as_i64()
            .unwrap();
    expect(p.app.submit(id, applicant.as_str()), 200);
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "人事部", "complaint_phone": "0731-88888888"});
    expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), clerk.as_str(), &body), 200);
    let (actor, event_org): (String, String) = p
        .app
        .db()
        .query_row(
            "SELECT actor, org FROM audit_events WHERE action = 'approve_into_publicity' AND subject_id = ?",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (actor.as_str(), event_org.as_str()),
        (clerk_person.as_str(), org.as_str()),
        "the event names the operator"
    );

    // Disabled: the operator's still-unexpired token is refused at once.
    expect(p.app.post(&format!("/api/operators/{op_id}/disable"), admin.as_str(), &json!({"reason": "调岗"})), 200);
    assert_eq!(p.app.get("/api/unit/applications", clerk.as_str()).0, 401);
    // Re-enabled: a new token works again.
    expect(p.app.post(&format!("/api/operators/{op_id}/enable"), admin.as_str(), &json!({})), 200);
    let clerk = switch(&p.app, &token(&login(&p.app, "13800000022")), op_id);
    assert_eq!(p.app.get("/api/unit/applications", clerk.as_str()).0, 200);
    // Another organisation's administrator cannot touch this operator.
    let _ = registrant;
}

#[test]
fn a_delegation_holds_only_inside_its_window_and_sign_out_ends_every_token_of_the_session() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    register(&p.app, "钱经办", &citizen_id(31), "13800000031");
    let reg_token = token(&login(&p.app, "13800000031"));
    let reg = register_unit(&p.app, &reg_token);
    expect(p.app.post(&format!("/api/admin/registrations/{}/approve", reg["id"]), p.city.as_str(), &json!({})), 200);
    let signed = login(&p.app, "13800000031");
    let admin_op = signed["memberships"][0]["operator_id"].as_i64().unwrap();
    let admin = switch(&p.app, &token(&signed), admin_op);
    register(&p.app, "周代理", &citizen_id(32), "13800000032");
    // 09-23 .. 09-24: the stand-in acts for the administrator only in that window.
    let d = expect(
        p.app.post(
            &format!("/api/operators/{admin_op}/delegations"),
            admin.as_str(),
            &json!({"to_citizen_id": citizen_id(32), "valid_from": "2024-09-23", "valid_until": "2024-09-24", "reason": "出差"}),
        ),
        201,
    );
    let delegated = d["id"].as_i64().unwrap();
    assert_eq!(d["delegated_from"], admin_op);
    let stand_in = login(&p.app, "13800000032");
    assert!(stand_in["memberships"].as_array().unwrap().is_empty(), "not yet valid on 09-20: {stand_in}");
    let (s, _) = p.app.post("/api/session/switch", token(&stand_in).as_str(), &json!({"operator_id": delegated}));
    assert_eq!(s, 404);
    p.app.set_clock("2024-09-23T02:00:00Z");
    let stand_in = login(&p.app, "13800000032");
    let acting = switch(&p.app, &token(&stand_in), delegated);
    assert_eq!(p.app.get("/api/operators", acting.as_str()).0, 200, "inside the window the stand-in administers");
    p.app.set_clock("2024-09-25T01:00:00Z");
    assert_eq!(p.app.get("/api/operators", acting.as_str()).0, 401, "after the window its token is refused");

    // Sign-out ends the session's tokens; the refresh token is rotated at each use.
    p.app.set_clock("2024-09-25T02:00:00Z");
    let s1 = login(&p.app, "13800000031");
    let refreshed =
        expect(p.app.post("/api/session/refresh", None, &json!({"refresh_token": s1["refresh_token"]})), 200);
    let (s, _) = p.app.post("/api/session/refresh", None, &json!({"refresh_token": s1["refresh_token"]}));
    assert_eq!(s, 401, "a used refresh token is spent");
    let t = token(&refreshed);
    assert_eq!(p.app.get("/api/session/me", t.as_str()).0, 200);
    assert_eq!(p.app.post("/api/session/logout", t.as_str(), &json!({})).0, 204);
    assert_eq!(p.app.get("/api/session/me", t.as_str()).0, 401);
    assert_eq!(p.app.get("/api/session/me", token(&s1).as_str()).0, 401, "every token of the session");
}

#[test]
fn five_wrong_passwords_lock_the_account_with_the_unlock_time_and_unknown_accounts_answer_alike() {
    let app = TestApp::start();
    app.set_clock("2024-09-20T02:00:00Z");
    register(&app, "吴医生", &citizen_id(41), "13800000041");
    let wrong =
        |account: &str| app.post("/api/session/login", None, &json!({"account": account, "password": "Wrong-pass-1"}));
    for i in 0..4 {
        let (s, e) = wrong("13800000041");
        assert_eq!((s, e["code"].as_str()), (401, Some("LOGIN_FAILED")), "attempt {i}: {e}");
        let (s2, e2) = wrong("13900000000");
        assert_eq!((s2, &e2), (s, &e), "an unknown account answers exactly alike");
    }
    let (s, e) = wrong("13800000041");
    assert_eq!((s, e["code"].as_str()), (423, Some("ACCOUNT_LOCKED")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("2024-09-20 10:15"), "unlock time in Beijing time: {e}");
    // Even the right password waits for the lock to end.
    let (s, _) = app.post("/api/session/login", None, &json!({"account": "13800000041", "password": PASSWORD}));
    assert_eq!(s, 423);
    app.set_clock("2024-09-20T02:16:00Z");
    login(&app, "13800000041");
    // The password is never stored or echoed in clear.
    let db = app.db();
    let mut stmt = db.prepare("SELECT COALESCE(detail, '') || COALESCE(opinion, '') FROM audit_events").unwrap();
    let texts: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(texts.iter().all(|t| !t.contains(PASSWORD) && !t.contains("Wrong-pass-1")));
    let hash: String = db.query_row("SELECT password_hash FROM people", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    assert!(!e.to_string().contains("Wrong-pass-1"));
}

// ---------------------------------------------------------------- federated sign-in

/// The test plays the province's identity service: an RSA and a P-256 key of its own,
/// published as a JWKS in the `federation_issuers` variable.
struct IdentityService {
    rsa: jsonwebtoken::EncodingKey,
    ec: jsonwebtoken::EncodingKey,
    config: String,
}

const ISSUER: &str = "https://id.hunan.example";
const AUDIENCE: &str = "zhicheng";

impl IdentityService {
    fn new() -> IdentityService {
        use base64::Engine;
        use p256::pkcs8::EncodePrivateKey;
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let mut rng = rand::rngs::OsRng;
        let rsa_key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let ec_key = p256::SecretKey::random(&mut rng);
        let mut ec_jwk: Value = serde_json::from_str(&ec_key.public_key().to_jwk_string()).unwrap();
        ec_jwk["kid"] = json!("ec-1");
        ec_jwk["use"] = json!("sig");
        let jwks = json!({"keys": [
            {"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
             "n": b64(&rsa_key.n().to_bytes_be()), "e": b64(&rsa_key.e().to_bytes_be())},
            ec_jwk,
        ]});
        IdentityService {
            rsa: jsonwebtoken::EncodingKey::from_rsa_der(rsa_key.to_pkcs1_der().unwrap().as_bytes()),
            ec: jsonwebtoken::EncodingKey::from_ec_der(ec_key.to_pkcs8_der().unwrap().as_bytes()),
            config: json!([{"issuer": ISSUER, "audience": AUDIENCE, "jwks": jwks}]).to_string(),
        }
    }

    fn sign(&self, alg: jsonwebtoken::Algorithm, kid: &str, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(alg);
        header.kid = Some(kid.into());
        let key = if alg == jsonwebtoken::Algorithm::RS256 { &self.rsa } else { &self.ec };
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }
}

fn claims(sub: &str, citizen: &str, name: &str, exp: i64) -> Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "exp": exp, "id_card": citizen, "name": name})
}

#[test]
fn a_token_of_the_provinces_identity_service_signs_in_and_a_forged_or_expired_one_is_refused() {
    use jsonwebtoken::Algorithm::{ES256, RS256};
    let idp = IdentityService::new();
    let p = health_province_on(
        TestApp::builder(e2e::app_manifest()).var("federation_issuers", &idp.config).start().unwrap(),
    );
    p.app.set_clock("2024-09-20T02:00:00Z");
    let now = chrono::DateTime::parse_from_rfc3339("2024-09-20T02:00:00Z").unwrap().timestamp();
    let federated = |t: &str| p.app.post("/api/session/federated", None, &json!({"token": t}));

    // RS256, a person unknown here: registered from the token, signed in as the applicant.
    let me = citizen_id(31);
    let signed = expect(federated(&idp.sign(RS256, "rsa-1", &claims("u-31", &me, "周医生", now + 600))), 200);
    assert_eq!((signed["role"].as_str(), signed["user"]["name"].as_str()), (Some("applicant"), Some("周医生")));
    let person = signed["user"]["person_id"].as_str().unwrap().to_owned();
    let t = token(&signed);
    // Bound to the token's ID number like any signed-in applicant.
    let (s, e) = p.app.post(
        "/api/applications",
        t.as_str(),
        &json!({"batch_year": 2024, "form": form_of(&citizen_id(98), "内科学")}),
    );
    assert_eq!((s, e["code"].as_str()), (403, Some("NOT_OWN_CITIZEN_ID")), "{e}");
    expect(
        p.app.post("/api/applications", t.as_str(), &json!({"batch_year": 2024, "form": form_of(&me, "内科学")})),
        201,
    );
    // A password sign-in never matches the federated account.
    let (s, e) = p.app.post("/api/session/login", None, &json!({"account": me, "password": "!"}));
    assert_eq!((s, e["code"].as_str()), (401, Some("LOGIN_FAILED")), "{e}");

    // ES256, an existing person who is an operator of the hospital (set up directly): the
    // token's organisation selects the operator record, and the actions are theirs.
    register(&p.app, "吴人事", &citizen_id(32), "13800000032");
    let op_person: String =
        p.app.db().query_row("SELECT id FROM people WHERE phone = '13800000032'", [], |r| r.get(0)).unwrap();
    p.app.execute_sql(&format!(
        "INSERT INTO operators (person_id, org, role, duty, valid_from, created_by, created_at, updated_at) \
         VALUES ('{op_person}', '{UNIT}', 'unit', 'reviewer', '2024-01-01', 'test', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"
    ));
    let mut c = claims("u-32", &citizen_id(32), "吴人事", now + 600);
    c["org"] = json!(UNIT);
    let signed = expect(federated(&idp.sign(ES256, "ec-1", &c)), 200);
    assert_eq!(
        (signed["user"]["person_id"].as_str(), signed["role"].as_str(), signed["org"].as_str()),
        (Some(op_person.as_str()), Some("unit"), Some(UNIT))
    );
    expect(p.app.get("/api/unit/applications", token(&signed).as_str()), 200);
    // The same subject signs in again as the same person.
    let again = expect(federated(&idp.sign(RS256, "rsa-1", &claims("u-31", &me, "周医生", now + 600))), 200);
    assert_eq!(again["user"]["person_id"].as_str(), Some(person.as_str()));

    // Refused, every one 401 and no person created: expired; not yet valid; another
    // audience; another issuer; signed by a key the service never published (same kid);
    // the subject re-pointed at another ID number; HS256 with the app's own secret.
    let people = || -> i64 { p.app.db().query_row("SELECT COUNT(*) FROM people", [], |r| r.get(0)).unwrap() };
    let before = people();
    let stranger = IdentityService::new();
    let mut not_yet = claims("u-40", &citizen_id(40), "冯", now + 600);
    not_yet["nbf"] = json!(now + 3600);
    let mut other_aud = claims("u-40", &citizen_id(40), "冯", now + 600);
    other_aud["aud"] = json!("another-app");
    let mut other_iss = claims("u-40", &citizen_id(40), "冯", now + 600);
    other_iss["iss"] = json!("https://id.evil.example");
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims("u-40", &citizen_id(40), "冯", now + 600),
        &jsonwebtoken::EncodingKey::from_secret(e2e::DEV_SECRET.as_bytes()),
    )
    .unwrap();
    for (what, t) in [
        ("expired", idp.sign(RS256, "rsa-1", &claims("u-40", &citizen_id(40), "冯", now - 120))),
        ("not yet valid", idp.sign(RS256, "rsa-1", &not_yet)),
        ("another audience", idp.sign(ES256, "ec-1", &other_aud)),
        ("another issuer", idp.sign(RS256, "rsa-1", &other_iss)),
        ("forged", stranger.sign(RS256, "rsa-1", &claims("u-40", &citizen_id(40), "冯", now + 600))),
        ("forged ec", stranger.sign(ES256, "ec-1", &claims("u-40", &citizen_id(40), "冯", now + 600))),
        ("re-pointed subject", idp.sign(RS256, "rsa-1", &claims("u-31", &citizen_id(41), "周医生", now + 600))),
        ("hs256", hs),
    ] {
        let (s, e) = federated(&t);
        assert_eq!((s, e["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{what}: {e}");
    }
    assert_eq!(people(), before, "no person is created by a refused token");
    // The token is not a bearer token of the API itself.
    let direct = idp.sign(RS256, "rsa-1", &claims("u-31", &me, "周医生", now + 600));
    assert_eq!(p.app.get("/api/applications", direct.as_str()).0, 401);
}

#[test]
fn without_configured_issuers_federated_sign_in_is_off() {
    let p = health_province();
    let (s, e) = p.app.post("/api/session/federated", None, &json!({"token": "a.b.c"}));
    assert_eq!((s, e["code"].as_str()), (409, Some("FEDERATION_NOT_CONFIGURED")), "{e}");
    let (s, e) = p.app.post("/api/session/federated", None, &json!({}));
    assert_eq!((s, e["field"].as_str()), (400, Some("token")), "{e}");
}

/// Annex 3 §1.10 1.2: the committee's contact person (联系人, by ID number) is its
/// operator — the first administrator of the committee's office, whether they registered
/// before the committee was set up or register after.
#[test]
fn a_committees_contact_person_becomes_the_first_administrator_of_its_office() {
    let p = health_province();
    p.app.set_clock("2024-09-10T02:00:00Z");
    // One contact person registered before, one after.
    let early = citizen_id(51);
    register(&p.app, "郑联系人", &early, "13800000051");
    let late = citizen_id(52);
    for (parent, code, name) in [("10", "1002", "临床医学"), ("1002", "100201", "内科学")] {
        let body = json!({"parent_code": parent, "code": code, "name": name});
        expect(p.app.post("/api/admin/specialties", p.province.as_str(), &body), 201);
    }
    for (id, contact) in [("CMT-GEN-A", &early), ("CMT-GEN-B", &late)] {
        let org = format!("ORG-{id}");
        expect(
            p.app.post(
                "/api/province/organisations",
                p.province.as_str(),
                &json!({"id": org, "kind": "committee_org", "name": format!("{id} 办公室"), "region_code": "439900"}),
            ),
            201,
        );
        expect(
            p.app.post(
                "/api/admin/committees",
                p.province.as_str(),
                &json!({"id": id, "name": format!("{id} 卫生高评会"), "series": "卫生", "max_level": "full_senior",
                        "valid_until": "2026-12-31", "organisers": [org], "specialties": ["内科学"],
                        "fees": [{"item": "review", "amount": 300}],
                        "operator": {"name": "联系人", "citizen_id": contact, "phone": "0731-84327000"}}),
            ),
            201,
        );
    }
    register(&p.app, "钱联系人", &late, "13800000052");

    for (account, office) in [("13800000051", "ORG-CMT-GEN-A"), ("13800000052", "ORG-CMT-GEN-B")] {
        let signed = login(&p.app, account);
        let m = signed["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["org"] == office)
            .unwrap_or_else(|| panic!("{account} administers {office}: {signed}"))
            .clone();
        assert_eq!((m["role"].as_str(), m["title"].as_str()), (Some("committee_org"), Some("管理员")), "{m}");
        // Acting as that administrator, the contact person manages the office's operators.
        let admin = switch(&p.app, &token(&signed), m["operator_id"].as_i64().unwrap());
        let ops = expect(p.app.get("/api/operators", admin.as_str()), 200);
        assert!(ops.to_string().contains(office), "{ops}");
    }
    // Nobody else was made an administrator of either office.
    let admins: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM operators WHERE org LIKE 'ORG-CMT-GEN-%' AND duty = 'admin'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(admins, 2);
}

/// Passwords never leave the request that carries them (issue 11): not in any answer, not
/// in the audit events, not anywhere in the SQLite file; a change ends every session and the
/// old password stops working.
#[test]
fn passwords_never_appear_in_answers_events_or_the_database_file_and_a_change_ends_every_session() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let weak = "weakpass";
    let new_password = "Changed-2024-pw";
    let mut answers = Vec::new();
    let (s, e) = p.app.post(
        "/api/session/register",
        None,
        &json!({"name": "陈", "citizen_id": citizen_id(61), "phone": "13800000061", "password": weak}),
    );
    assert_eq!(s, 400);
    answers.push(e);
    register(&p.app, "陈", &citizen_id(61), "13800000061");
    let (s, e) = p.app.post("/api/session/login", None, &json!({"account": "13800000061", "password": "Wrong-pass-9"}));
    assert_eq!(s, 401);
    answers.push(e);
    let first = login(&p.app, "13800000061");
    let second = login(&p.app, &citizen_id(61));
    answers.push(first.clone());
    // The old password must be right; the new one must meet the rules; both named.
    let (s, e) = p.app.post(
        "/api/session/password",
        token(&first).as_str(),
        &json!({"old_password": "Wrong-pass-9", "new_password": new_password}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("old_password")), "{e}");
    answers.push(e);
    let (s, e) = p.app.post(
        "/api/session/password",
        token(&first).as_str(),
        &json!({"old_password": PASSWORD, "new_password": weak}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("new_password")), "{e}");
    answers.push(e);
    let (s, _) = p.app.post(
        "/api/session/password",
        token(&first).as_str(),
        &json!({"old_password": PASSWORD, "new_password": new_password}),
    );
    assert_eq!(s, 204);
    // Every session of the person ended, the other one too; the old password is refused.
    assert_eq!(p.app.get("/api/session/me", token(&first).as_str()).0, 401);
    assert_eq!(p.app.get("/api/session/me", token(&second).as_str()).0, 401);
    let (s, _) = p.app.post("/api/session/login", None, &json!({"account": "13800000061", "password": PASSWORD}));
    assert_eq!(s, 401);
    let signed = expect(
        p.app.post("/api/session/login", None, &json!({"account": "13800000061", "password": new_password})),
        200,
    );
    answers.push(signed);

    let mut secrets = vec![PASSWORD, weak, new_password, "Wrong-pass-9"];
    secrets.sort();
    let answers = serde_json::to_string(&answers).unwrap();
    let db = p.app.db();
    let events: Vec<String> = db
        .prepare("SELECT COALESCE(detail, '') || ' ' || COALESCE(opinion, '') FROM audit_events")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(events.len() >= 3, "register, change_password and more are audited");
    let events = events.join("\n");
    let mut file = std::fs::read(p.app.db_path()).unwrap();
    let wal = p.app.db_path().with_extension("db-wal");
    file.extend(std::fs::read(&wal).unwrap_or_default());
    for secret in secrets {
        assert!(!answers.contains(secret), "{secret} in an answer");
        assert!(!events.contains(secret), "{secret} in an audit event");
        assert!(!file.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in the SQLite file");
    }
}

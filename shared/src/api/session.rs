//! Routes of the `session` component (sign-in, issue 11): `/api/session/...` and the
//! organisation administrator's `/api/operators/...`.

use super::{respond, Call, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, OrgAdministrator};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::session as wf;

const ANYONE: Roles = &[Role::Applicant, Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Judge, Role::Province];
const ORGS: Roles = &[Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Province];

/// The client address for throttling (Spin's `spin-client-addr`, without the port).
fn client(c: &Call<'_>) -> String {
    let addr = c.req.header("spin-client-addr").unwrap_or("unknown");
    match addr.rsplit_once(':') {
        Some((ip, port)) if port.bytes().all(|b| b.is_ascii_digit()) => ip.trim_matches(['[', ']']).to_owned(),
        _ => addr.to_owned(),
    }
}

fn no_content(r: Result<(), DomainError>) -> Response {
    match r {
        Ok(()) => Response { status: 204, headers: Vec::new(), body: Vec::new() },
        Err(e) => Response::error(&e),
    }
}

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::public("POST", "/api/session/register", |c| {
        respond(201, c.json().and_then(|b| wf::register(c.db, c.env.now, b)))
    }),
    Route::public("POST", "/api/session/login", |c| {
        respond(200, c.json().and_then(|b| wf::login(c.db, &c.env.auth_secret, c.env.now, &client(c), b)))
    }),
    Route::public("POST", "/api/session/federated", |c| {
        respond(
            200,
            c.json()
                .and_then(|b| wf::federated_login(c.db, &c.env.auth_secret, &c.env.federation_issuers, c.env.now, b)),
        )
    }),
    Route::public("POST", "/api/session/refresh", |c| {
        respond(200, c.json().and_then(|b| wf::refresh(c.db, &c.env.auth_secret, c.env.now, b)))
    }),
    Route::signed("POST", "/api/session/switch", ANYONE, Caller, |c| {
        respond(
            200,
            c.with(|x| {
                let act: Option<wf::ActAs> = c.json_or_default::<SwitchBody>()?.act;
                wf::switch(x, &c.env.auth_secret, act)
            }),
        )
    }),
    Route::signed("GET", "/api/session/me", ANYONE, Caller, |c| respond(200, c.with(wf::me))),
    Route::signed("POST", "/api/session/logout", ANYONE, Caller, |c| no_content(c.with(wf::logout))),
    Route::signed("POST", "/api/session/password", ANYONE, Caller, |c| {
        no_content(c.with(|x| wf::change_password(x, c.json()?)))
    }),
    Route::signed("GET", "/api/operators", ORGS, OrgAdministrator, |c| respond(200, c.with(wf::list_operators))),
    Route::signed("POST", "/api/operators", ORGS, OrgAdministrator, |c| {
        respond(201, c.with(|x| wf::add_operator(x, c.json()?)))
    }),
    Route::signed("POST", "/api/operators/{id}/disable", ORGS, OrgAdministrator, |c| {
        respond(200, c.with(|x| wf::set_operator_enabled(x, c.id(0, "操作员")?, false, c.json_or_default()?)))
    }),
    Route::signed("POST", "/api/operators/{id}/enable", ORGS, OrgAdministrator, |c| {
        respond(200, c.with(|x| wf::set_operator_enabled(x, c.id(0, "操作员")?, true, c.json_or_default()?)))
    }),
    Route::signed("POST", "/api/operators/{id}/delegations", ORGS, OrgAdministrator, |c| {
        respond(201, c.with(|x| wf::delegate(x, c.id(0, "操作员")?, c.json()?)))
    }),
    Route::signed("POST", "/api/operators/{id}/password-reset", ORGS, OrgAdministrator, |c| {
        respond(200, c.with(|x| wf::reset_password(x, c.id(0, "操作员")?)))
    }),
];

/// Body of "switch": an operator, the judge membership, or nothing (back to the person).
#[derive(Debug, Default, serde::Deserialize)]
struct SwitchBody {
    #[serde(default, flatten)]
    act: Option<wf::ActAs>,
}

/// Serves `/api/session/...` and `/api/operators/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}

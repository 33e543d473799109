//! Routes of the `registration` component (unit account registration, annex 3 §1.25):
//! `/api/registrations/...`, for a registrant signed in as a person (role `applicant`,
//! no organisation): the unit does not exist yet (see [`crate::admin::registrations`]).

use crate::access::Scope::{Caller, OwnRegistration};
use crate::admin::registrations as reg;
use crate::api::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::auth::Role;
use crate::store::Db;

const REGISTRANT: Roles = &[Role::Applicant];
const R: &str = "注册申请";

/// Every operation of this router: the registrant's own registrations only.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/registrations", REGISTRANT, Caller, |c| {
        respond(201, c.with(|x| reg::register(x, c.json()?)))
    }),
    Route::signed("GET", "/api/registrations", REGISTRANT, Caller, |c| respond(200, c.with(reg::mine))),
    Route::signed("GET", "/api/registrations/{id}", REGISTRANT, OwnRegistration, |c| {
        respond(200, c.with(|x| reg::get_own(x, c.id(0, R)?)))
    }),
    Route::signed("PUT", "/api/registrations/{id}", REGISTRANT, OwnRegistration, |c| {
        respond(200, c.with(|x| reg::correct(x, c.id(0, R)?, c.json()?)))
    }),
    Route::signed("POST", "/api/registrations/{id}/attachments", REGISTRANT, OwnRegistration, |c| {
        respond(201, c.with(|x| c.with_upload("附件", |u| reg::upload(x, c.id(0, R)?, u))))
    }),
    Route::signed("GET", "/api/registrations/{id}/attachments", REGISTRANT, OwnRegistration, |c| {
        respond(200, c.with(|x| reg::get_own(x, c.id(0, R)?)).map(|v| v.attachments))
    }),
    Route::signed("GET", "/api/registrations/{id}/attachments/{attachment}", REGISTRANT, OwnRegistration, |c| {
        crate::api::applicant::download(c.with(|x| reg::download(x, c.id(0, R)?, c.id(1, "附件")?)))
    }),
    Route::signed("POST", "/api/registrations/{id}/token", REGISTRANT, OwnRegistration, |c| {
        respond(200, c.with(|x| reg::token(x, c.id(0, R)?, &c.env.auth_secret)))
    }),
];

/// Serves `/api/registrations/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    crate::api::serve(ROUTES, req, db, env, &Deps::default())
}

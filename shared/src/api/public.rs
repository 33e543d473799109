//! Routes of the `public` component: the publicity pages for people who never sign in
//! (四(二)2 unit publicity, 六(一) result publicity) — the notices, and objections filed
//! against a listed person, rate-limited per client address. No token, no variables.
//! `/api/public/...`. What is shown is decided by `workflow::public::projection` alone.

use super::{respond, Call, Deps, Env, Request, Response, Route};
use crate::store::Db;
use crate::workflow::public as wf;

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::public("GET", "/api/public/publicities", |c| respond(200, wf::index(c.db, c.env.now))),
    Route::public("GET", "/api/public/units/{org}/publicities", |c| {
        respond(200, wf::unit_board(c.db, c.env.now, c.param(0)))
    }),
    Route::public("GET", "/api/public/committees/{committee}/publicities", |c| {
        respond(200, wf::committee_board(c.db, c.env.now, c.param(0)))
    }),
    Route::public("POST", "/api/public/objections", |c| {
        let r = respond(201, c.json().and_then(|b| wf::file_objection(c.db, c.env.now, &client(c), b)));
        retry_after(r)
    }),
];

/// The client address (Spin's `spin-client-addr`, without the port): the rate limit's key.
fn client(c: &Call<'_>) -> String {
    let addr = c.req.header("spin-client-addr").unwrap_or("unknown");
    match addr.rsplit_once(':') {
        Some((ip, port)) if port.bytes().all(|b| b.is_ascii_digit()) => ip.trim_matches(['[', ']']).to_owned(),
        _ => addr.to_owned(),
    }
}

/// A rate-limited answer tells when to retry (the window is one hour).
fn retry_after(mut r: Response) -> Response {
    if r.status == 429 {
        r.headers.push(("retry-after".into(), "3600".into()));
    }
    r
}

/// Serves `/api/public/...` (no token).
pub fn handle(req: &Request, db: &dyn Db) -> Response {
    super::serve(ROUTES, req, db, &Env::public(), &Deps::default())
}

//! `public`: the publicity pages for people who never sign in (issue 17) — open and
//! recently closed publicity notices of units (四(二)2) and committees (六(一)), and
//! objections filed against a listed person. Routes: `/api/public/...`. No token, no
//! variables: it holds no secret.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::certificates::spin::serve_public(req, shared::api::public::handle)
}

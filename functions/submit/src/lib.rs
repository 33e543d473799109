//! `submit`: the applicant's side (申报人) — drafts, materials, submission, progress.
//! Routes: `/api/applications/...` (see `shared::api::applicant`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::applicant::handle)
}

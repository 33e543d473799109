//! `quota`: annual review quotas (评审职数) — declarations, special requests, audits and
//! queries. Routes: `/api/quotas/...` (see `shared::api::quotas`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::quotas::handle)
}

//! `admin`: provincial administration (issue 6) — trees, institutions, committees, audit
//! paths, blacklist, unit-registration audit, annual batches, calendar, Excel imports and
//! exports. Routes: `/api/admin/...` (see `shared::api::admin::ROUTES`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::admin::handle)
}

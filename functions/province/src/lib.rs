//! `province`: the provincial HR department's chain operations — organisations and
//! committees, rollback of the final authority's operations, transfers between
//! committees. Routes: `/api/province/...` (see `shared::api::province`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::province::handle)
}

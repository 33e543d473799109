//! `session`: sign-in (个人网厅 / 单位网厅) — registration of individuals, sign-in by ID
//! number or phone, refresh, acting as an operator or judge, sign-out, password change —
//! and the organisation administrator's operators with delegations.
//! Routes: `/api/session/...`, `/api/operators/...` (see `shared::api::session`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::session::handle)
}

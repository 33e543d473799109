//! `review`: the unit's first review (单位初审) — publicity, returns, rejections,
//! objections. Routes: `/api/unit/applications/...` (see `shared::api::unit`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::unit::handle)
}

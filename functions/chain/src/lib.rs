//! `chain`: the qualification audit chain for organisations on the path (上级审核, 形式审查,
//! 材料复核), path simulation, uppers and lowers. Routes: `/api/chain/...`
//! (see `shared::api::chain`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::chain::handle)
}

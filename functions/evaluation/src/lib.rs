//! `evaluation`: the committee's review plans, expert pool, verifiable draw, interviews,
//! tally, offline results and archive. Routes: `/api/evaluation/...`
//! (see `shared::api::evaluation`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::evaluation::handle)
}

//! `results`: the committee's organising unit publicises the results of a session, records
//! and resolves objections, and requests filing; the province audits the filing (六(一)–(二)).
//! Routes: `/api/results/...`.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::results::handle)
}

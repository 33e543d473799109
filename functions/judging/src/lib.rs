//! `judging`: the judges' work — material re-review, scores, anonymous votes, opinions.
//! Routes: `/api/judging/...` (see `shared::api::judging`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::judging::handle)
}

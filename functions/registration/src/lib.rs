//! `registration`: unit account registration (annex 3 §1.25) by a registrant signed in
//! without an organisation yet. Routes: `/api/registrations/...`.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::admin::registration::handle)
}

//! `verify`: public certificate verification without a token — by number and
//! verification code (masked data only), the published seal keys, and the check of a
//! downloaded sealed certificate. Routes: `/api/verify/...`. No variables: it holds no
//! secret.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::certificates::spin::serve_public(req, shared::api::verify::handle)
}

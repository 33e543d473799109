//! `openapi`: serves the OpenAPI 3.1 description of the whole HTTP API at
//! `GET /api/openapi.json`. No token, no database, no variables: it only returns a
//! document compiled into the component (`shared/openapi.json`).

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    let api_req = shared::api::Request {
        method: req.method().to_string().to_ascii_uppercase(),
        path: req.path().to_owned(),
        ..Default::default()
    };
    let r = shared::api::admin::docs::handle(&api_req);
    let mut b = Response::builder();
    b.status(r.status);
    for (k, v) in r.headers {
        b.header(k, v);
    }
    b.body(r.body).build()
}

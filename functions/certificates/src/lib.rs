//! `certificates`: issuing-unit codes, number pools, generation of sealed electronic
//! certificates, Excel import, revocation (the province); query by authorized roles and
//! download by the holder. The only component holding the seal key. Routes:
//! `/api/certificates/...`.

use shared::api::{Env, Request as ApiRequest, Response as ApiResponse};
use shared::store::Db;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

fn router(req: &ApiRequest, db: &dyn Db, env: &Env) -> ApiResponse {
    shared::api::certificates::handle(req, db, env, &shared::certificates::spin::seal_key)
}

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, router)
}

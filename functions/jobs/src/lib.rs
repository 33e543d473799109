//! `jobs`: the province runs scheduled jobs by hand (the same code as the cron
//! components) and verifies the audit chain. Routes: `/api/jobs/...`.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, shared::api::jobs::handle)
}

//! `credit-report`: reports fraud records (fraud revocations, integrity-file entries) to the
//! national credit platform (notice 七(一)) from their outbox — on schedule (Spin cron) and by
//! hand (`/api/credit/...`). Its only outbound host is the platform.

use shared::api::{Env, Request as ApiRequest, Response as ApiResponse};
use shared::certificates::outbox::OutboxConfig;
use shared::store::Db;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

spin_sdk::wit_bindgen::generate!({
    world: "spin-cron",
    path: "../../shared/wit",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

fn router(req: &ApiRequest, db: &dyn Db, env: &Env) -> ApiResponse {
    shared::api::credit::handle(req, db, env, &shared::certificates::spin::boxed_credit_platform)
}

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, router)
}

struct CreditReport;

impl Guest for CreditReport {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        let report = shared::spin::run_job(|db, now| {
            let transport = shared::certificates::spin::credit_platform()?;
            shared::workflow::credit::run(db, &transport, now, &OutboxConfig::default(), "system:credit-report")
        });
        match report {
            Ok(r) => {
                println!("credit-report: {r}");
                Ok(())
            }
            Err(e) => Err(Error::Other(e)),
        }
    }
}

export!(CreditReport);

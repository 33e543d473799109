//! `mohrss-report`: reports certificates and revocations to the national registry
//! (MOHRSS, annex 3 §1.18) from the outbox — on schedule (Spin cron) and by hand ("report
//! selected / all", `/api/mohrss/...`). The only component allowed outbound HTTP, and only
//! to the registry.

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
    shared::api::mohrss::handle(req, db, env, &shared::certificates::spin::boxed_registry)
}

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, router)
}

struct MohrssReport;

impl Guest for MohrssReport {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        let report = shared::spin::run_job(|db, now| {
            let transport = shared::certificates::spin::registry()?;
            shared::workflow::mohrss::run(db, &transport, now, &OutboxConfig::default(), "system:mohrss-report")
        });
        match report {
            Ok(r) => {
                println!("mohrss-report: {r}");
                Ok(())
            }
            Err(e) => Err(Error::Other(e)),
        }
    }
}

export!(MohrssReport);

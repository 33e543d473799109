//! `publicity-timer`: a Spin cron component that closes unit publicity once its working
//! days have passed (R11). The province can run the same code by hand through
//! `POST /api/jobs/publicity-timer` (component `jobs`).

spin_sdk::wit_bindgen::generate!({
    world: "spin-cron",
    path: "../../shared/wit",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

use shared::audit::anchor::Reason;

struct PublicityTimer;

impl Guest for PublicityTimer {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        let job = |db: &dyn shared::store::Db, now| -> Result<_, shared::error::DomainError> {
            // The seal key is read first: without it nothing is closed unanchored.
            let key = shared::certificates::spin::seal_key()?;
            let report = shared::workflow::publicity::run(db, now, "publicity-timer")?;
            if shared::workflow::publicity::closed_any(&report) {
                let at = shared::workflow::stamp(now);
                shared::audit::anchor::seal_head(db, &key, Reason::PublicityClose, "publicity-timer", &at)?;
            }
            Ok(report)
        };
        match shared::spin::run_job(job) {
            Ok(report) => {
                println!("publicity-timer: {report}");
                Ok(())
            }
            Err(e) => Err(Error::Other(e)),
        }
    }
}

export!(PublicityTimer);

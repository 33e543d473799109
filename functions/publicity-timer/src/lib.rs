//! `publicity-timer`: a Spin cron component that closes unit publicity once its working
//! days have passed (R11). The province can run the same code by hand through
//! `POST /api/jobs/publicity-timer` (component `jobs`).

spin_sdk::wit_bindgen::generate!({
    world: "spin-cron",
    path: "../../shared/wit",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

struct PublicityTimer;

impl Guest for PublicityTimer {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        match shared::spin::run_job(|db, now| shared::workflow::publicity::run(db, now, "publicity-timer")) {
            Ok(report) => {
                println!("publicity-timer: {report}");
                Ok(())
            }
            Err(e) => Err(Error::Other(e)),
        }
    }
}

export!(PublicityTimer);

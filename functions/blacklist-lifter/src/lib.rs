//! `blacklist-lifter`: a Spin cron component that lifts every blacklist record whose
//! record period has ended (annex 3 §1.21; 七(一): recorded for 3 years). The province can
//! run the same code by hand through `POST /api/admin/blacklist/lift-expired`.

spin_sdk::wit_bindgen::generate!({
    world: "spin-cron",
    path: "../../shared/wit",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

struct BlacklistLifter;

impl Guest for BlacklistLifter {
    fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
        match shared::spin::run_job(|db, now| shared::admin::blacklist::lift_expired(db, now, "blacklist-lifter")) {
            Ok(report) => {
                println!("blacklist-lifter: {report}");
                Ok(())
            }
            Err(e) => Err(Error::Other(e)),
        }
    }
}

export!(BlacklistLifter);

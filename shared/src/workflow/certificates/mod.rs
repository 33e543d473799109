//! Certificates (六(三), annex 3 §1.9, §1.16–1.17, §1.19–1.20, §1.29): issuing-unit codes,
//! the number format and pools, generation of sealed electronic certificates for filed
//! passers (by filing document number, by selection, by query — a job with progress — or
//! by Excel import), download by the holder, query by authorized roles, revocation.
//!
//! Each certificate is created, numbered, sealed, its application moved to `certified`,
//! its MOHRSS report queued (outbox) and its audit event written in one transaction; a
//! revocation likewise (and, for fraud, the integrity record of 七(一)).

use super::transition;
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit;
use crate::auth::Role;
use crate::certificates::face::{self, CertificateFace, Seal, SealedCertificate, FACE_SCHEMA};
use crate::certificates::imports::{self as imp, ImportRow, RowError};
use crate::certificates::numbering::{check_new_range, next_range, NumberFormat, NumberParts, PoolRange};
use crate::certificates::outbox::record_key;
use crate::certificates::registry::RegistryRecord;
use crate::certificates::seal::{self, SealKey};
use crate::domain::application::{Action, Actor, ApplicationState, TitleLevel};
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::{DomainError, ErrorCode};
use crate::excel::{self, Sheet};
use crate::store::applications::{self as astore, ApplicationRecord, Changes};
use crate::store::certificates::{
    self as store, CertificateFilter, CertificateRecord, IssuingUnit, Job, JobItem, JobProgress, Pool, VoidedNumber,
};
use crate::store::{with_long_tx, with_tx, Db};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const CERTIFICATE: &str = "证书";
const APPLICATION: &str = "申报";

fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::CertificateStale, &[])
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

fn level_of(wire: &str) -> Option<TitleLevel> {
    crate::store::chain::parse_level(wire)
}

mod imports;
mod issuing_units;
mod jobs;
mod numbering;
mod query;
mod revocation;
mod sealing;

pub use imports::*;
pub use issuing_units::*;
pub use jobs::*;
pub use numbering::*;
pub use query::*;
pub use revocation::*;
use sealing::*;

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::store::native::{apply_migrations_dir, NativeDb};

    #[test]
    fn numbers_come_from_the_lowest_range_skip_any_already_taken_and_the_scope_grows_by_itself() {
        let db = NativeDb::open_in_memory().unwrap();
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
        let fmt = NumberFormat { grow_by: 2, ..NumberFormat::default() };
        let parts = NumberParts {
            level: "deputy_senior".into(),
            series_code: "04".into(),
            year: 2024,
            issuing_code: "9900".into(),
            method: "review".into(),
        };
        let scope = fmt.scope(&parts).unwrap();
        store::insert_pool(&db, &scope, 1, 3, "manual", "t", "t").unwrap();
        // Serial 2 is on a certificate already (say, imported under an older pool).
        db.execute("INSERT INTO seal_keys VALUES ('k', 'a', 'd', '04', 't')", &[]).unwrap();
        db.execute(
            "INSERT INTO certificates (certificate_no, source, citizen_id, name, series, level, specialty, committee, \
             approval_doc_no, issuer_code, issued_on, payload, seal_key_id, signature, verification_code, status, \
             created_by, created_at) VALUES ('B042499000000002', 'import', 'x', 'n', 's', 'l', 'p', '', 'd', '9900', \
             'd', '{}', 'k', 's', 'c', 'revoked', 't', 't')",
            &[],
        )
        .unwrap();
        let got: Vec<String> = (0..4).map(|_| allocate_number(&db, &fmt, &parts, "t", "t").unwrap()).collect();
        assert_eq!(got, vec!["B042499000000001", "B042499000000003", "B042499000000004", "B042499000000005"]);
        let pools = store::pools_of_scope(&db, &scope).unwrap();
        let ranges: Vec<(i64, i64, &str)> =
            pools.iter().map(|p| (p.start_serial, p.end_serial, p.origin.as_str())).collect();
        assert_eq!(ranges, vec![(1, 3, "manual"), (4, 5, "auto")]);
    }

    #[test]
    fn a_runs_progress_is_its_rate_and_the_time_the_pending_items_take_at_that_rate() {
        let p = progress_of(300, std::time::Duration::from_millis(1500), 700, "t");
        assert_eq!((p.run_done, p.run_ms, p.rate_per_s, p.eta_s), (300, 1500, Some(200.0), Some(4)));
        let none = progress_of(0, std::time::Duration::ZERO, 10, "t");
        assert_eq!((none.rate_per_s, none.eta_s), (None, None), "no rate before anything is done");
    }

    #[test]
    fn progress_is_stored_per_job_and_replaced_by_the_next_chunk() {
        let db = NativeDb::open_in_memory().unwrap();
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
        let job = store::insert_job(&db, "selection", "{}", "9900", 10, "t", "t").unwrap();
        assert_eq!(store::progress(&db, job).unwrap(), None);
        store::save_progress(&db, job, &progress_of(4, std::time::Duration::from_secs(2), 6, "a")).unwrap();
        store::save_progress(&db, job, &progress_of(8, std::time::Duration::from_secs(4), 2, "b")).unwrap();
        let p = store::progress(&db, job).unwrap().unwrap();
        assert_eq!((p.run_done, p.rate_per_s, p.eta_s, p.updated_at.as_str()), (8, Some(2.0), Some(1), "b"));
    }
}

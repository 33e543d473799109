//! SQL for issue 5: result publicity, filing, issuing units, number pools, seal keys,
//! certificates, generation jobs, imports and the MOHRSS outbox (migration 0006).

use super::{Db, Row, StoreError, Value};

fn first_id(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

fn count(db: &dyn Db, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    db.query_opt(sql, params)?.map_or(Ok(0), |r| r.int(0))
}

mod filing;
mod imports;
mod issuing_units;
mod jobs;
mod numbering;
mod outbox;
mod publicity;
mod records;
mod reference;
mod seal_keys;

pub use filing::*;
pub use imports::*;
pub use issuing_units::*;
pub use jobs::*;
pub use numbering::*;
pub use outbox::*;
pub use publicity::*;
pub use records::*;
pub use reference::*;
pub use seal_keys::*;

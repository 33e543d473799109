//! SQL of provincial administration (issue 6): the specialty and title trees, acceptance
//! institutions, committee details, audit-path listing and edits, the blacklist, unit
//! registrations, annual batches, the calendar and staged Excel imports. One statement
//! per constant; organisations, committees and edges are created through
//! [`crate::store::chain`], which owns those tables' inserts.

use super::{Db, Row, StoreError, Value};
use crate::error::DomainError;
use serde::Serialize;

fn first_id(rows: Vec<Row>) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Decode("insert returned no id".into()))?.int(0)
}

fn count(db: &dyn Db, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    db.query_opt(sql, params)?.map_or(Ok(0), |r| r.int(0))
}

/// `%q%` for a LIKE filter, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub fn like(q: &str) -> String {
    let mut s = String::from("%");
    for ch in q.trim().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    s
}

/// A page of rows and the total matching count.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// How many match in all.
    pub total: i64,
}

/// SQL `WHERE` clauses and their parameters, built filter by filter.
#[derive(Debug, Default)]
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Filter {
    /// Adds a clause with its parameters.
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Value>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.params.extend(params);
        self
    }

    /// Adds a clause when `v` is given.
    pub fn and_opt(&mut self, clause: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            let n = clause.matches('?').count();
            self.and(clause, std::iter::repeat_n(Value::from(v), n));
        }
        self
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

/// Runs a filtered listing: `select` is `SELECT cols FROM t` (aliases allowed), `order` an
/// `ORDER BY` body; `limit = None` returns every row (exports).
pub fn list<T>(
    db: &dyn Db,
    select: &str,
    from: &str,
    filter: &Filter,
    order: &str,
    limit: Option<(i64, i64)>,
    decode: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Listing<T>, StoreError> {
    let where_ = filter.sql();
    let total = count(db, &format!("SELECT COUNT(*) FROM {from} WHERE {where_}"), &filter.params)?;
    let mut params = filter.params.clone();
    let mut sql = format!("SELECT {select} FROM {from} WHERE {where_} ORDER BY {order}");
    if let Some((limit, offset)) = limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        params.extend([limit.into(), offset.into()]);
    }
    let rows = db.query(&sql, &params)?.iter().map(decode).collect::<Result<_, _>>()?;
    Ok(Listing { rows, total })
}

mod audit_paths;
mod batches;
mod blacklist;
mod calendar;
mod committees;
mod imports;
mod institutions;
mod organisations;
mod registrations;
mod row_versions;
mod rules;
mod specialties;
mod titles;
mod transactions;

pub use audit_paths::*;
pub use batches::*;
pub use blacklist::*;
pub use calendar::*;
pub use committees::*;
pub use imports::*;
pub use institutions::*;
pub use organisations::*;
pub use registrations::*;
pub use row_versions::*;
pub use rules::*;
pub use specialties::*;
pub use titles::*;
pub use transactions::*;

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::store::native::NativeDb;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        crate::store::native::apply_migrations_dir(
            &db,
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"),
        )
        .unwrap();
        db
    }

    #[test]
    fn the_migration_seeds_fixed_roots_and_is_idempotent() {
        let db = db();
        db.execute_batch(include_str!("../../../../migrations/0004_administration.sql")).unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM specialties WHERE is_root = 1", &[]).unwrap(), 14);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM title_series", &[]).unwrap(), 28);
    }

    #[test]
    fn a_row_version_starts_at_one_and_moves_only_from_the_expected_value() {
        let db = db();
        assert_eq!(row_version(&db, "k", "1").unwrap(), 1);
        assert!(!bump_row_version(&db, "k", "1", 2, "u", "t").unwrap());
        assert!(bump_row_version(&db, "k", "1", 1, "u", "t").unwrap());
        assert_eq!(row_version(&db, "k", "1").unwrap(), 2);
        assert!(!bump_row_version(&db, "k", "1", 1, "u", "t").unwrap());
        assert!(bump_row_version(&db, "k", "1", 2, "u", "t").unwrap());
        assert_eq!(row_version(&db, "k", "1").unwrap(), 3);
    }

    #[test]
    fn a_failed_savepoint_undoes_only_its_own_writes() {
        let db = db();
        let r: Result<(), DomainError> = crate::store::with_tx(&db, |tx| {
            insert_specialty(tx, 8, "0801", "力学", "t")?;
            let failed = savepoint(tx, |tx| {
                insert_specialty(tx, 8, "0802", "机械工程", "t")?;
                Err::<(), _>(DomainError::invalid("x", "y"))
            });
            assert!(failed.is_err());
            Ok(())
        });
        r.unwrap();
        assert!(specialty_by_code(&db, "0801").unwrap().is_some());
        assert!(specialty_by_code(&db, "0802").unwrap().is_none());
    }

    #[test]
    fn a_dry_run_leaves_nothing_behind() {
        let db = db();
        let id = dry_run(&db, |tx| Ok(insert_specialty(tx, 8, "0801", "力学", "t")?)).unwrap();
        assert!(id > 14);
        assert!(specialty_by_code(&db, "0801").unwrap().is_none());
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like("50%_a"), "%50\\%\\_a%");
    }
}

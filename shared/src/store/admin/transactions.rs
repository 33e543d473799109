//! Transactions.

#[allow(unused_imports)]
use super::*;

/// Runs `f` in `BEGIN IMMEDIATE … ROLLBACK`: a dry run that validates against the real
/// data and leaves nothing behind (import validation: a long transaction).
pub fn dry_run<T>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, DomainError>) -> Result<T, DomainError> {
    db.execute(crate::store::BEGIN_LONG_TRANSACTION, &[])?;
    let r = f(db);
    db.execute("ROLLBACK", &[])?;
    r
}

/// Runs `f` inside a savepoint of the current transaction: on error only `f`'s writes are
/// undone (one import row), and the error is returned.
pub fn savepoint<T>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, DomainError>) -> Result<T, DomainError> {
    db.execute("SAVEPOINT admin_row", &[])?;
    match f(db) {
        Ok(v) => {
            db.execute("RELEASE admin_row", &[])?;
            Ok(v)
        }
        Err(e) => {
            db.execute("ROLLBACK TO admin_row", &[])?;
            db.execute("RELEASE admin_row", &[])?;
            Err(e)
        }
    }
}

//! `Db` over Spin's SQLite interface (`fermyon:spin/sqlite@2.0.0`), inside components.

use super::{Db, Row, StoreError, Value};
use spin_sdk::sqlite::{Connection, Error, Value as SpinValue};

/// The component's connection to the `default` database, for one request.
pub struct SpinDb {
    conn: Connection,
}

impl SpinDb {
    /// Opens the `default` database (the component must be granted it in `spin.toml`).
    pub fn open_default() -> Result<Self, StoreError> {
        Connection::open_default().map(|conn| SpinDb { conn }).map_err(map_err)
    }
}

fn map_err(e: Error) -> StoreError {
    match e {
        Error::AccessDenied => StoreError::AccessDenied,
        Error::Io(m) => StoreError::from_message(m),
        other => StoreError::Engine(format!("{other:?}")),
    }
}

fn to_spin(v: &Value) -> SpinValue {
    match v {
        Value::Null => SpinValue::Null,
        Value::Integer(i) => SpinValue::Integer(*i),
        Value::Real(f) => SpinValue::Real(*f),
        Value::Text(s) => SpinValue::Text(s.clone()),
        Value::Blob(b) => SpinValue::Blob(b.clone()),
    }
}

fn from_spin(v: SpinValue) -> Value {
    match v {
        SpinValue::Null => Value::Null,
        SpinValue::Integer(i) => Value::Integer(i),
        SpinValue::Real(f) => Value::Real(f),
        SpinValue::Text(s) => Value::Text(s),
        SpinValue::Blob(b) => Value::Blob(b),
    }
}

impl Db for SpinDb {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let params: Vec<SpinValue> = params.iter().map(to_spin).collect();
        let result = self.conn.execute(sql, &params).map_err(map_err)?;
        Ok(result.rows.into_iter().map(|r| Row(r.values.into_iter().map(from_spin).collect())).collect())
    }

    fn queues_writers(&self) -> bool {
        self.query(super::WRITER_QUEUE_PROBE, &[])
            .is_ok_and(|rows| rows.first().and_then(|r| r.0.first()) == Some(&Value::Integer(1)))
    }
}

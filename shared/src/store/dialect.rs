//! The dialect seam between the statements as written (SQLite, the subset both engines
//! accept) and PostgreSQL. The ~400 statements of the store stay written once; this module
//! rewrites each at run time, outside string literals, quoted identifiers and comments:
//!
//! - `?` / `?NNN` → `$n` with an explicit cast from the bound value's kind (`$1::int8`,
//!   `$2::text`, …): PostgreSQL binds parameters by exact type (Spin's outbound PostgreSQL
//!   has no widening), and the cast also settles the type where the server could not infer
//!   one (`COALESCE(?, …)`). A NULL stays an untyped `$n` (the column gives its type), except
//!   before `IS` (`? IS NULL OR col = ?`), where nothing would: there it is `$n::text`.
//! - `IS ?` / `IS NOT ?` (SQLite's null-safe comparison) → `IS [NOT] DISTINCT FROM`.
//! - `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`.
//! - `BEGIN IMMEDIATE` → `BEGIN` plus a transaction-scoped global writer lock
//!   ([`WRITER_LOCK`]): exactly SQLite's one-writer semantics across replicas, so every
//!   compare-and-set rule keeps holding without serialization-failure retries. The
//!   trade-off: writes of all replicas are serialised (as they are on SQLite), reads are not.
//! - Statements with rows are shaped to return exactly one row (a JSON array of the rows,
//!   `json`, not `jsonb`, so columns keep their order): Spin 4.0.2's `query` hangs on zero
//!   rows (docs: notes/spin-postgres.md). Statements without rows go through `execute`.
//!
//! SQLite functions the statements use (`json_extract`, `instr`, `hex`, `randomblob`, the
//! scalar `max`/`min`, `sum` of a comparison) exist on PostgreSQL as SQL functions created
//! by [`COMPAT_FUNCTIONS`], so the statement text stays identical. DDL (the migrations) is
//! translated by [`ddl_statements`].

use super::Value;

/// The key of the advisory lock that serialises writers (`pg_advisory_xact_lock`).
pub const WRITER_LOCK: i64 = 0x7a68_6963_6865_6e67; // "zhicheng"

/// How a translated statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `BEGIN IMMEDIATE`: run `BEGIN`, then [`Translated::sql`] (the writer lock).
    BeginWrite,
    /// No rows: run with `execute`.
    Execute,
    /// Rows: run with `query`; the one row holds one text column, a JSON array of objects.
    JsonRows,
}

/// A statement rewritten for PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The statement to send.
    pub sql: String,
    /// How to run it.
    pub shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Word,
    Other,
}

/// Splits `sql` into pieces: words (identifiers/keywords), and everything else verbatim
/// (string literals, quoted identifiers, punctuation, whitespace). Comments are dropped.
fn lex(sql: &str) -> Vec<(Tok, &str)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c == b'\'' || c == b'"' || c == b'`' {
            i += 1;
            while i < b.len() {
                if b[i] == c {
                    if i + 1 < b.len() && b[i + 1] == c {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push((Tok::Other, &sql[start..i]));
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            out.push((Tok::Other, " "));
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(b.len());
            out.push((Tok::Other, " "));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Word, &sql[start..i]));
        } else if c == b'?' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push((Tok::Other, &sql[start..i]));
        } else {
            // One UTF-8 character (non-ASCII text only appears in literals, but be safe).
            let ch = sql[i..].chars().next().map_or(1, char::len_utf8);
            i += ch;
            out.push((Tok::Other, &sql[start..i]));
        }
    }
    out
}

fn is_kw(t: &(Tok, &str), kw: &str) -> bool {
    t.0 == Tok::Word && t.1.eq_ignore_ascii_case(kw)
}

fn cast_for(v: Option<&Value>) -> &'static str {
    match v {
        Some(Value::Integer(_)) => "::int8",
        Some(Value::Real(_)) => "::float8",
        Some(Value::Text(_)) => "::text",
        Some(Value::Blob(_)) => "::bytea",
        Some(Value::Null) | None => "",
    }
}

/// Rewrites one statement for PostgreSQL, given the values it will be bound with.
pub fn to_postgres(sql: &str, params: &[Value]) -> Translated {
    let toks = lex(sql);
    let words: Vec<usize> = (0..toks.len()).filter(|&i| toks[i].0 == Tok::Word).collect();
    let first = words.first().map(|&i| toks[i].1.to_ascii_uppercase()).unwrap_or_default();
    if first == "BEGIN" {
        let second = words.get(1).map(|&i| toks[i].1.to_ascii_uppercase());
        if matches!(second.as_deref(), Some("IMMEDIATE" | "EXCLUSIVE")) {
            return Translated {
                sql: format!("SELECT pg_advisory_xact_lock({WRITER_LOCK})"),
                shape: Shape::BeginWrite,
            };
        }
        return Translated { sql: "BEGIN".into(), shape: Shape::Execute };
    }
    let mut out = String::with_capacity(sql.len() + 32);
    let mut next_param = 0usize;
    let mut or_ignore = false;
    let mut returning = false;
    let mut depth = 0i32;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        match t.1 {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        if is_kw(&t, "INSERT") {
            // INSERT OR IGNORE
            let mut j = i + 1;
            while j < toks.len() && toks[j].1.trim().is_empty() {
                j += 1;
            }
            if j < toks.len() && is_kw(&toks[j], "OR") {
                let mut k = j + 1;
                while k < toks.len() && toks[k].1.trim().is_empty() {
                    k += 1;
                }
                if k < toks.len() && is_kw(&toks[k], "IGNORE") {
                    or_ignore = true;
                    out.push_str(t.1);
                    i = k + 1;
                    continue;
                }
            }
        }
        if depth == 0 && is_kw(&t, "RETURNING") {
            returning = true;
            if or_ignore {
                out.push_str("ON CONFLICT DO NOTHING ");
                or_ignore = false;
            }
        }
        if is_kw(&t, "IS") {
            // IS [NOT] ? → IS [NOT] DISTINCT FROM $n
            let mut j = i + 1;
            while j < toks.len() && toks[j].1.trim().is_empty() {
                j += 1;
            }
            let not = j < toks.len() && is_kw(&toks[j], "NOT");
            let mut k = if not { j + 1 } else { j };
            while k < toks.len() && toks[k].1.trim().is_empty() {
                k += 1;
            }
            if k < toks.len() && toks[k].1.starts_with('?') {
                out.push_str(if not { "IS DISTINCT FROM " } else { "IS NOT DISTINCT FROM " });
                i = k;
                continue;
            }
        }
        if t.0 == Tok::Other && t.1.starts_with('?') {
            let n = match t.1[1..].parse::<usize>() {
                Ok(n) => n,
                Err(_) => {
                    next_param += 1;
                    next_param
                }
            };
            out.push('$');
            out.push_str(&n.to_string());
            let value = params.get(n.wrapping_sub(1));
            let next_word = toks[i + 1..].iter().find(|t| !t.1.trim().is_empty());
            if matches!(value, Some(Value::Null)) && next_word.is_some_and(|t| is_kw(t, "IS")) {
                // `? IS NULL` with a NULL: nothing tells the server its type; any will do.
                out.push_str("::text");
            } else {
                out.push_str(cast_for(value));
            }
            i += 1;
            continue;
        }
        out.push_str(t.1);
        i += 1;
    }
    let mut body = out.trim().trim_end_matches(';').trim_end().to_owned();
    if or_ignore {
        body.push_str(" ON CONFLICT DO NOTHING");
    }
    match first.as_str() {
        "SELECT" | "WITH" | "VALUES" => Translated {
            sql: format!("SELECT coalesce(json_agg(x)::text, '[]') FROM ({body}) x"),
            shape: Shape::JsonRows,
        },
        "INSERT" | "UPDATE" | "DELETE" if returning => Translated {
            sql: format!("WITH x AS ({body}) SELECT coalesce(json_agg(x)::text, '[]') FROM x"),
            shape: Shape::JsonRows,
        },
        _ => Translated { sql: body, shape: Shape::Execute },
    }
}

/// Decodes the one text value of a [`Shape::JsonRows`] statement into rows, keeping the
/// column order (and duplicate column names) of the statement.
pub fn decode_json_rows(text: &str) -> Result<Vec<super::Row>, super::StoreError> {
    use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
    struct RowsV;
    struct RowV;
    struct Cell(Value);
    impl<'de> serde::Deserialize<'de> for Cell {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v = serde_json::Value::deserialize(d)?;
            Ok(Cell(match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Integer(b.into()),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Value::Integer(i),
                    None => {
                        let f = n.as_f64().unwrap_or(0.0);
                        if f.fract() == 0.0 && f.abs() < 9.0e15 {
                            Value::Integer(f as i64)
                        } else {
                            Value::Real(f)
                        }
                    }
                },
                serde_json::Value::String(s) => Value::Text(s),
                other => Value::Text(other.to_string()),
            }))
        }
    }
    impl<'de> Visitor<'de> for RowV {
        type Value = super::Row;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a row object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<super::Row, A::Error> {
            let mut vals = Vec::new();
            while let Some((_k, Cell(v))) = m.next_entry::<serde::de::IgnoredAny, Cell>()? {
                vals.push(v);
            }
            Ok(super::Row(vals))
        }
    }
    struct RowD(super::Row);
    impl<'de> serde::Deserialize<'de> for RowD {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(RowV).map(RowD)
        }
    }
    impl<'de> Visitor<'de> for RowsV {
        type Value = Vec<super::Row>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of rows")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Vec<super::Row>, A::Error> {
            let mut rows = Vec::new();
            while let Some(RowD(r)) = s.next_element()? {
                rows.push(r);
            }
            Ok(rows)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_seq(RowsV).map_err(|e| super::StoreError::Decode(format!("rows from PostgreSQL: {e}")))
}

/// Hex-decodes PostgreSQL's text form of `bytea` (`\x0a1b…`), as `json_agg` renders it.
pub fn bytea_from_text(s: &str) -> Option<Vec<u8>> {
    let h = s.strip_prefix("\\x")?;
    if h.len() % 2 != 0 {
        return None;
    }
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok()).collect()
}

/// The SQLite functions the statements use, as PostgreSQL SQL functions (created before the
/// migrations; every statement idempotent).
pub const COMPAT_FUNCTIONS: &[&str] = &[
    "CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS \
     $$ SELECT CASE WHEN doc IS NULL OR doc = '' THEN NULL ELSE (doc::jsonb) #>> string_to_array(substr(path, 3), '.') END $$",
    "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS bigint LANGUAGE sql IMMUTABLE AS \
     $$ SELECT strpos(haystack, needle)::bigint $$",
    "CREATE OR REPLACE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(encode(b, 'hex')) $$",
    "CREATE OR REPLACE FUNCTION randomblob(n bigint) RETURNS bytea LANGUAGE sql VOLATILE AS \
     $$ SELECT substring(decode(md5(random()::text || clock_timestamp()::text) || md5(random()::text), 'hex') from 1 for n::int) $$",
    "CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT greatest(a, b) $$",
    "CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT least(a, b) $$",
    "CREATE OR REPLACE FUNCTION max(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT greatest(a, b) $$",
    "CREATE OR REPLACE FUNCTION min(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT least(a, b) $$",
    "CREATE OR REPLACE FUNCTION zhicheng_bool_add(acc bigint, v boolean) RETURNS bigint LANGUAGE sql IMMUTABLE AS \
     $$ SELECT coalesce(acc, 0) + CASE WHEN v THEN 1 ELSE 0 END $$",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid \
     WHERE p.proname = 'sum' AND p.proargtypes = '16'::oidvector) THEN \
     CREATE AGGREGATE sum(boolean) (SFUNC = zhicheng_bool_add, STYPE = bigint); END IF; END $$",
];

/// Splits a migration script into statements and rewrites each for PostgreSQL: column types
/// (`INTEGER` → `BIGINT`, `REAL` → `DOUBLE PRECISION`, `BLOB` → `BYTEA`,
/// `INTEGER PRIMARY KEY AUTOINCREMENT` → an identity column), `WITHOUT ROWID` dropped,
/// `PRAGMA`s dropped, `INSERT OR IGNORE` → `ON CONFLICT DO NOTHING`.
pub fn ddl_statements(script: &str) -> Vec<String> {
    let toks = lex(script);
    let mut stmts: Vec<Vec<(Tok, &str)>> = vec![Vec::new()];
    for t in toks {
        if t.1 == ";" {
            stmts.push(Vec::new());
        } else if let Some(last) = stmts.last_mut() {
            last.push(t);
        }
    }
    let mut out = Vec::new();
    for s in stmts {
        let words: Vec<String> = s.iter().filter(|t| t.0 == Tok::Word).map(|t| t.1.to_ascii_uppercase()).collect();
        if words.is_empty() || words[0] == "PRAGMA" {
            continue;
        }
        let is_ddl = words[0] == "CREATE" || words[0] == "ALTER";
        let mut sql = String::new();
        let mut i = 0;
        let mut or_ignore = false;
        while i < s.len() {
            let t = s[i];
            let next_words: Vec<usize> = (i + 1..s.len()).filter(|&j| s[j].0 == Tok::Word).take(3).collect();
            let w = |k: usize, kw: &str| next_words.get(k).is_some_and(|&j| s[j].1.eq_ignore_ascii_case(kw));
            if is_ddl && is_kw(&t, "INTEGER") && w(0, "PRIMARY") && w(1, "KEY") && w(2, "AUTOINCREMENT") {
                sql.push_str("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
                i = next_words[2] + 1;
                continue;
            }
            if is_ddl && is_kw(&t, "WITHOUT") && w(0, "ROWID") {
                i = next_words[0] + 1;
                continue;
            }
            if is_kw(&t, "INSERT") && w(0, "OR") && w(1, "IGNORE") {
                sql.push_str("INSERT");
                or_ignore = true;
                i = next_words[1] + 1;
                continue;
            }
            if is_ddl && t.0 == Tok::Word {
                let upper = t.1.to_ascii_uppercase();
                let mapped = match upper.as_str() {
                    "INTEGER" => Some("BIGINT"),
                    "REAL" => Some("DOUBLE PRECISION"),
                    "BLOB" => Some("BYTEA"),
                    _ => None,
                };
                if let Some(m) = mapped {
                    sql.push_str(m);
                    i += 1;
                    continue;
                }
            }
            sql.push_str(t.1);
            i += 1;
        }
        let mut sql = sql.trim().to_owned();
        if or_ignore {
            sql.push_str(" ON CONFLICT DO NOTHING");
        }
        out.push(sql);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_and_typed_outside_string_literals() {
        let t = to_postgres(
            "SELECT a FROM t WHERE b = ? AND c = '?' AND d = ? AND e = ?",
            &[Value::Integer(1), Value::Text("x".into()), Value::Null],
        );
        assert_eq!(
            t.sql,
            "SELECT coalesce(json_agg(x)::text, '[]') FROM (SELECT a FROM t WHERE b = $1::int8 AND c = '?' AND d = $2::text AND e = $3) x"
        );
        assert_eq!(t.shape, Shape::JsonRows);
    }

    #[test]
    fn numbered_placeholders_keep_their_numbers() {
        let t = to_postgres("UPDATE t SET a = ?2 WHERE id = ?1", &[Value::Integer(1), Value::Blob(vec![1])]);
        assert_eq!(t.sql, "UPDATE t SET a = $2::bytea WHERE id = $1::int8");
        assert_eq!(t.shape, Shape::Execute);
    }

    #[test]
    fn insert_or_ignore_becomes_on_conflict_do_nothing_before_returning() {
        let t = to_postgres("INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id", &[Value::Integer(1)]);
        assert_eq!(
            t.sql,
            "WITH x AS (INSERT INTO t (a) VALUES ($1::int8) ON CONFLICT DO NOTHING RETURNING id) SELECT coalesce(json_agg(x)::text, '[]') FROM x"
        );
        let t = to_postgres("insert or ignore into t (a) values (1);", &[]);
        assert_eq!(t.sql, "insert into t (a) values (1) ON CONFLICT DO NOTHING");
    }

    #[test]
    fn null_safe_is_becomes_is_not_distinct_from() {
        let t = to_postgres("DELETE FROM t WHERE a IS ? AND b IS NOT ? AND c IS NULL", &[Value::Null, 5.into()]);
        assert_eq!(
            t.sql,
            "DELETE FROM t WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM $2::int8 AND c IS NULL"
        );
    }

    #[test]
    fn a_null_tested_with_is_null_gets_a_type() {
        let t = to_postgres("DELETE FROM t WHERE (? IS NULL OR a = ?)", &[Value::Null, Value::Null]);
        assert_eq!(t.sql, "DELETE FROM t WHERE ($1::text IS NULL OR a = $2)");
    }

    #[test]
    fn begin_immediate_takes_the_writer_lock() {
        assert_eq!(to_postgres("BEGIN IMMEDIATE", &[]).shape, Shape::BeginWrite);
        assert_eq!(to_postgres(crate::store::BEGIN_LONG_TRANSACTION, &[]).shape, Shape::BeginWrite);
        assert_eq!(to_postgres("COMMIT", &[]).shape, Shape::Execute);
    }

    #[test]
    fn rows_decode_in_column_order_with_duplicates_and_bytea() {
        let rows = decode_json_rows(r#"[{"z":1,"a":"x","z":null,"b":true,"c":2.5,"d":"\\x0aff"}]"#).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.int(0).unwrap(), 1);
        assert_eq!(r.text(1).unwrap(), "x");
        assert_eq!(r.opt_int(2).unwrap(), None);
        assert_eq!(r.int(3).unwrap(), 1);
        assert_eq!(r.0[4], Value::Real(2.5));
        assert_eq!(r.blob(5).unwrap(), vec![0x0a, 0xff]);
        assert!(decode_json_rows("[]").unwrap().is_empty());
    }

    #[test]
    fn ddl_translates_types_and_drops_sqlite_only_clauses() {
        let s = ddl_statements(
            "PRAGMA journal_mode = WAL;\n-- a comment; with a semicolon\nCREATE TABLE IF NOT EXISTS t (\n id INTEGER PRIMARY KEY AUTOINCREMENT,\n n INTEGER NOT NULL DEFAULT 0, r REAL, b BLOB, note TEXT DEFAULT 'INTEGER; REAL'\n) WITHOUT ROWID;\nINSERT OR IGNORE INTO t (n) VALUES (1);",
        );
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"), "{}", s[0]);
        assert!(s[0].contains("n BIGINT NOT NULL DEFAULT 0, r DOUBLE PRECISION, b BYTEA"), "{}", s[0]);
        assert!(s[0].contains("'INTEGER; REAL'"), "{}", s[0]);
        assert!(!s[0].contains("ROWID"), "{}", s[0]);
        assert_eq!(s[1], "INSERT INTO t (n) VALUES (1) ON CONFLICT DO NOTHING");
    }

    #[test]
    fn every_migration_translates_to_statements() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        for f in std::fs::read_dir(dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x == "sql") {
                let stmts = ddl_statements(&std::fs::read_to_string(&p).unwrap());
                for s in stmts {
                    assert!(!s.contains("AUTOINCREMENT") && !s.contains("INSERT OR"), "{}: {s}", p.display());
                }
            }
        }
    }
}

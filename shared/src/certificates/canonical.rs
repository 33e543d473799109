//! Canonical JSON: the exact bytes that are sealed. Object keys sorted by their UTF-8
//! bytes, no insignificant whitespace, strings escaped as `serde_json` escapes them (only
//! `"`, `\` and control characters; everything else verbatim UTF-8), integers only.
//!
//! The ordering is done here rather than relying on `serde_json`'s map type, so a
//! dependency that turns on `preserve_order` somewhere in the build cannot change the bytes.

use serde_json::Value;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonicalError {
    /// Floating-point numbers have no single textual form; certificates carry none.
    Float(String),
}

impl std::fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CanonicalError::Float(n) => write!(f, "non-integer number {n} has no canonical form"),
        }
    }
}

/// The canonical text of `v`.
pub fn to_canonical(v: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write(v, &mut out)?;
    Ok(out)
}

fn write(v: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(&v.to_string()),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::Float(n.to_string()));
            }
            out.push_str(&n.to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write(&map[k.as_str()], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_is_gone() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": null, "x": true}], "c": "文"}});
        assert_eq!(to_canonical(&v).unwrap(), r#"{"a":{"c":"文","z":[3,{"x":true,"y":null}]},"b":1}"#);
    }

    #[test]
    fn the_same_value_written_in_any_order_has_the_same_bytes() {
        let a: Value = serde_json::from_str(r#"{ "name": "张三", "no": "B0424430100001" }"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"no":"B0424430100001","name":"张三"}"#).unwrap();
        assert_eq!(to_canonical(&a).unwrap(), to_canonical(&b).unwrap());
    }

    #[test]
    fn quotes_and_control_characters_are_escaped_and_chinese_is_not() {
        let v = json!({"s": "引号\"\\\n"});
        assert_eq!(to_canonical(&v).unwrap(), "{\"s\":\"引号\\\"\\\\\\n\"}");
    }

    #[test]
    fn floats_are_refused() {
        assert!(to_canonical(&json!({"x": 1.5})).is_err());
    }
}

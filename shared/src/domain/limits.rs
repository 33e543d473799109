//! Field length limits (issue 10): the longest text each kind of field may hold, in
//! characters, checked on every JSON body before it is read (so a 200 KiB "specialty" is
//! refused with `422` naming the field, however the operation reads it). A field's limit
//! comes from its name; operations may check tighter limits of their own afterwards.

use serde_json::Value;

/// Limits by field name, in characters.
pub const FIELD_LIMITS: &[(&[&str], usize)] = &[
    // Names of people (姓名, 联系人) and of organisations, titles, committees, specialties.
    (&["name", "applicant_name", "contact_name", "operator_name", "holder_name"], 100),
    (&["specialty", "series", "committee", "unit_org", "org", "title", "field", "kind", "filename"], 200),
    // Opinions, reasons, findings, objections, remarks (审核意见, 退回原因, 异议内容…).
    (&["opinion", "reason", "finding", "content", "remarks", "text", "comment", "description"], 2000),
    // The notice of an acceptance institution (受理机构须知).
    (&["notice"], 5000),
    // Signed tokens exchanged at sign-in.
    (&["id_token", "token", "refresh_token", "assertion"], 16 * 1024),
];

/// The limit of a text field whose name is not listed.
pub const DEFAULT_LIMIT: usize = 4000;

/// The limit of the field named `key`.
pub fn limit_of(key: &str) -> usize {
    FIELD_LIMITS.iter().find(|(names, _)| names.contains(&key)).map_or(DEFAULT_LIMIT, |(_, max)| *max)
}

/// The first text in `v` longer than its field's limit: (path as `form.specialty` or
/// `items[0].reason`, limit).
pub fn first_overlong(v: &Value) -> Option<(String, usize)> {
    fn walk(v: &Value, path: &str, key: &str) -> Option<(String, usize)> {
        match v {
            Value::String(s) => {
                let max = limit_of(key);
                (s.chars().count() > max).then(|| (path.to_owned(), max))
            }
            Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}[{i}]"), key)),
            Value::Object(map) => map.iter().find_map(|(k, x)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(x, &p, k)
            }),
            _ => None,
        }
    }
    walk(v, "", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_overlong_text_is_named_by_its_path_and_its_fields_limit() {
        let ok = json!({"form": {"specialty": "土".repeat(200), "achievements": [{"title": "论文"}]}});
        assert_eq!(first_overlong(&ok), None);
        let long_specialty = json!({"form": {"specialty": "土".repeat(201)}});
        assert_eq!(first_overlong(&long_specialty), Some(("form.specialty".into(), 200)));
        let long_reason = json!({"items": [{"field": "a", "reason": "因".repeat(2001)}]});
        assert_eq!(first_overlong(&long_reason), Some(("items[0].reason".into(), 2000)));
        let long_name = json!({"name": "张".repeat(101)});
        assert_eq!(first_overlong(&long_name), Some(("name".into(), 100)));
        assert_eq!(first_overlong(&json!({"other": "x".repeat(4001)})), Some(("other".into(), DEFAULT_LIMIT)));
        assert_eq!(first_overlong(&json!(["x".repeat(4001)])), Some(("[0]".into(), DEFAULT_LIMIT)));
    }
}

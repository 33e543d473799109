//! Certificate numbers (证书编号, annex 3 §1.16): a format made of segments — level letter,
//! series code, year, issuing-unit code, literal text, and one serial of fixed width —
//! and number pools (证书编号库) per scope, the number with its serial left out. A pool is a
//! range of serials; `next_serial` only grows, so a number once handed out is never handed
//! out again (a revoked certificate keeps its number). When a scope has no serial left the
//! issuer adds the next range by itself ("无编号可用时，会自动扩充").
//!
//! The default is Hunan's practice as the guides show it (`A062239901000001`, §1.19):
//! level letter, 2-digit series code, 2-digit year, 4-digit issuing-unit code, 7-digit serial.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One segment of a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Segment {
    /// The level's letter (`level_letters`).
    LevelLetter,
    /// The series' code (`series_codes`, else the series' position in the title tree).
    SeriesCode,
    /// The year the title was obtained, 2 or 4 digits.
    Year { digits: u8 },
    /// The issuing unit's code (§1.9).
    IssuingCode,
    /// Fixed text.
    Literal { text: String },
    /// The serial, zero-padded to `width` digits (exactly one per format).
    Serial { width: u8 },
}

/// A number format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberFormat {
    /// The segments, in order.
    pub segments: Vec<Segment>,
    /// Letter per level (`deputy_senior`, `full_senior`, …).
    #[serde(default)]
    pub level_letters: BTreeMap<String, String>,
    /// Code per series name, where the title tree's position should not be used.
    #[serde(default)]
    pub series_codes: BTreeMap<String, String>,
    /// How many serials a pool grows by when a scope runs out.
    pub grow_by: i64,
}

impl Default for NumberFormat {
    fn default() -> Self {
        let letters =
            [("full_senior", "A"), ("deputy_senior", "B"), ("intermediate", "C"), ("assistant", "D"), ("junior", "E")];
        NumberFormat {
            segments: vec![
                Segment::LevelLetter,
                Segment::SeriesCode,
                Segment::Year { digits: 2 },
                Segment::IssuingCode,
                Segment::Serial { width: 7 },
            ],
            level_letters: letters.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            series_codes: BTreeMap::new(),
            grow_by: 1000,
        }
    }
}

/// What a number is made of, besides its serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberParts {
    /// Level wire name (`deputy_senior`).
    pub level: String,
    /// The series' code (resolved by the caller: `series_codes`, else the title tree).
    pub series_code: String,
    /// The year the title was obtained.
    pub year: i32,
    /// The issuing unit's code.
    pub issuing_code: String,
    /// How the title was acquired (`review`, `initial`, `recognition`): a 初定 number
    /// carries `CD` and a 认定 number `RD` right after the level letter, so the number
    /// says its kind (and draws from its own pool); a title by review carries nothing.
    pub method: String,
}

/// The mark a number carries for its acquisition method (see [`NumberParts::method`]).
pub fn method_mark(method: &str) -> &'static str {
    match method {
        "initial" => "CD",
        "recognition" => "RD",
        _ => "",
    }
}

/// Why a number cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// The format is not usable; the message says why.
    BadFormat(String),
    /// No letter is configured for the level.
    NoLevelLetter(String),
    /// The scope has used every serial its width allows.
    ScopeExhausted { scope: String, max: i64 },
    /// A serial that does not fit the width.
    SerialTooWide(i64),
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::BadFormat(m) => write!(f, "证书编号格式无效：{m}"),
            NumberError::NoLevelLetter(l) => write!(f, "证书编号格式未配置层级 {l} 的字母"),
            NumberError::ScopeExhausted { scope, max } => {
                write!(f, "证书编号 {scope} 的流水号已用尽（最大 {max}），请调整编号格式的流水号位数")
            }
            NumberError::SerialTooWide(s) => write!(f, "流水号 {s} 超出编号格式的位数"),
        }
    }
}

impl NumberFormat {
    /// Checks the format: exactly one serial of 1–12 digits, years of 2 or 4 digits,
    /// letters and codes of ASCII letters and digits, a positive growth step.
    pub fn validate(&self) -> Result<(), NumberError> {
        let bad = |m: &str| Err(NumberError::BadFormat(m.to_owned()));
        let serials = self.segments.iter().filter(|s| matches!(s, Segment::Serial { .. })).count();
        if serials != 1 {
            return bad("须有且只有一个流水号段");
        }
        for s in &self.segments {
            match s {
                Segment::Serial { width } if !(1..=12).contains(width) => return bad("流水号位数须为1到12"),
                Segment::Year { digits } if *digits != 2 && *digits != 4 => return bad("年份须为2位或4位"),
                Segment::Literal { text } if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    return bad("固定文字须为字母或数字")
                }
                _ => {}
            }
        }
        let alnum = |v: &String| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric());
        if !self.level_letters.values().all(alnum) || !self.series_codes.values().all(alnum) {
            return bad("层级字母和系列代码须为字母或数字");
        }
        if !(1..=1_000_000).contains(&self.grow_by) {
            return bad("自动扩充数量须为1到1000000");
        }
        Ok(())
    }

    /// The serial's width.
    pub fn serial_width(&self) -> u8 {
        self.segments
            .iter()
            .find_map(|s| match s {
                Segment::Serial { width } => Some(*width),
                _ => None,
            })
            .unwrap_or(7)
    }

    /// The largest serial the width allows.
    pub fn max_serial(&self) -> i64 {
        10i64.pow(u32::from(self.serial_width())) - 1
    }

    fn render_with(&self, p: &NumberParts, serial: &str) -> Result<String, NumberError> {
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::LevelLetter => {
                    out.push_str(
                        self.level_letters.get(&p.level).ok_or_else(|| NumberError::NoLevelLetter(p.level.clone()))?,
                    );
                    out.push_str(method_mark(&p.method));
                }
                Segment::SeriesCode => out.push_str(&p.series_code),
                Segment::Year { digits: 2 } => out.push_str(&format!("{:02}", p.year.rem_euclid(100))),
                Segment::Year { .. } => out.push_str(&format!("{:04}", p.year)),
                Segment::IssuingCode => out.push_str(&p.issuing_code),
                Segment::Literal { text } => out.push_str(text),
                Segment::Serial { .. } => out.push_str(serial),
            }
        }
        Ok(out)
    }

    /// The scope of a number: the number with `#` for each serial digit.
    pub fn scope(&self, p: &NumberParts) -> Result<String, NumberError> {
        self.render_with(p, &"#".repeat(usize::from(self.serial_width())))
    }

    /// The number with `serial`.
    pub fn render(&self, p: &NumberParts, serial: i64) -> Result<String, NumberError> {
        if serial < 1 || serial > self.max_serial() {
            return Err(NumberError::SerialTooWide(serial));
        }
        let w = usize::from(self.serial_width());
        self.render_with(p, &format!("{serial:0w$}"))
    }
}

/// A range of serials of one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolRange {
    /// First serial.
    pub start: i64,
    /// Last serial.
    pub end: i64,
    /// The next serial to hand out (`end + 1` when used up).
    pub next: i64,
}

/// The range a scope grows by when every range is used up: the `grow_by` serials after
/// the highest range, within the width.
pub fn next_range(ranges: &[PoolRange], fmt: &NumberFormat, scope: &str) -> Result<(i64, i64), NumberError> {
    let top = ranges.iter().map(|r| r.end).max().unwrap_or(0);
    let max = fmt.max_serial();
    if top >= max {
        return Err(NumberError::ScopeExhausted { scope: scope.to_owned(), max });
    }
    Ok((top + 1, (top + fmt.grow_by).min(max)))
}

/// Checks a range the province adds by hand: within the width and overlapping no range
/// of the scope (serials are never handed out twice).
pub fn check_new_range(ranges: &[PoolRange], fmt: &NumberFormat, start: i64, end: i64) -> Result<(), String> {
    if start < 1 || end < start {
        return Err("结束序号须不小于开始序号，且开始序号不小于1".into());
    }
    if end > fmt.max_serial() {
        return Err(format!("结束序号超出流水号位数（最大 {}）", fmt.max_serial()));
    }
    if let Some(r) = ranges.iter().find(|r| start <= r.end && r.start <= end) {
        return Err(format!("与已有编号段 {}–{} 重叠", r.start, r.end));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> NumberParts {
        NumberParts {
            level: "deputy_senior".into(),
            series_code: "04".into(),
            year: 2024,
            issuing_code: "0100".into(),
            method: "review".into(),
        }
    }

    #[test]
    fn the_default_format_is_letter_series_year_issuer_and_seven_digit_serial() {
        let f = NumberFormat::default();
        f.validate().unwrap();
        assert_eq!(f.render(&parts(), 1).unwrap(), "B042401000000001");
        assert_eq!(f.render(&parts(), 1).unwrap().len(), 16, "as long as the guide's A062239901000001");
        assert_eq!(f.scope(&parts()).unwrap(), "B04240100#######");
    }

    #[test]
    fn a_configured_format_renders_its_segments_in_order() {
        let f: NumberFormat = serde_json::from_value(serde_json::json!({
            "segments": [{"kind": "literal", "text": "HN"}, {"kind": "year", "digits": 4},
                         {"kind": "issuing_code"}, {"kind": "level_letter"}, {"kind": "serial", "width": 4}],
            "level_letters": {"deputy_senior": "F"},
            "grow_by": 10
        }))
        .unwrap();
        f.validate().unwrap();
        assert_eq!(f.render(&parts(), 37).unwrap(), "HN20240100F0037");
        assert_eq!(f.render(&parts(), 10_000), Err(NumberError::SerialTooWide(10_000)));
        let full = NumberParts { level: "full_senior".into(), ..parts() };
        assert_eq!(f.render(&full, 1), Err(NumberError::NoLevelLetter("full_senior".into())));
    }

    #[test]
    fn a_format_without_exactly_one_serial_is_refused() {
        let mut f = NumberFormat::default();
        f.segments.retain(|s| !matches!(s, Segment::Serial { .. }));
        assert!(f.validate().is_err());
        let mut f = NumberFormat::default();
        f.segments.push(Segment::Serial { width: 3 });
        assert!(f.validate().is_err());
        let mut f = NumberFormat::default();
        f.segments[2] = Segment::Year { digits: 3 };
        assert!(f.validate().is_err());
    }

    #[test]
    fn a_scope_grows_after_its_highest_range_and_stops_at_the_width() {
        let mut f = NumberFormat { grow_by: 100, ..NumberFormat::default() };
        let used = [PoolRange { start: 1, end: 5, next: 6 }, PoolRange { start: 50, end: 60, next: 61 }];
        assert_eq!(next_range(&used, &f, "s"), Ok((61, 160)));
        assert_eq!(next_range(&[], &f, "s"), Ok((1, 100)));
        f.segments[4] = Segment::Serial { width: 2 };
        assert_eq!(next_range(&[PoolRange { start: 1, end: 95, next: 96 }], &f, "s"), Ok((96, 99)));
        assert!(matches!(
            next_range(&[PoolRange { start: 1, end: 99, next: 100 }], &f, "s"),
            Err(NumberError::ScopeExhausted { max: 99, .. })
        ));
    }

    #[test]
    fn a_manual_range_may_not_overlap_one_already_there() {
        let f = NumberFormat::default();
        let used = [PoolRange { start: 100, end: 199, next: 100 }];
        assert!(check_new_range(&used, &f, 1, 99).is_ok());
        assert!(check_new_range(&used, &f, 199, 300).unwrap_err().contains("重叠"));
        assert!(check_new_range(&used, &f, 50, 150).is_err());
        assert!(check_new_range(&used, &f, 10, 5).is_err());
        assert!(check_new_range(&used, &f, 1, 10_000_000).is_err());
    }

    #[test]
    fn a_number_of_an_initial_appointment_or_a_recognition_says_so() {
        let f = NumberFormat::default();
        assert_eq!(f.render(&parts(), 1).unwrap(), "B042401000000001");
        let initial = NumberParts { level: "intermediate".into(), method: "initial".into(), ..parts() };
        assert_eq!(f.render(&initial, 1).unwrap(), "CCD042401000000001");
        let recognition = NumberParts { method: "recognition".into(), ..parts() };
        assert_eq!(f.render(&recognition, 1).unwrap(), "BRD042401000000001");
        assert_ne!(f.scope(&recognition).unwrap(), f.scope(&parts()).unwrap(), "a pool of its own");
    }
}

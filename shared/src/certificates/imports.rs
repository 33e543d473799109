//! The Excel import of certificates (§1.29 4–6): the template's columns and the checks of
//! one row that need no data. The checks against the store (a series that exists, an
//! active issuing unit, no valid certificate already held) are in the workflow.

use crate::domain::citizen_id::CitizenId;
use crate::excel::TemplateColumn;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One column: the key errors name, the template column.
pub struct Column {
    /// Field key (`citizen_id`).
    pub key: &'static str,
    /// The template column.
    pub column: TemplateColumn,
}

/// Level labels accepted in the level column, with their wire names.
pub const LEVELS: &[(&str, &str)] = &[("副高级", "deputy_senior"), ("正高级", "full_senior")];

/// The template's columns, in order.
pub fn columns() -> Vec<Column> {
    let c = |key, header, required, choices: Vec<&'static str>, help| Column {
        key,
        column: TemplateColumn { header, required, choices, help },
    };
    vec![
        c("name", "姓名", true, vec![], "与身份证一致"),
        c("citizen_id", "身份证号", true, vec![], "18位公民身份号码，末位为校验码"),
        c("unit", "工作单位", true, vec![], "单位全称"),
        c("series", "系列", true, vec![], "职称系列简称，如 卫生、工程"),
        c("specialty", "专业", true, vec![], "如 内科学"),
        c("title", "资格名称", true, vec![], "如 副主任医师"),
        c("level", "职称层级", true, LEVELS.iter().map(|l| l.0).collect(), "从下拉列表选择"),
        c("committee", "评审委员会", false, vec![], "评委会名称"),
        c("approval_doc_no", "审批文号", true, vec![], "如 湘人社职备〔2024〕15号"),
        c("obtained_on", "取得资格时间", true, vec![], "YYYY-MM-DD"),
        c("issuer_code", "发证单位编码", false, vec![], "4位；不填为本单位的发证单位编码"),
    ]
}

/// A row that passed the checks that need no data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The spreadsheet row (1-based, the header being row 1).
    pub row: usize,
    pub name: String,
    pub citizen_id: String,
    pub unit: String,
    pub series: String,
    pub specialty: String,
    pub title: String,
    /// Level wire name.
    pub level: String,
    pub committee: String,
    pub approval_doc_no: String,
    pub obtained_on: NaiveDate,
    pub issuer_code: Option<String>,
}

/// One failed check of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The spreadsheet row (1-based, the header being row 1).
    pub row: usize,
    /// The column's letter (`B`).
    pub column: String,
    /// The column's header (`身份证号`).
    pub header: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// Checks the header row against the template; a mismatch refuses the whole file.
pub fn check_header(header: &[String]) -> Result<(), String> {
    let want: Vec<&str> = columns().iter().map(|c| c.column.header).collect();
    let got: Vec<&str> = header.iter().map(|h| h.trim().trim_start_matches('*')).collect();
    if got.len() < want.len() || got[..want.len()] != want[..] {
        return Err(format!("表头与模板不一致，应为：{}", want.join("、")));
    }
    Ok(())
}

/// The error naming the column of `key` in `row`.
pub fn error_at(row: usize, key: &str, reason: impl Into<String>) -> RowError {
    let cols = columns();
    let i = cols.iter().position(|c| c.key == key).unwrap_or(0);
    RowError {
        row,
        column: crate::excel::column_letter(i),
        header: cols.get(i).map_or("", |c| c.column.header).to_owned(),
        reason: reason.into(),
    }
}

/// Checks one data row (`cells` in template order); every failure of the row at once.
pub fn parse_row(row: usize, cells: &[String]) -> Result<ImportRow, Vec<RowError>> {
    let cols = columns();
    let get = |key: &str| {
        let i = cols.iter().position(|c| c.key == key).unwrap_or(0);
        cells.get(i).map(|s| s.trim().to_owned()).unwrap_or_default()
    };
    let mut errors = Vec::new();
    for c in &cols {
        if c.column.required && get(c.key).is_empty() {
            errors.push(error_at(row, c.key, format!("{}为必填项", c.column.header)));
        }
    }
    let citizen_id = get("citizen_id");
    if !citizen_id.is_empty() {
        if let Err(e) = CitizenId::parse(&citizen_id) {
            errors.push(error_at(row, "citizen_id", format!("身份证号无效：{}", e.0)));
        }
    }
    let level_label = get("level");
    let level = LEVELS.iter().find(|l| l.0 == level_label).map(|l| l.1.to_owned());
    if !level_label.is_empty() && level.is_none() {
        errors.push(error_at(row, "level", "职称层级须为 副高级 或 正高级"));
    }
    let date_text = get("obtained_on");
    let obtained_on = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d").ok();
    if !date_text.is_empty() && obtained_on.is_none() {
        errors.push(error_at(row, "obtained_on", "取得资格时间须为 YYYY-MM-DD 格式的日期"));
    }
    let issuer_code = Some(get("issuer_code")).filter(|s| !s.is_empty());
    if let Some(code) = &issuer_code {
        if code.len() != 4 || !code.chars().all(|c| c.is_ascii_digit()) {
            errors.push(error_at(row, "issuer_code", "发证单位编码须为4位数字"));
        }
    }
    if !errors.is_empty() {
        // In column order, as the spreadsheet shows them.
        errors.sort_by_key(|e| (e.column.len(), e.column.clone()));
        return Err(errors);
    }
    Ok(ImportRow {
        row,
        name: get("name"),
        citizen_id: CitizenId::parse(&citizen_id).map(|c| c.as_str().to_owned()).unwrap_or(citizen_id),
        unit: get("unit"),
        series: get("series"),
        specialty: get("specialty"),
        title: get("title"),
        level: level.unwrap_or_default(),
        committee: get("committee"),
        approval_doc_no: get("approval_doc_no"),
        obtained_on: obtained_on.unwrap_or_default(),
        issuer_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn good() -> Vec<String> {
        cells(&[
            "李四",
            "430102198503151236",
            "某医院",
            "卫生",
            "内科学",
            "副主任医师",
            "副高级",
            "",
            "湘人社职备〔2024〕15号",
            "2024-09-27",
            "",
        ])
    }

    #[test]
    fn a_good_row_parses() {
        let r = parse_row(2, &good()).unwrap();
        assert_eq!((r.level.as_str(), r.obtained_on.to_string().as_str()), ("deputy_senior", "2024-09-27"));
        assert_eq!(r.issuer_code, None);
    }

    #[test]
    fn every_failure_of_a_row_is_named_by_row_column_and_reason() {
        let mut c = good();
        c[1] = "430102198503151235".into();
        c[6] = "中级".into();
        c[9] = "2024/09/27".into();
        c[0] = String::new();
        let errs = parse_row(7, &c).unwrap_err();
        let at: Vec<(usize, &str, &str)> = errs.iter().map(|e| (e.row, e.column.as_str(), e.header.as_str())).collect();
        assert_eq!(at, vec![(7, "A", "姓名"), (7, "B", "身份证号"), (7, "G", "职称层级"), (7, "J", "取得资格时间")]);
        assert!(errs[1].reason.contains("身份证号无效"));
    }

    #[test]
    fn a_foreign_header_refuses_the_file() {
        let header: Vec<String> = columns().iter().map(|c| c.column.header.to_owned()).collect();
        assert!(check_header(&header).is_ok());
        assert!(check_header(&header[1..]).is_err());
    }
}

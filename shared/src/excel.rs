//! Excel (xlsx) both ways: exports of whole result sets, import templates with dropdowns
//! for enumerations, and reading an uploaded workbook back into rows of text.
//!
//! Writing uses `rust_xlsxwriter`, reading uses `calamine` — two independent, well-kept
//! crates (so a test that reads our exports back with calamine is not checking the writer
//! against itself). Both build for `wasm32-wasip2` without default features.
//!
//! Every cell is written as text: ID numbers, credit codes and specialty codes like `0801`
//! must never turn into numbers (Excel would drop leading zeros and round 18-digit IDs).

use crate::error::DomainError;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

/// The content type of an xlsx file.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most data rows an uploaded workbook may have (larger files are refused whole).
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// Rows of the template that carry the dropdowns (header excluded).
const TEMPLATE_ROWS: u32 = 5_000;

/// One sheet of an export: a header row, then data rows of text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// Column headers, in Chinese.
    pub headers: Vec<String>,
    /// Data rows; each as long as `headers`.
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// A sheet with headers and no rows.
    pub fn new(name: &str, headers: &[&str]) -> Sheet {
        Sheet { name: name.to_owned(), headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }
}

/// One column of an import template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateColumn {
    /// The header, exactly as the import expects it.
    pub header: &'static str,
    /// Whether a value is required (marked `*` in the template's notes).
    pub required: bool,
    /// The allowed values, shown as a dropdown (empty: free text).
    pub choices: Vec<&'static str>,
    /// What to enter, shown in the notes sheet and as the cell's input message.
    pub help: &'static str,
}

fn xlsx_err(e: XlsxError) -> DomainError {
    DomainError::Internal(format!("xlsx: {e}"))
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color("#DDEBF7").set_num_format("@")
}

/// Column width in characters for a header and some sample values (CJK counts double).
fn width_of<'a>(values: impl Iterator<Item = &'a str>) -> f64 {
    let w =
        values.map(|v| v.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>()).fold(6.0_f64, f64::max);
    (w + 2.0).min(60.0)
}

/// Writes sheets to an xlsx file, every cell as text.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, DomainError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(xlsx_err)?;
        for (c, h) in s.headers.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, h, &header_format()).map_err(xlsx_err)?;
            let sample = std::iter::once(h.as_str())
                .chain(s.rows.iter().take(50).filter_map(|r| r.get(usize::from(c)).map(String::as_str)));
            ws.set_column_width(c, width_of(sample)).map_err(xlsx_err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| DomainError::Internal("too many rows".into()))?;
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string_with_format(r, c as u16, v, &text).map_err(xlsx_err)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// Builds an import template: the header row, text-formatted columns, a dropdown on every
/// enumerated column (its values kept on a hidden `选项` sheet, so long lists work), an
/// optional example row, and a `填写说明` sheet listing each column.
pub fn write_template(
    sheet_name: &str,
    columns: &[TemplateColumn],
    example: Option<&[&str]>,
) -> Result<Vec<u8>, DomainError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let required = header_format().set_font_color("#C00000");
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name).map_err(xlsx_err)?;
        for (c, col) in columns.iter().enumerate() {
            let c = c as u16;
            let f = if col.required { required.clone() } else { header_format() };
            ws.write_string_with_format(0, c, col.header, &f).map_err(xlsx_err)?;
            ws.set_column_format(c, &text).map_err(xlsx_err)?;
            let widest = std::iter::once(col.header).chain(col.choices.iter().copied());
            ws.set_column_width(c, width_of(widest).max(12.0)).map_err(xlsx_err)?;
        }
        if let Some(ex) = example {
            for (c, v) in ex.iter().enumerate() {
                ws.write_string_with_format(1, c as u16, *v, &text).map_err(xlsx_err)?;
            }
        }
        let mut option_col = 0u16;
        for (c, col) in columns.iter().enumerate() {
            let choices = &col.choices;
            if choices.is_empty() {
                continue;
            }
            let letter = column_letter(usize::from(option_col));
            let formula = format!("='选项'!${letter}$1:${letter}${}", choices.len().max(1));
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(formula))
                .set_error_message(format!("请从下拉列表中选择{}", col.header))
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, c as u16, TEMPLATE_ROWS, c as u16, &dv).map_err(xlsx_err)?;
            option_col += 1;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明").map_err(xlsx_err)?;
        for (c, h) in ["列", "是否必填", "填写说明", "可选值"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &header_format()).map_err(xlsx_err)?;
        }
        for (r, col) in columns.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, col.header).map_err(xlsx_err)?;
            ws.write_string(r, 1, if col.required { "必填" } else { "选填" }).map_err(xlsx_err)?;
            ws.write_string(r, 2, col.help).map_err(xlsx_err)?;
            ws.write_string(r, 3, col.choices.join("、")).map_err(xlsx_err)?;
        }
        for (c, w) in [16.0, 10.0, 60.0, 40.0].iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(xlsx_err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("选项").map_err(xlsx_err)?;
        for (option_col, col) in columns.iter().filter(|c| !c.choices.is_empty()).enumerate() {
            for (r, v) in col.choices.iter().enumerate() {
                ws.write_string(r as u32, option_col as u16, *v).map_err(xlsx_err)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The spreadsheet letter of a 0-based column (`0` → `A`, `27` → `AB`).
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The first worksheet of an uploaded xlsx as rows of trimmed text, row 0 being the
/// spreadsheet's row 1. Numbers come back without a spurious `.0`, dates as `YYYY-MM-DD`.
/// Trailing empty rows are dropped.
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    use calamine::Reader;
    let unreadable = || DomainError::invalid("file", "无法读取该文件，请使用下载的 Excel 模板（.xlsx）填写后上传");
    if bytes.is_empty() {
        return Err(DomainError::invalid("file", "上传的文件为空"));
    }
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).map_err(|_| unreadable())?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        _ => return Err(unreadable()),
    };
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let (row0, col0) = (row0 as usize, col0 as usize);
    if range.height() > MAX_IMPORT_ROWS + 1 {
        return Err(DomainError::invalid("file", format!("一次最多导入{MAX_IMPORT_ROWS}行")));
    }
    let mut out: Vec<Vec<String>> = vec![Vec::new(); row0];
    for row in range.rows() {
        let mut cells = vec![String::new(); col0];
        cells.extend(row.iter().map(cell_text));
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        out.push(cells);
    }
    while out.last().is_some_and(Vec::is_empty) {
        out.pop();
    }
    Ok(out)
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_reads_back_cell_for_cell_with_leading_zeros_kept() {
        let mut s = Sheet::new("名单", &["代码", "名称", "身份证号"]);
        s.rows.push(vec!["0801".into(), "力学".into(), "110***********002X".into()]);
        s.rows.push(vec!["".into(), "无代码".into(), "".into()]);
        let bytes = write_xlsx(&[s]).unwrap();
        let rows = read_first_sheet(&bytes).unwrap();
        assert_eq!(rows[0], vec!["代码", "名称", "身份证号"]);
        assert_eq!(rows[1], vec!["0801", "力学", "110***********002X"]);
        assert_eq!(rows[2], vec!["", "无代码"]);
    }

    #[test]
    fn a_template_has_its_headers_first_and_an_options_sheet() {
        let cols = [
            TemplateColumn { header: "名称", required: true, choices: vec![], help: "名称" },
            TemplateColumn {
                header: "层级", required: true, choices: vec!["副高级", "正高级"], help: "层级"
            },
        ];
        let bytes = write_template("导入", &cols, Some(&["示例", "副高级"])).unwrap();
        assert_eq!(read_first_sheet(&bytes).unwrap(), vec![vec!["名称", "层级"], vec!["示例", "副高级"]]);
        use calamine::Reader;
        let wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["导入", "填写说明", "选项"]);
    }

    #[test]
    fn garbage_is_refused_as_an_invalid_file() {
        assert_eq!(read_first_sheet(b"not a zip").unwrap_err().field(), Some("file"));
        assert_eq!(read_first_sheet(b"").unwrap_err().field(), Some("file"));
    }

    #[test]
    fn column_letters_follow_the_spreadsheet_convention() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}

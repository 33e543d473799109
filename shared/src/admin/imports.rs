//! Excel imports (批量导入, annex 3 §1.3 3, §1.4–1.8 3, §1.10 3): download the template (a
//! dropdown on every enumerated column), fill it in, upload it. The upload is validated
//! row by row against the real data — in a transaction that is rolled back — and the
//! report lists each failing row with its column and reason, and how many pass and fail
//! ("导入完毕以后，系统提示成功多少条，失败多少条"). Committing ("点击【提交】") re-runs the
//! passing rows for real, in one transaction, each row in its own savepoint: a row that no
//! longer passes is reported and skipped, the others are written, each with its audit event.
//!
//! Every row goes through the same `create_in` as the single-object API, so an import can
//! never write what the API would refuse. Rows are applied in file order (a specialty's
//! parent must come before it).

use super::{
    audit_paths, blacklist, committees, institutions, labels, organisations, require_province, specialties, titles,
    INSTITUTION_METHODS, LEVELS, METHODS, NODE_TYPES, ORG_KINDS, SENIOR_LEVELS, STEPS, YES_NO,
};
use crate::audit::{self, AuditEvent};
use crate::domain::citizen_id::CitizenId;
use crate::error::{DomainError, ErrorCode};
use crate::excel::{self, column_letter, TemplateColumn};
use crate::store::admin::{self as store};
use crate::store::{with_long_tx, Db};
use crate::workflow::{stamp, OpCtx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// 机构
    Organisations,
    /// 职称专业
    Specialties,
    /// 职称树
    Titles,
    /// 受理机构
    Institutions,
    /// 审核路径
    AuditPaths,
    /// 评委会
    Committees,
    /// 黑名单
    Blacklist,
}

/// One column of an import: the key its value goes to, and its template column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportColumn {
    /// The field name the rules report errors by (`parent_code`, `operator.citizen_id`).
    pub key: &'static str,
    /// The template column.
    pub column: TemplateColumn,
}

fn col(
    key: &'static str,
    header: &'static str,
    required: bool,
    choices: Vec<&'static str>,
    help: &'static str,
) -> ImportColumn {
    ImportColumn { key, column: TemplateColumn { header, required, choices, help } }
}

impl ImportKind {
    /// Every kind.
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Organisations,
        ImportKind::Specialties,
        ImportKind::Titles,
        ImportKind::Institutions,
        ImportKind::AuditPaths,
        ImportKind::Committees,
        ImportKind::Blacklist,
    ];

    /// Wire name (the `{kind}` of the routes).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Organisations => "organisations",
            ImportKind::Specialties => "specialties",
            ImportKind::Titles => "titles",
            ImportKind::Institutions => "institutions",
            ImportKind::AuditPaths => "audit-paths",
            ImportKind::Committees => "committees",
            ImportKind::Blacklist => "blacklist",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The template's sheet name.
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Organisations => "机构",
            ImportKind::Specialties => "职称专业",
            ImportKind::Titles => "职称树",
            ImportKind::Institutions => "受理机构",
            ImportKind::AuditPaths => "审核路径",
            ImportKind::Committees => "评委会",
            ImportKind::Blacklist => "黑名单",
        }
    }

    /// The columns, in template order.
    pub fn columns(self) -> Vec<ImportColumn> {
        match self {
            ImportKind::Organisations => vec![
                col("id", "机构编号", true, vec![], "系统内唯一编号，如 ORG-CS-HR（字母、数字、-）"),
                col("kind", "机构类型", true, labels(ORG_KINDS), "从下拉列表选择"),
                col("name", "机构名称", true, vec![], "全称"),
                col("credit_code", "统一社会信用代码", false, vec![], "18位，末位为校验码"),
                col("region_code", "行政区划代码", true, vec![], "6位数字，如 430100"),
                col("public_institution", "事业单位", false, labels(YES_NO), "是/否，默认否"),
                col("self_review", "自主评审单位", false, labels(YES_NO), "是/否，默认否"),
            ],
            ImportKind::Specialties => vec![
                col(
                    "parent_code",
                    "上级专业代码",
                    true,
                    vec![],
                    "上级节点的代码；大类为 01–14（学科门类）；上级须在本表前面的行或已存在",
                ),
                col("code", "专业代码", true, vec![], "以上级专业代码开头，如 0801"),
                col("name", "专业名称", true, vec![], "全树唯一"),
            ],
            ImportKind::Titles => vec![
                col("series", "系列", true, vec![], "职称系列简称，如 卫生、工程（固定栏目）"),
                col("name", "职称名称", true, vec![], "如 主任医师"),
                col("level", "职称级别", true, labels(LEVELS), "从下拉列表选择"),
                col("mohrss_title", "对应人社部职称", true, vec![], "人社部职称名称"),
                col("mohrss_code", "人社部职称代码", false, vec![], "GB/T 8561 代码（3位数字），没有的留空"),
            ],
            ImportKind::Institutions => vec![
                col("node_type", "受理节点类型", true, labels(NODE_TYPES), "从下拉列表选择，须与机构类型一致"),
                col("org_id", "机构编号", true, vec![], "已存在的机构编号"),
                col("certificate_name", "证书上的机构名称", true, vec![], "打印在电子职称证书上，请准确填写"),
                col("level", "职称等级", true, labels(LEVELS), "从下拉列表选择"),
                col("method", "取得方式", true, labels(INSTITUTION_METHODS), "初定或认定"),
                col("notice", "申报须知", false, vec![], "展示给申报人的须知"),
            ],
            ImportKind::AuditPaths => vec![
                col("lower_org", "下级机构编号", true, vec![], "已存在的机构编号"),
                col("upper_org", "上级机构编号", true, vec![], "已存在的机构编号"),
                col("level", "职称层级", true, labels(SENIOR_LEVELS), "副高级或正高级"),
                col("method", "取得方式", true, labels(METHODS), "评审、初定或认定"),
                col("step", "审核环节", true, labels(STEPS), "上级机构承担的环节"),
            ],
            ImportKind::Committees => vec![
                col("id", "评委会编号", true, vec![], "系统内唯一编号，如 CMT-HEALTH"),
                col("name", "评委会名称", true, vec![], "全称"),
                col("series", "系列", true, vec![], "职称系列简称，如 卫生"),
                col("max_level", "评审层级", true, labels(SENIOR_LEVELS), "可评审的最高层级"),
                col("is_final", "终审机构", false, labels(YES_NO), "是/否，默认是"),
                col("valid_until", "有效期至", true, vec![], "日期，如 2026-12-31"),
                col("organisers", "组建单位", true, vec![], "机构编号，多个以顿号“、”分隔，第一个为牵头单位"),
                col("specialties", "评审专业", true, vec![], "职称专业树中的专业名称，多个以顿号“、”分隔"),
                col("fees", "缴费标准", false, vec![], "如 评审费:300；面试答辩费:100（单位：元）"),
                col("operator.name", "联系人", true, vec![], "评委会操作员姓名"),
                col("operator.citizen_id", "联系人身份证号", true, vec![], "18位"),
                col("operator.phone", "联系电话", true, vec![], "如 0731-84327000"),
                col("remarks", "备注", false, vec![], ""),
            ],
            ImportKind::Blacklist => vec![
                col("citizen_id", "身份证号", true, vec![], "18位"),
                col("name", "姓名", true, vec![], ""),
                col("reason", "加入原因", true, vec![], "如 提供虚假材料"),
                col("recorded_on", "记录开始日期", false, vec![], "默认今天，如 2024-10-10"),
                col("expires_on", "记录截止日期", false, vec![], "默认开始日期起3年"),
            ],
        }
    }

    /// An example row for the template.
    pub fn example(self) -> Vec<&'static str> {
        match self {
            ImportKind::Organisations => {
                vec!["ORG-CS-HR", "市州人社局", "长沙市人力资源和社会保障局", "", "430100", "否", "否"]
            }
            ImportKind::Specialties => vec!["10", "1002", "临床医学"],
            ImportKind::Titles => vec!["卫生", "主任医师", "正高级", "主任医师", "231"],
            ImportKind::Institutions => vec![
                "市州人社局",
                "ORG-CS-HR",
                "长沙市职称改革工作领导小组办公室",
                "中级",
                "认定",
                "请携带学历证书原件",
            ],
            ImportKind::AuditPaths => vec!["ORG-UNIT", "ORG-CS-HR", "副高级", "评审", "形式审查"],
            ImportKind::Committees => vec![
                "CMT-HEALTH",
                "湖南省卫生系列高级职称评审委员会",
                "卫生",
                "正高级",
                "是",
                "2026-12-31",
                "ORG-HEALTH",
                "内科学、外科学",
                "评审费:300",
                "张三",
                "11010519491231002X",
                "0731-84327000",
                "",
            ],
            ImportKind::Blacklist => vec!["11010519491231002X", "张三", "提供虚假材料", "", ""],
        }
    }
}

/// Downloads the template of a kind (下载excel模板).
pub fn template(ctx: &OpCtx<'_>, kind: ImportKind) -> Result<Vec<u8>, DomainError> {
    require_province(ctx)?;
    let cols: Vec<TemplateColumn> = kind.columns().into_iter().map(|c| c.column).collect();
    excel::write_template(kind.label(), &cols, Some(&kind.example()))
}

/// One row's cells by key.
pub type Cells = BTreeMap<String, String>;

/// A failing row: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    /// The column letter, when one column is at fault.
    pub column: Option<String>,
    /// The column's header.
    pub header: Option<String>,
    /// Stable code.
    pub code: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// The outcome of validating or committing an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The staged import (commit it with this id).
    pub id: i64,
    /// The kind's wire name.
    pub kind: String,
    /// `validated` or `committed`.
    pub status: String,
    /// Data rows read (empty rows aside).
    pub total: usize,
    /// Rows that pass (validated) or were written (committed).
    pub passed: usize,
    /// Rows that fail, each listed in `errors`.
    pub failed: usize,
    /// The failures, by row.
    pub errors: Vec<RowError>,
}

/// A staged row: its spreadsheet row number and its cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StagedRow {
    row: usize,
    cells: Cells,
}

fn error_at(kind: ImportKind, row: usize, e: &DomainError) -> RowError {
    let cols = kind.columns();
    let at = e.field().and_then(|f| {
        cols.iter()
            .position(|c| f == c.key || f.starts_with(&format!("{}[", c.key)) || f.starts_with(&format!("{}.", c.key)))
    });
    RowError {
        row,
        column: at.map(column_letter),
        header: at.map(|i| cols[i].column.header.to_owned()),
        code: e.code().as_str().to_owned(),
        reason: e.message(),
    }
}

/// Data rows by spreadsheet row number, and the rows refused before any rule ran.
pub type ReadRows = (Vec<(usize, Cells)>, Vec<RowError>);

/// Reads the sheet into rows of cells by key: the header row must name every column of the
/// template (in any order) and nothing else; empty rows are skipped; every required cell
/// that is empty is reported at once.
pub fn read_rows(kind: ImportKind, sheet: &[Vec<String>]) -> Result<ReadRows, DomainError> {
    let cols = kind.columns();
    let header = sheet.first().ok_or_else(|| DomainError::invalid("file", "文件中没有表头行"))?;
    let mut index = Vec::with_capacity(cols.len());
    for c in &cols {
        let i = header.iter().position(|h| h.trim().trim_start_matches('*') == c.column.header).ok_or_else(|| {
            DomainError::invalid("file", format!("缺少列“{}”，请使用下载的{}导入模板", c.column.header, kind.label()))
        })?;
        index.push(i);
    }
    if let Some(extra) = header.iter().enumerate().find(|(i, h)| !h.trim().is_empty() && !index.contains(i)) {
        return Err(DomainError::invalid("file", format!("未知列“{}”，请使用下载的{}导入模板", extra.1, kind.label())));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (r, cells) in sheet.iter().enumerate().skip(1) {
        let row = r + 1;
        let get = |i: usize| cells.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
        if index.iter().all(|&i| get(i).is_empty()) {
            continue;
        }
        let mut missing = false;
        let mut map = Cells::new();
        for (c, &i) in cols.iter().zip(&index) {
            let v = get(i);
            if c.column.required && v.is_empty() {
                missing = true;
                let pos = cols.iter().position(|x| x.key == c.key).unwrap_or(0);
                errors.push(RowError {
                    row,
                    column: Some(column_letter(pos)),
                    header: Some(c.column.header.into()),
                    code: ErrorCode::FieldRequired.as_str().into(),
                    reason: ErrorCode::FieldRequired.render(&[&c.column.header]),
                });
            }
            map.insert(c.key.to_owned(), v);
        }
        if !missing {
            rows.push((row, map));
        }
    }
    Ok((rows, errors))
}

fn cell<'a>(c: &'a Cells, k: &str) -> &'a str {
    c.get(k).map_or("", String::as_str)
}

fn list_cell(v: &str) -> Vec<String> {
    v.split(['、', ',', '，', ';', '；', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn fees_cell(v: &str) -> Result<Vec<committees::FeeInput>, DomainError> {
    list_cell(&v.replace(['、', ','], "；"))
        .into_iter()
        .map(|pair| {
            let (item, amount) = pair
                .split_once([':', '：'])
                .ok_or_else(|| DomainError::invalid("fees", "缴费标准格式应为“项目:金额”，多个以“；”分隔"))?;
            Ok(committees::FeeInput {
                item: item.trim().to_owned(),
                amount: committees::Amount::Text(amount.trim().to_owned()),
            })
        })
        .collect()
}

fn opt(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_owned())
}

/// Applies one row through the kind's `create_in`; returns the created object's id.
/// The cells that hold ID numbers: staged as tokens (issue 10, crate::pii).
const ID_CELLS: [&str; 2] = ["citizen_id", "operator.citizen_id"];

fn apply(ctx: &OpCtx<'_>, db: &dyn Db, kind: ImportKind, c: &Cells) -> Result<String, DomainError> {
    // A staged row's numbers are tokens: opened for the commit's checks, in memory only.
    let mut opened = c.clone();
    for k in ID_CELLS {
        if let Some(v) = opened.get_mut(k).filter(|v| crate::pii::is_token(v)) {
            *v = crate::pii::reveal(db, v)?.as_str().to_owned();
        }
    }
    let c = &opened;
    let s = |k: &str| cell(c, k).to_owned();
    Ok(match kind {
        ImportKind::Organisations => {
            let input = organisations::OrganisationInput {
                id: s("id"),
                kind: s("kind"),
                name: s("name"),
                credit_code: s("credit_code"),
                region_code: s("region_code"),
                public_institution: s("public_institution"),
                self_review: s("self_review"),
            };
            organisations::create_in(ctx, db, &input)?.id
        }
        ImportKind::Specialties => {
            let input = specialties::SpecialtyInput {
                parent_code: s("parent_code"),
                code: s("code"),
                name: s("name"),
                version: None,
            };
            specialties::create_in(ctx, db, &input)?.id.to_string()
        }
        ImportKind::Titles => {
            let input = titles::TitleInput {
                series: s("series"),
                name: s("name"),
                level: s("level"),
                mohrss_title: s("mohrss_title"),
                mohrss_code: opt(cell(c, "mohrss_code")),
                version: None,
            };
            titles::create_in(ctx, db, &input)?.id.to_string()
        }
        ImportKind::Institutions => {
            let input = institutions::InstitutionInput {
                node_type: s("node_type"),
                org_id: s("org_id"),
                certificate_name: s("certificate_name"),
                level: s("level"),
                method: s("method"),
                notice: s("notice"),
                version: None,
            };
            institutions::create_in(ctx, db, &input)?.id.to_string()
        }
        ImportKind::AuditPaths => {
            let input = audit_paths::EdgeInput {
                lower_org: s("lower_org"),
                upper_org: s("upper_org"),
                level: s("level"),
                method: s("method"),
                step: s("step"),
            };
            audit_paths::create_in(ctx, db, &input)?.id.to_string()
        }
        ImportKind::Committees => {
            let input = committees::CommitteeInput {
                id: s("id"),
                name: s("name"),
                series: s("series"),
                max_level: s("max_level"),
                is_final: cell(c, "is_final").is_empty()
                    || super::parse_yes_no("is_final", "终审机构", cell(c, "is_final"))?,
                valid_until: s("valid_until"),
                organisers: list_cell(cell(c, "organisers")),
                specialties: list_cell(cell(c, "specialties")),
                fees: fees_cell(cell(c, "fees"))?,
                operator: committees::OperatorInput {
                    name: s("operator.name"),
                    citizen_id: s("operator.citizen_id"),
                    phone: s("operator.phone"),
                },
                remarks: s("remarks"),
                version: None,
            };
            committees::create_in(ctx, db, &input)?.committee.id
        }
        ImportKind::Blacklist => {
            let input = blacklist::AddInput {
                citizen_id: Some(s("citizen_id")),
                name: Some(s("name")),
                application_id: None,
                reason: s("reason"),
                recorded_on: opt(cell(c, "recorded_on")),
                expires_on: opt(cell(c, "expires_on")),
            };
            blacklist::add_in(ctx, db, &input)?.id.to_string()
        }
    })
}

/// Applies rows in order, each in its own savepoint; returns the rows that passed and
/// the errors of those that did not.
fn run_rows(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    kind: ImportKind,
    rows: Vec<(usize, Cells)>,
) -> Result<(Vec<StagedRow>, Vec<RowError>), DomainError> {
    let mut passed = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in rows {
        match store::savepoint(db, |db| apply(ctx, db, kind, &cells)) {
            Ok(_) => passed.push(StagedRow { row, cells }),
            Err(e @ (DomainError::Internal(_) | DomainError::Busy)) => return Err(e),
            Err(e) => errors.push(error_at(kind, row, &e)),
        }
    }
    Ok((passed, errors))
}

fn json<T: Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v).map_err(|e| DomainError::Internal(e.to_string()))
}

/// Validates an uploaded workbook (导入): every row is checked against the real data in a
/// rolled-back transaction; the passing rows are staged for [`commit`].
pub fn validate_upload(
    ctx: &OpCtx<'_>,
    kind: ImportKind,
    filename: &str,
    bytes: &[u8],
) -> Result<ImportReport, DomainError> {
    require_province(ctx)?;
    let sheet = excel::read_first_sheet(bytes)?;
    let (rows, mut errors) = read_rows(kind, &sheet)?;
    let total = rows.len() + errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
    if total == 0 {
        return Err(DomainError::invalid("file", "文件中没有数据行"));
    }
    let (passed, row_errors) = store::dry_run(ctx.db, |db| run_rows(ctx, db, kind, rows))?;
    errors.extend(row_errors);
    errors.sort_by_key(|e| e.row);
    let failed = errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
    let mut report = ImportReport {
        id: 0,
        kind: kind.as_str().into(),
        status: "validated".into(),
        total,
        passed: passed.len(),
        failed,
        errors,
    };
    let sha256 = audit::hex(&Sha256::digest(bytes));
    let filename: String = filename.chars().take(200).collect();
    report.id = with_long_tx(ctx.db, |db| {
        let mut passed = passed;
        for r in &mut passed {
            for k in ID_CELLS {
                if let Some(v) = r.cells.get_mut(k).filter(|v| CitizenId::parse(v).is_ok()) {
                    *v = crate::pii::protect_str(db, v)?;
                }
            }
        }
        let id = store::insert_import(
            db,
            kind.as_str(),
            &filename,
            &sha256,
            &json(&passed)?,
            &json(&report)?,
            &ctx.who.sub,
            &stamp(ctx.now),
        )?;
        Ok::<_, DomainError>(id)
    })?;
    Ok(report)
}

/// The report of a staged import (the commit's once committed).
pub fn report(ctx: &OpCtx<'_>, kind: ImportKind, id: i64) -> Result<ImportReport, DomainError> {
    require_province(ctx)?;
    let r = store::import_by_id(ctx.db, id, kind.as_str())?.ok_or(DomainError::NotFound("导入批次"))?;
    let text = r.commit_report.as_deref().unwrap_or(&r.report);
    let mut rep: ImportReport = serde_json::from_str(text).map_err(|e| DomainError::Internal(e.to_string()))?;
    rep.id = r.id;
    Ok(rep)
}

/// Commits a validated import (提交): the staged rows are applied for real; rows that no
/// longer pass are reported and skipped. A second commit is refused.
pub fn commit(ctx: &OpCtx<'_>, kind: ImportKind, id: i64) -> Result<ImportReport, DomainError> {
    require_province(ctx)?;
    with_long_tx(ctx.db, |db| {
        let r = store::import_by_id(db, id, kind.as_str())?.ok_or(DomainError::NotFound("导入批次"))?;
        if r.status != "validated" {
            return Err(DomainError::conflict(ErrorCode::ImportAlreadyCommitted, &[]));
        }
        let staged: Vec<StagedRow> = serde_json::from_str(&r.rows).map_err(|e| DomainError::Internal(e.to_string()))?;
        let validated: ImportReport =
            serde_json::from_str(&r.report).map_err(|e| DomainError::Internal(e.to_string()))?;
        let (written, errors) = run_rows(ctx, db, kind, staged.into_iter().map(|s| (s.row, s.cells)).collect())?;
        let report = ImportReport {
            id,
            kind: kind.as_str().into(),
            status: "committed".into(),
            total: validated.total,
            passed: written.len(),
            failed: validated.total - written.len(),
            errors,
        };
        let now = stamp(ctx.now);
        if !store::mark_import_committed(db, id, &json(&report)?, &now)? {
            return Err(DomainError::conflict(ErrorCode::ImportAlreadyCommitted, &[]));
        }
        audit::record(
            db,
            &AuditEvent {
                subject_kind: "admin_import".into(),
                subject_id: id.to_string(),
                actor: ctx.who.sub.clone(),
                role: ctx.who.role.as_str().into(),
                org: ctx.who.org.clone(),
                action: "commit_import".into(),
                from_state: Some("validated".into()),
                to_state: Some("committed".into()),
                opinion: None,
                detail: Some(serde_json::json!({
                    "kind": kind.as_str(), "sha256": r.sha256, "written": report.passed, "failed": report.failed
                })),
                at: now,
            },
        )?;
        Ok(report)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|s| (*s).to_owned()).collect()).collect()
    }

    #[test]
    fn every_kind_has_a_template_whose_example_fills_every_column() {
        for k in ImportKind::ALL {
            assert_eq!(k.columns().len(), k.example().len(), "{k:?}");
            assert_eq!(ImportKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn headers_may_come_in_any_order_and_empty_rows_are_skipped() {
        let s = sheet(&[
            &["专业名称", "专业代码", "上级专业代码"],
            &["力学", "0801", "08"],
            &["", "", ""],
            &["机械工程", "0802", "08"],
        ]);
        let (rows, errors) = read_rows(ImportKind::Specialties, &s).unwrap();
        assert!(errors.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].0, rows[1].1["code"].as_str()), (4, "0802"));
    }

    #[test]
    fn every_empty_required_cell_of_a_row_is_reported_with_its_column() {
        let s = sheet(&[&["上级专业代码", "专业代码", "专业名称"], &["08", "", ""]]);
        let (rows, errors) = read_rows(ImportKind::Specialties, &s).unwrap();
        assert!(rows.is_empty());
        let cols: Vec<_> = errors.iter().map(|e| (e.row, e.column.clone().unwrap())).collect();
        assert_eq!(cols, vec![(2, "B".to_owned()), (2, "C".to_owned())]);
    }

    #[test]
    fn a_missing_or_unknown_header_refuses_the_whole_file() {
        let e = read_rows(ImportKind::Specialties, &sheet(&[&["专业代码", "专业名称"]])).unwrap_err();
        assert!(e.message().contains("上级专业代码"));
        let e = read_rows(ImportKind::Specialties, &sheet(&[&["上级专业代码", "专业代码", "专业名称", "备注"]]))
            .unwrap_err();
        assert!(e.message().contains("备注"));
    }

    #[test]
    fn a_rule_error_is_placed_in_the_column_of_its_field() {
        let e = DomainError::invalid("operator.citizen_id", "联系人身份证号码校验位错误");
        let r = error_at(ImportKind::Committees, 7, &e);
        assert_eq!((r.row, r.column.as_deref(), r.header.as_deref()), (7, Some("K"), Some("联系人身份证号")));
        let r = error_at(ImportKind::Committees, 7, &DomainError::invalid("organisers[1]", "x"));
        assert_eq!(r.header.as_deref(), Some("组建单位"));
    }

    #[test]
    fn fee_cells_read_item_and_amount_pairs() {
        let f = fees_cell("评审费:300；面试答辩费：100.5").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].item, "面试答辩费");
        assert!(fees_cell("评审费300").is_err());
        assert!(fees_cell("").unwrap().is_empty());
    }
}

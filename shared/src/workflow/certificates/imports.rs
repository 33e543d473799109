//! Excel import (§1.29 4–6).

#[allow(unused_imports)]
use super::*;

/// The import template (下载excel模板).
pub fn import_template(ctx: &OpCtx<'_>) -> Result<Vec<u8>, DomainError> {
    ctx.require_role(Role::Province)?;
    let cols: Vec<_> = imp::columns().into_iter().map(|c| c.column).collect();
    excel::write_template(
        "职称证书",
        &cols,
        Some(&[
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
        ]),
    )
}

/// The result of validating (or committing) an import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub status: String,
    pub filename: String,
    /// Data rows read.
    pub total: usize,
    /// Rows that passed (validation) or were written (commit).
    pub passed: usize,
    /// Rows that failed.
    pub failed: usize,
    /// Every failure: row, column, reason.
    pub errors: Vec<RowError>,
    /// Certificates created by the commit.
    #[serde(default)]
    pub certificates: Vec<String>,
}

/// Checks a parsed row against the store: the series, a known specialty, an active issuing
/// unit, and no valid certificate already held for the same series and level.
pub(super) fn check_row_in_store(db: &dyn Db, ctx: &OpCtx<'_>, r: &ImportRow) -> Result<Vec<RowError>, DomainError> {
    let mut errs = Vec::new();
    if store::series_position(db, &r.series)?.is_none() {
        errs.push(imp::error_at(r.row, "series", format!("系列“{}”不在职称系列中", r.series)));
    }
    // An unknown specialty is not a title anyone was evaluated for: refuse the row.
    if !r.specialty.is_empty() && !store::specialty_known(db, &r.specialty)? {
        errs.push(imp::error_at(
            r.row,
            "specialty",
            format!("专业“{}”不在专业库中，也不属于任何评委会的评审专业", r.specialty),
        ));
    }
    if issuer_for(db, ctx, r.issuer_code.as_deref()).is_err() {
        errs.push(imp::error_at(r.row, "issuer_code", "发证单位编码不存在或已注销（不填则为本单位的编码）"));
    }
    if store::holds_valid(db, &crate::pii::search_token(&r.citizen_id)?, &r.series, &r.level)? {
        errs.push(imp::error_at(r.row, "citizen_id", "此人已持有该系列、层级的有效证书"));
    }
    Ok(errs)
}

/// Validates an uploaded workbook row by row (nothing is written but the report): how
/// many rows pass, how many fail and why (row, column, reason).
pub fn validate_import(ctx: &OpCtx<'_>, filename: &str, bytes: &[u8]) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    let rows = excel::read_first_sheet(bytes)?;
    let Some(header) = rows.first() else {
        return Err(DomainError::invalid("file", "文件为空"));
    };
    imp::check_header(header).map_err(|m| DomainError::invalid("file", m))?;
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let data: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect();
    for (n, cells) in &data {
        match imp::parse_row(*n, cells) {
            Err(mut e) => errors.append(&mut e),
            Ok(r) => {
                let mut e = check_row_in_store(ctx.db, ctx, &r)?;
                if !seen.insert((r.citizen_id.clone(), r.series.clone(), r.level.clone())) {
                    e.push(imp::error_at(r.row, "citizen_id", "与本文件前面的行重复（同一人、同一系列和层级）"));
                }
                if e.is_empty() {
                    good.push(r);
                } else {
                    errors.append(&mut e);
                }
            }
        }
    }
    let failed_rows = data.len() - good.len();
    let sha = crate::audit::hex(&Sha256::digest(bytes));
    with_long_tx(ctx.db, |db| {
        let mut report = ImportReport {
            id: 0,
            status: "validated".into(),
            filename: filename.to_owned(),
            total: data.len(),
            passed: good.len(),
            failed: failed_rows,
            errors: errors.clone(),
            certificates: Vec::new(),
        };
        // Issue 10: the staged rows keep the numbers' tokens, not the numbers.
        let mut staged = good.clone();
        for r in &mut staged {
            r.citizen_id = crate::pii::protect_str(db, &r.citizen_id)?;
        }
        let rows_json = serde_json::to_string(&staged).map_err(internal)?;
        let report_json = serde_json::to_string(&report).map_err(internal)?;
        report.id = store::insert_import(db, filename, &sha, &rows_json, &report_json, &ctx.who.sub, &stamp(ctx.now))?;
        let mut e = ctx.event("certificate_import", report.id, "validate_certificate_import");
        e.detail = Some(
            serde_json::json!({ "total": report.total, "passed": report.passed, "failed": report.failed, "sha256": sha }),
        );
        audit::record(db, &e)?;
        Ok(report)
    })
}

/// The report of an import (its commit report once committed).
pub fn get_import(ctx: &OpCtx<'_>, id: i64) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    let i = store::import(ctx.db, id)?.ok_or(DomainError::NotFound("导入"))?;
    let json = i.commit_report.as_deref().unwrap_or(&i.report);
    let mut r: ImportReport = serde_json::from_str(json).map_err(internal)?;
    r.id = i.id;
    r.status = i.status;
    Ok(r)
}

/// Commits a validated import (提交): the rows that passed are checked again and each one
/// still valid becomes a sealed certificate (with its MOHRSS report queued); rows that no
/// longer pass are reported, not written. One transaction.
pub fn commit_import(ctx: &OpCtx<'_>, key: &SealKey, id: i64) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    with_long_tx(ctx.db, |db| {
        let i = store::import(db, id)?.ok_or(DomainError::NotFound("导入"))?;
        if i.status != "validated" {
            return Err(DomainError::conflict(ErrorCode::ImportCommitted, &[]));
        }
        let rows: Vec<ImportRow> = serde_json::from_str(&i.rows).map_err(internal)?;
        let fmt = load_format(db)?;
        let mut report = ImportReport {
            id,
            status: "committed".into(),
            filename: i.filename.clone(),
            total: rows.len(),
            passed: 0,
            failed: 0,
            errors: Vec::new(),
            certificates: Vec::new(),
        };
        let mut lookups = Lookups::default();
        for r in &rows {
            let mut errs = check_row_in_store(db, ctx, r)?;
            if !errs.is_empty() {
                report.failed += 1;
                report.errors.append(&mut errs);
                continue;
            }
            let issuer = issuer_for(db, ctx, r.issuer_code.as_deref())?;
            let citizen_id = crate::pii::reveal(db, &r.citizen_id)?;
            let d = Draft {
                application: None,
                holder_sub: None,
                citizen_id,
                citizen_token: crate::pii::is_token(&r.citizen_id).then(|| r.citizen_id.clone()),
                name: r.name.clone(),
                unit_org: String::new(),
                unit_name: r.unit.clone(),
                series: r.series.clone(),
                level: r.level.clone(),
                specialty: r.specialty.clone(),
                title: r.title.clone(),
                committee: String::new(),
                committee_name: r.committee.clone(),
                approval_doc_no: r.approval_doc_no.clone(),
                obtained_on: r.obtained_on,
                method: "review".into(),
            };
            let cid = seal_and_store(ctx, db, key, &fmt, &issuer, &d, ("import", None, Some(id)), &mut lookups)?;
            let c = store::certificate(db, cid)?.ok_or(DomainError::NotFound(CERTIFICATE))?;
            report.certificates.push(c.certificate_no);
            report.passed += 1;
        }
        let json = serde_json::to_string(&report).map_err(internal)?;
        if !store::commit_import(db, id, i.version, &json, &stamp(ctx.now))? {
            return Err(stale());
        }
        let mut e = ctx.event("certificate_import", id, "commit_certificate_import");
        e.detail = Some(serde_json::json!({ "written": report.passed, "failed": report.failed }));
        audit::record(db, &e)?;
        Ok(report)
    })
}

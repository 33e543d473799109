//! Number format and pools (§1.16).

#[allow(unused_imports)]
use super::*;

/// The format in force and its version (0: the default, never saved).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormatView {
    pub format: NumberFormat,
    pub version: i64,
}

pub(super) fn load_format(db: &dyn Db) -> Result<NumberFormat, DomainError> {
    match store::number_format(db)? {
        Some((json, _)) => serde_json::from_str(&json).map_err(|e| internal(format!("stored number format: {e}"))),
        None => Ok(NumberFormat::default()),
    }
}

/// The number format in force.
pub fn number_format(ctx: &OpCtx<'_>) -> Result<FormatView, DomainError> {
    ctx.require_role(Role::Province)?;
    let version = store::number_format(ctx.db)?.map_or(0, |(_, v)| v);
    Ok(FormatView { format: load_format(ctx.db)?, version })
}

/// Saves the number format (compare-and-set on `version`; 0 for the first save).
pub fn save_number_format(ctx: &OpCtx<'_>, req: FormatView) -> Result<FormatView, DomainError> {
    ctx.require_role(Role::Province)?;
    req.format.validate().map_err(|e| DomainError::invalid("format", e.to_string()))?;
    with_tx(ctx.db, |db| {
        let json = serde_json::to_string(&req.format).map_err(internal)?;
        let v = store::save_number_format(db, &json, req.version, &ctx.who.sub, &stamp(ctx.now))?.ok_or_else(stale)?;
        let mut e = ctx.event("certificate_number_format", 1, "save_number_format");
        e.detail = Some(serde_json::to_value(&req.format).map_err(internal)?);
        audit::record(db, &e)?;
        Ok(FormatView { format: req.format.clone(), version: v })
    })
}

pub(super) fn series_code(db: &dyn Db, fmt: &NumberFormat, series: &str) -> Result<String, DomainError> {
    if let Some(c) = fmt.series_codes.get(series) {
        return Ok(c.clone());
    }
    match store::series_position(db, series)? {
        Some(p) => Ok(format!("{p:02}")),
        None => Err(DomainError::conflict(ErrorCode::SeriesCodeMissing, &[&series])),
    }
}

pub(super) fn number_error(e: crate::certificates::numbering::NumberError) -> DomainError {
    DomainError::conflict(ErrorCode::CertificateNumber, &[&e])
}

/// Takes the next number of the scope of `parts`, growing the scope's pool when it is
/// used up. Inside the caller's transaction: the pointer only moves forward, and a number
/// already on a certificate (valid or revoked) is skipped, so none is issued twice.
pub fn allocate_number(
    db: &dyn Db,
    fmt: &NumberFormat,
    parts: &NumberParts,
    by: &str,
    now: &str,
) -> Result<String, DomainError> {
    let scope = fmt.scope(parts).map_err(number_error)?;
    loop {
        match store::take_serial(db, &scope)? {
            Some(serial) => {
                let no = fmt.render(parts, serial).map_err(number_error)?;
                if !store::number_taken(db, &no)? {
                    return Ok(no);
                }
            }
            None => {
                let ranges: Vec<PoolRange> = store::pools_of_scope(db, &scope)?
                    .into_iter()
                    .map(|p| PoolRange { start: p.start_serial, end: p.end_serial, next: p.next_serial })
                    .collect();
                let (start, end) = next_range(&ranges, fmt, &scope).map_err(number_error)?;
                store::insert_pool(db, &scope, start, end, "auto", by, now)?;
            }
        }
    }
}

/// Body of "add pool" (批量生成证号): the number's parts and a range of serials.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPool {
    pub level: TitleLevel,
    pub series: String,
    pub year: i32,
    pub issuer_code: String,
    pub start: i64,
    pub end: i64,
}

/// Adds a range of serials to a scope by hand; it may not overlap one there.
pub fn add_pool(ctx: &OpCtx<'_>, req: NewPool) -> Result<Pool, DomainError> {
    ctx.require_role(Role::Province)?;
    with_tx(ctx.db, |db| {
        if store::active_issuing_unit(db, Some(req.issuer_code.trim()), None)?.is_none() {
            return Err(DomainError::invalid("issuer_code", "发证单位编码不存在或已注销"));
        }
        let fmt = load_format(db)?;
        let parts = NumberParts {
            level: crate::store::chain::level_name(req.level).to_owned(),
            series_code: series_code(db, &fmt, req.series.trim())?,
            year: req.year,
            issuing_code: req.issuer_code.trim().to_owned(),
            method: "review".into(),
        };
        let scope = fmt.scope(&parts).map_err(number_error)?;
        let ranges: Vec<PoolRange> = store::pools_of_scope(db, &scope)?
            .into_iter()
            .map(|p| PoolRange { start: p.start_serial, end: p.end_serial, next: p.next_serial })
            .collect();
        check_new_range(&ranges, &fmt, req.start, req.end).map_err(|m| DomainError::invalid("start", m))?;
        let now = stamp(ctx.now);
        let id = store::insert_pool(db, &scope, req.start, req.end, "manual", &ctx.who.sub, &now)?;
        let mut e = ctx.event("certificate_number_pool", id, "add_pool");
        e.detail = Some(serde_json::json!({ "scope": scope, "start": req.start, "end": req.end }));
        audit::record(db, &e)?;
        store::pools_of_scope(db, &scope)?.into_iter().find(|p| p.id == id).ok_or(DomainError::NotFound("编号库"))
    })
}

/// Pools (of one scope, or all), latest first.
pub fn list_pools(ctx: &OpCtx<'_>, scope: Option<&str>, page: PageRequest) -> Result<Page<Pool>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_pools(ctx.db, scope, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

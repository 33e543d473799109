//! Issuing units (§1.9).

#[allow(unused_imports)]
use super::*;

/// Body of "add issuing unit".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIssuingUnit {
    /// The organisation.
    pub org_id: String,
    /// The code; default: the last 4 digits of the organisation's region code.
    #[serde(default)]
    pub code: Option<String>,
    /// The name printed as issuer; default: the organisation's name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Adds an issuing-unit code (发证单位编码): 4 digits, normally the last 4 of the
/// organisation's region code ("一般为机构所属统筹区后4位"); one active code per
/// organisation and per code.
pub fn add_issuing_unit(ctx: &OpCtx<'_>, req: NewIssuingUnit) -> Result<IssuingUnit, DomainError> {
    ctx.require_role(Role::Province)?;
    with_tx(ctx.db, |db| {
        let (org_name, region, status) =
            store::organisation(db, req.org_id.trim())?.ok_or_else(|| DomainError::invalid("org_id", "机构不存在"))?;
        if status != "active" {
            return Err(DomainError::invalid("org_id", "机构未启用"));
        }
        let code = match req.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => c.to_owned(),
            None => region.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect(),
        };
        if code.len() != 4 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::invalid("code", "发证单位编码须为4位数字"));
        }
        if store::active_issuing_unit(db, Some(&code), None)?.is_some() {
            return Err(DomainError::conflict(ErrorCode::IssuingCodeTaken, &[&code]));
        }
        if store::active_issuing_unit(db, None, Some(req.org_id.trim()))?.is_some() {
            return Err(DomainError::conflict(ErrorCode::IssuingUnitExists, &[]));
        }
        let name = req.name.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&org_name).to_owned();
        let now = stamp(ctx.now);
        let id = store::insert_issuing_unit(db, &code, req.org_id.trim(), &name, &ctx.who.sub, &now)?;
        let mut e = ctx.event("issuing_unit", id, "add_issuing_unit");
        e.detail = Some(serde_json::json!({ "code": code, "org_id": req.org_id.trim(), "name": name }));
        audit::record(db, &e)?;
        store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))
    })
}

/// Body of "cancel" (注销).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// 注销原因
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Cancels an issuing-unit code with a reason (certificates already issued keep it).
pub fn cancel_issuing_unit(ctx: &OpCtx<'_>, id: i64, req: Cancel) -> Result<IssuingUnit, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写注销原因"));
    }
    with_tx(ctx.db, |db| {
        let u = store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))?;
        if u.status != "active" {
            return Err(DomainError::conflict(ErrorCode::IssuingUnitCancelled, &[]));
        }
        let version = req.version.unwrap_or(u.version);
        if !store::cancel_issuing_unit(db, id, version, req.reason.trim(), &stamp(ctx.now))? {
            return Err(stale());
        }
        let mut e = ctx.event("issuing_unit", id, "cancel_issuing_unit");
        e.opinion = Some(req.reason.trim().to_owned());
        audit::record(db, &e)?;
        store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))
    })
}

/// Issuing units (by status), by code.
pub fn list_issuing_units(
    ctx: &OpCtx<'_>,
    status: Option<&str>,
    page: PageRequest,
) -> Result<Page<IssuingUnit>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_issuing_units(ctx.db, status, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// Every issuing unit (by status) as a sheet (导出查询结果).
pub fn export_issuing_units(ctx: &OpCtx<'_>, status: Option<&str>) -> Result<Sheet, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, _) = store::list_issuing_units(ctx.db, status, i64::MAX, 0)?;
    let mut s =
        Sheet::new("发证单位编码", &["发证单位编码", "机构编号", "发证单位名称", "状态", "注销原因", "创建时间"]);
    for u in items {
        s.rows.push(vec![
            u.code,
            u.org_id,
            u.name,
            if u.status == "active" { "有效" } else { "已注销" }.into(),
            u.cancel_reason.unwrap_or_default(),
            u.created_at,
        ]);
    }
    Ok(s)
}

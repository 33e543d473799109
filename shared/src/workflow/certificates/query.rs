//! Query and download (§1.20, 六(三)).

#[allow(unused_imports)]
use super::*;

/// A certificate in a list; the ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateSummary {
    pub id: i64,
    pub certificate_no: String,
    pub name: String,
    pub citizen_id: String,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub committee: String,
    pub approval_doc_no: String,
    pub issuer_code: String,
    pub issued_on: String,
    pub status: String,
    pub source: String,
    pub application_id: Option<i64>,
    pub revocation_reason: Option<String>,
    pub revoked_at: Option<String>,
    pub version: i64,
}

pub(super) fn summary(c: &CertificateRecord) -> CertificateSummary {
    CertificateSummary {
        id: c.id,
        certificate_no: c.certificate_no.clone(),
        name: c.name.clone(),
        citizen_id: mask_str(&c.citizen_id),
        series: c.series.clone(),
        level: c.level.clone(),
        specialty: c.specialty.clone(),
        committee: c.committee.clone(),
        approval_doc_no: c.approval_doc_no.clone(),
        issuer_code: c.issuer_code.clone(),
        issued_on: c.issued_on.clone(),
        status: c.status.clone(),
        source: c.source.clone(),
        application_id: c.application_id,
        revocation_reason: c.revocation_reason.clone(),
        revoked_at: c.revoked_at.clone(),
        version: c.version,
    }
}

/// The caller's scope of certificates (§1.20): the province all; an organising unit those
/// of its committees; a unit its staff's; the holder their own; nobody else.
pub(super) fn scope_filter(ctx: &OpCtx<'_>) -> Result<CertificateFilter, DomainError> {
    let mut f = CertificateFilter::default();
    match ctx.who.role {
        Role::Province => {}
        Role::CommitteeOrg => f.committees_of_org = Some(ctx.who.org.clone()),
        Role::Unit => f.unit_org = Some(ctx.who.org.clone()),
        Role::Applicant => f.holder_sub = Some(ctx.who.sub.clone()),
        Role::Dept | Role::Judge => return Err(DomainError::Forbidden),
    }
    Ok(f)
}

/// Filters of a certificate query.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateQuery {
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub citizen_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub doc_no: Option<String>,
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

pub(super) fn filter_of(ctx: &OpCtx<'_>, q: &CertificateQuery) -> Result<CertificateFilter, DomainError> {
    let mut f = scope_filter(ctx)?;
    let t = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    f.certificate_no = t(&q.certificate_no);
    // Issue 10: an ID number is matched by its token (crate::pii).
    f.citizen_id = t(&q.citizen_id).map(|c| crate::pii::search_token(&c)).transpose()?;
    f.name = t(&q.name);
    f.doc_no = t(&q.doc_no);
    f.series = t(&q.series);
    f.level = t(&q.level);
    f.status = t(&q.status);
    Ok(f)
}

/// Certificates the caller may see, matching the query.
pub fn list(ctx: &OpCtx<'_>, q: &CertificateQuery, page: PageRequest) -> Result<Page<CertificateSummary>, DomainError> {
    let f = filter_of(ctx, q)?;
    let (items, total) = store::list_certificates(ctx.db, &f, page.limit(), page.offset())?;
    Ok(Page { items: items.iter().map(summary).collect(), page: page.page, page_size: page.page_size, total })
}

/// Every certificate matching the query as a sheet (province).
pub fn export(ctx: &OpCtx<'_>, q: &CertificateQuery) -> Result<Sheet, DomainError> {
    ctx.require_role(Role::Province)?;
    let f = filter_of(ctx, q)?;
    let (items, _) = store::list_certificates(ctx.db, &f, i64::MAX, 0)?;
    let mut s = Sheet::new(
        "职称证书",
        &[
            "证书编号",
            "姓名",
            "身份证号",
            "系列",
            "层级",
            "专业",
            "审批文号",
            "发证单位编码",
            "发证日期",
            "状态",
            "撤销原因",
        ],
    );
    for c in items {
        s.rows.push(vec![
            c.certificate_no,
            c.name,
            mask_str(&c.citizen_id),
            c.series,
            level_of(&c.level).map_or(c.level.clone(), |l| l.label().to_owned()),
            c.specialty,
            c.approval_doc_no,
            c.issuer_code,
            c.issued_on,
            if c.status == "valid" { "有效" } else { "已撤销" }.into(),
            c.revocation_reason.unwrap_or_default(),
        ]);
    }
    Ok(s)
}

pub(super) fn load_visible(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<CertificateRecord, DomainError> {
    let f = scope_filter(ctx)?;
    let c = store::certificate(db, id)?.ok_or(DomainError::NotFound(CERTIFICATE))?;
    let org_committee = match &f.committees_of_org {
        Some(org) => store::committee(db, &c.committee)?.is_some_and(|k| &k.organising_org == org),
        None => true,
    };
    let visible = f.holder_sub.as_ref().is_none_or(|h| c.holder_sub.as_ref() == Some(h))
        && f.unit_org.as_ref().is_none_or(|u| &c.unit_org == u)
        && org_committee;
    if visible {
        Ok(c)
    } else {
        Err(DomainError::NotFound(CERTIFICATE))
    }
}

/// The sealed document of a stored certificate.
pub fn sealed(c: &CertificateRecord) -> Result<SealedCertificate, DomainError> {
    let certificate: CertificateFace =
        serde_json::from_str(&c.payload).map_err(|e| internal(format!("certificate {} payload: {e}", c.id)))?;
    Ok(SealedCertificate {
        certificate,
        seal: Seal {
            algorithm: seal::ALGORITHM.into(),
            distid: seal::DEFAULT_DISTID.into(),
            key_id: c.seal_key_id.clone(),
            signature: c.signature.clone(),
        },
    })
}

/// A certificate with its sealed document, verification code and report status.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateDetail {
    #[serde(flatten)]
    pub summary: CertificateSummary,
    /// The sealed certificate (verifiable offline with the published key).
    pub document: SealedCertificate,
    /// The exact bytes the seal signs.
    pub canonical: String,
    pub verification_code: String,
    /// Reports to MOHRSS (issue, and revocation if any), with their status.
    pub mohrss: Vec<store::OutboxRecord>,
}

/// One certificate the caller may see.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<CertificateDetail, DomainError> {
    let c = load_visible(ctx, ctx.db, id)?;
    Ok(CertificateDetail {
        summary: summary(&c),
        document: sealed(&c)?,
        canonical: c.payload.clone(),
        verification_code: c.verification_code.clone(),
        mohrss: store::outbox_of_certificate(ctx.db, id)?,
    })
}

/// The certificate as a printable HTML page with its QR code; `base_url` is the public
/// address of this service (the QR code leads to its public verification).
pub fn html(ctx: &OpCtx<'_>, id: i64, base_url: &str) -> Result<String, DomainError> {
    let c = load_visible(ctx, ctx.db, id)?;
    let doc = sealed(&c)?;
    let url = face::verify_url(base_url, &c.certificate_no, &c.verification_code);
    Ok(face::render_html(&doc, &c.verification_code, &url, c.status == "revoked"))
}

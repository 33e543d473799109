//! Sealing.

#[allow(unused_imports)]
use super::*;
use std::collections::HashMap;

/// Everything a certificate records besides its number and seal.
pub(super) struct Draft {
    pub(super) application: Option<(i64, i64, ApplicationState)>,
    pub(super) holder_sub: Option<String>,
    pub(super) citizen_id: CitizenId,
    /// The number's token as the application stores it (crate::pii), when it is one: the
    /// certificate and its outbox record take it as it is instead of sealing the number again.
    pub(super) citizen_token: Option<String>,
    pub(super) name: String,
    pub(super) unit_org: String,
    pub(super) unit_name: String,
    pub(super) series: String,
    pub(super) level: String,
    pub(super) specialty: String,
    pub(super) title: String,
    pub(super) committee: String,
    pub(super) committee_name: String,
    pub(super) approval_doc_no: String,
    pub(super) obtained_on: NaiveDate,
    /// `review`, `initial` or `recognition` (annex 3 §1.4–1.8).
    pub(super) method: String,
}

/// What the certificates of one transaction look up once instead of once each: whether
/// the seal's key is published, series codes, and the names on the face. Lives no longer
/// than the transaction it was filled in (a rolled-back publication is not remembered).
#[derive(Default)]
pub(super) struct Lookups {
    key_published: bool,
    series_codes: HashMap<String, String>,
    units: HashMap<String, String>,
    committees: HashMap<String, String>,
    titles: HashMap<(String, String), Option<String>>,
}

impl Lookups {
    fn series_code(&mut self, db: &dyn Db, fmt: &NumberFormat, series: &str) -> Result<String, DomainError> {
        if let Some(c) = self.series_codes.get(series) {
            return Ok(c.clone());
        }
        let c = series_code(db, fmt, series)?;
        self.series_codes.insert(series.to_owned(), c.clone());
        Ok(c)
    }

    fn unit_name(&mut self, db: &dyn Db, org: &str) -> Result<String, DomainError> {
        if let Some(n) = self.units.get(org) {
            return Ok(n.clone());
        }
        let n = store::organisation(db, org)?.map_or_else(|| org.to_owned(), |o| o.0);
        self.units.insert(org.to_owned(), n.clone());
        Ok(n)
    }

    fn committee_name(&mut self, db: &dyn Db, id: &str) -> Result<String, DomainError> {
        if let Some(n) = self.committees.get(id) {
            return Ok(n.clone());
        }
        let n = store::committee(db, id)?.map_or_else(|| id.to_owned(), |c| c.name);
        self.committees.insert(id.to_owned(), n.clone());
        Ok(n)
    }

    fn title(&mut self, db: &dyn Db, series: &str, level: &str) -> Result<Option<String>, DomainError> {
        let k = (series.to_owned(), level.to_owned());
        if let Some(t) = self.titles.get(&k) {
            return Ok(t.clone());
        }
        let t = store::title_name(db, series, level)?;
        self.titles.insert(k, t.clone());
        Ok(t)
    }
}

/// Numbers, seals and stores a certificate, queues its MOHRSS report and audits it, in
/// the caller's transaction. Returns the certificate's id.
#[allow(clippy::too_many_arguments)]
pub(super) fn seal_and_store(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    key: &SealKey,
    fmt: &NumberFormat,
    issuer: &IssuingUnit,
    d: &Draft,
    origin: (&str, Option<i64>, Option<i64>),
    lookups: &mut Lookups,
) -> Result<i64, DomainError> {
    let no = number_for(ctx, db, fmt, issuer, d, lookups)?;
    let sealed = seal_faces(key, vec![face_of(ctx, issuer, d, no)]);
    let sealed = sealed.first().ok_or_else(|| internal("no seal"))?;
    store_sealed(ctx, db, key, issuer, d, sealed, origin, lookups)
}

/// Takes the next number of the certificate of `d` from its scope's pool (in the caller's
/// transaction).
pub(super) fn number_for(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    fmt: &NumberFormat,
    issuer: &IssuingUnit,
    d: &Draft,
    lookups: &mut Lookups,
) -> Result<String, DomainError> {
    let parts = NumberParts {
        level: d.level.clone(),
        series_code: lookups.series_code(db, fmt, &d.series)?,
        year: d.obtained_on.year(),
        issuing_code: issuer.code.clone(),
        method: d.method.clone(),
    };
    allocate_number(db, fmt, &parts, &ctx.who.sub, &stamp(ctx.now))
}

/// A certificate's face with its number, signed: what [`store_sealed`] writes.
pub(super) struct Sealed {
    face: CertificateFace,
    payload: String,
    signature: String,
}

/// Seals `faces` together ([`SealKey::sign_many`]: one field inversion for all). No I/O: a
/// job's runners seal outside any transaction, side by side (issue 14).
pub(super) fn seal_faces(key: &SealKey, faces: Vec<CertificateFace>) -> Vec<Sealed> {
    let payloads: Vec<String> = faces.iter().map(CertificateFace::canonical).collect();
    let messages: Vec<&[u8]> = payloads.iter().map(|p| p.as_bytes()).collect();
    let signatures = key.sign_many(&messages);
    faces
        .into_iter()
        .zip(payloads)
        .zip(signatures)
        .map(|((face, payload), signature)| Sealed { face, payload, signature })
        .collect()
}

/// The face of the certificate of `d` with number `no`.
pub(super) fn face_of(ctx: &OpCtx<'_>, issuer: &IssuingUnit, d: &Draft, no: String) -> CertificateFace {
    let level_label = level_of(&d.level).map_or("", |l| l.label());
    CertificateFace {
        schema: FACE_SCHEMA.into(),
        certificate_no: no,
        name: d.name.clone(),
        gender: d.citizen_id.gender().into(),
        citizen_id: d.citizen_id.mask(),
        unit: d.unit_name.clone(),
        series: d.series.clone(),
        specialty: d.specialty.clone(),
        title: d.title.clone(),
        level: level_label.into(),
        committee: d.committee_name.clone(),
        approval_doc_no: d.approval_doc_no.clone(),
        obtained_on: d.obtained_on.to_string(),
        issuer: issuer.name.clone(),
        issuer_code: issuer.code.clone(),
        issued_on: shanghai_today(ctx.now).to_string(),
        method: match d.method.as_str() {
            "initial" => Some("初定".to_owned()),
            "recognition" => Some("认定".to_owned()),
            _ => None,
        },
    }
}

impl Sealed {
    pub(super) fn certificate_no(&self) -> &str {
        &self.face.certificate_no
    }
}

/// Stores a sealed certificate, queues its MOHRSS report, moves its application to
/// `certified` and audits it, in the caller's transaction. Returns the certificate's id.
#[allow(clippy::too_many_arguments)]
pub(super) fn store_sealed(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    key: &SealKey,
    issuer: &IssuingUnit,
    d: &Draft,
    sealed: &Sealed,
    origin: (&str, Option<i64>, Option<i64>),
    lookups: &mut Lookups,
) -> Result<i64, DomainError> {
    let now = stamp(ctx.now);
    let (f, payload, signature) = (sealed.face.clone(), sealed.payload.clone(), sealed.signature.clone());
    let no = f.certificate_no.clone();
    let code = seal::verification_code(&signature);
    if !lookups.key_published {
        store::publish_key(db, key.key_id(), seal::ALGORITHM, seal::DEFAULT_DISTID, key.public_key_hex(), &now)?;
        lookups.key_published = true;
    }
    let (source, job_id, import_id) = origin;
    // Issue 10: the record and the outbox hold the number's token; the registry report
    // reveals it when it is sent (crate::pii).
    let token = match &d.citizen_token {
        Some(t) => t.clone(),
        None => crate::pii::protect(db, &d.citizen_id)?,
    };
    let id = store::insert_certificate(
        db,
        &CertificateRecord {
            id: 0,
            certificate_no: no.clone(),
            application_id: d.application.map(|a| a.0),
            source: source.into(),
            holder_sub: d.holder_sub.clone(),
            citizen_id: token.clone(),
            name: d.name.clone(),
            series: d.series.clone(),
            level: d.level.clone(),
            specialty: d.specialty.clone(),
            committee: d.committee.clone(),
            unit_org: d.unit_org.clone(),
            approval_doc_no: d.approval_doc_no.clone(),
            issuer_code: issuer.code.clone(),
            issued_on: f.issued_on.clone(),
            payload,
            seal_key_id: key.key_id().into(),
            signature: signature.clone(),
            verification_code: code,
            status: "valid".into(),
            revoked_at: None,
            revoked_by: None,
            revocation_reason: None,
            revocation_fraud: false,
            job_id,
            import_id,
            created_by: ctx.who.sub.clone(),
            created_at: now.clone(),
            version: 1,
        },
    )?;
    let doc = SealedCertificate {
        certificate: f,
        seal: Seal {
            algorithm: seal::ALGORITHM.into(),
            distid: seal::DEFAULT_DISTID.into(),
            key_id: key.key_id().into(),
            signature,
        },
    };
    let rk = record_key("issue", &no);
    let record = RegistryRecord {
        record_key: rk.clone(),
        kind: "issue".into(),
        certificate_no: no.clone(),
        body: serde_json::json!({ "certificate": doc.certificate, "seal": doc.seal, "citizen_id": token }),
    };
    store::enqueue(db, "issue", id, &rk, &serde_json::to_string(&record).map_err(internal)?, &now)?;
    if let Some((app_id, version, state)) = d.application {
        let mut e = ctx.by();
        e.detail = Some(serde_json::json!({ "certificate_id": id, "certificate_no": no }));
        transition::apply(
            db,
            transition::Current { id: app_id, version, state },
            Action::IssueCertificate,
            // The province, or a city or county bureau issuing under its own code (§1.17).
            Actor::Role(if ctx.who.role == Role::Dept { Role::Dept } else { Role::Province }),
            ApplicationState::Certified,
            &Changes::default(),
            e,
        )?;
    }
    let mut e = ctx.event("certificate", id, Action::IssueCertificate.as_str());
    e.detail = Some(serde_json::json!({
        "certificate_no": no, "source": source, "application_id": d.application.map(|a| a.0),
        "job_id": job_id, "import_id": import_id, "seal_key_id": key.key_id(),
    }));
    audit::record(db, &e)?;
    Ok(id)
}

/// The draft of the certificate of a filed application.
pub(super) fn draft_of(db: &dyn Db, r: &ApplicationRecord, lookups: &mut Lookups) -> Result<Draft, DomainError> {
    // A title by review carries its filing (备案文号); a 初定 or 认定 its approval (核准文号)
    // and the acceptance institution's certificate name (annex 3 §1.3–1.5).
    let (doc_no, filed_on, committee_name) = if r.method == "review" {
        let filing =
            store::approved_filing_of(db, r.id)?.ok_or_else(|| DomainError::conflict(ErrorCode::NotFiled, &[&r.id]))?;
        (filing.doc_no.unwrap_or_default(), filing.filed_on, lookups.committee_name(db, &r.committee)?)
    } else {
        let a = crate::store::chain::title_approval_of(db, r.id)?
            .ok_or_else(|| DomainError::conflict(ErrorCode::NotFiled, &[&r.id]))?;
        let name = crate::store::chain::institution_certificate_name(db, a.institution_id)?.unwrap_or_default();
        (a.doc_no, Some(a.approved_on), name)
    };
    // The face shows the gender and the masked number: the one place the number is opened.
    let stored = r.citizen_id.as_deref().ok_or_else(|| internal(format!("application {} has no ID number", r.id)))?;
    let citizen_id = crate::pii::reveal(db, stored)?;
    let level = level_of(&r.target_level).ok_or_else(|| internal(format!("application {} level", r.id)))?;
    let unit_name = lookups.unit_name(db, &r.unit_org)?;
    // The face and the registry record carry the title of the title tree (e.g. 副主任医师),
    // never a name made up of series and level: generation waits until the title exists.
    let title = lookups
        .title(db, &r.series, &r.target_level)?
        .ok_or_else(|| DomainError::conflict(ErrorCode::TitleNotInTree, &[&r.series, &level.label()]))?;
    // 八(二): a title of directed evaluation is marked on the face and the record.
    // Only the flag is read from the stored form (not the whole form: issue 14, a job
    // drafts thousands).
    #[derive(Deserialize)]
    struct Directed {
        #[serde(default)]
        directed_evaluation: bool,
    }
    let directed = serde_json::from_str::<Directed>(&r.form).is_ok_and(|f| f.directed_evaluation);
    let title = if directed { format!("{title}（定向评价、定向使用）") } else { title };
    let obtained = r.voted_on.as_deref().or(filed_on.as_deref()).unwrap_or_default();
    let obtained_on = NaiveDate::parse_from_str(obtained, "%Y-%m-%d")
        .map_err(|_| internal(format!("application {} has no vote date", r.id)))?;
    Ok(Draft {
        application: Some((r.id, r.version, r.state)),
        holder_sub: Some(r.applicant_id.clone()),
        citizen_id,
        citizen_token: crate::pii::is_token(stored).then(|| stored.to_owned()),
        name: r.applicant_name.clone(),
        unit_org: r.unit_org.clone(),
        unit_name,
        series: r.series.clone(),
        level: r.target_level.clone(),
        specialty: r.specialty.clone(),
        title,
        committee: r.committee.clone(),
        committee_name,
        approval_doc_no: doc_no,
        obtained_on,
        method: r.method.clone(),
    })
}

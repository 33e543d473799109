//! Experts.

#[allow(unused_imports)]
use super::*;

/// Body of "add expert".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExpert {
    pub id: String,
    pub name: String,
    pub citizen_id: crate::domain::citizen_id::CitizenId,
    pub specialty: String,
    pub org: String,
    pub title: String,
}

/// The keyed index of an ID number (or of its stored token) kept for recusal — the number
/// itself is not stored with the expert (issue 10: HMAC-SHA256, not a plain hash).
pub fn person_hash(citizen_id: &str) -> Result<String, DomainError> {
    crate::pii::index_of_stored(citizen_id)
}

/// The province (or a committee's organising unit) adds an expert to the pool.
pub fn add_expert(ctx: &OpCtx<'_>, req: NewExpert) -> Result<Expert, DomainError> {
    if !matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) {
        return Err(DomainError::Forbidden);
    }
    for (f, v) in
        [("id", &req.id), ("name", &req.name), ("specialty", &req.specialty), ("org", &req.org), ("title", &req.title)]
    {
        if v.trim().is_empty() {
            return Err(DomainError::invalid(f, format!("请填写 {f}")));
        }
    }
    with_tx(ctx.db, |db| {
        let e = Expert {
            id: req.id.trim().to_owned(),
            name: req.name.trim().to_owned(),
            person_hash: crate::pii::index_for(&req.citizen_id)?,
            specialty: req.specialty.trim().to_owned(),
            org: req.org.trim().to_owned(),
            title: req.title.trim().to_owned(),
            status: "active".into(),
        };
        if !estore::insert_expert(db, &e, &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::ExpertExists, &[&e.id]));
        }
        audit::record(db, &ctx.event("expert", &e.id, "add_expert"))?;
        Ok(e)
    })
}

/// Body of "declare relation".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub application_id: i64,
    pub relation: String,
}

/// Records an expert's declared relation with an applicant (回避).
pub fn declare_relation(ctx: &OpCtx<'_>, expert: &str, req: Relation) -> Result<serde_json::Value, DomainError> {
    let own_declaration = ctx.who.role == Role::Judge && ctx.who.sub == expert;
    if !(matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) || own_declaration) {
        return Err(DomainError::Forbidden);
    }
    if req.relation.trim().is_empty() {
        return Err(DomainError::invalid("relation", "请填写关系"));
    }
    with_tx(ctx.db, |db| {
        estore::expert_by_id(db, expert)?.ok_or(DomainError::NotFound("专家"))?;
        astore::load(db, req.application_id)?.ok_or_else(|| DomainError::invalid("application_id", "申报不存在"))?;
        estore::insert_relation(db, expert, req.application_id, req.relation.trim())?;
        let mut ev = ctx.event("expert", expert, "declare_relation");
        ev.detail = Some(serde_json::json!({ "application_id": req.application_id }));
        audit::record(db, &ev)?;
        Ok(serde_json::json!({ "expert_id": expert, "application_id": req.application_id }))
    })
}

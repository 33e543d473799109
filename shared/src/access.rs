//! Who may call an operation and how the caller is tied to its object: the access policy
//! each route declares (`crate::api::Route`), applied by the router before any handler runs.
//!
//! Three steps, in order:
//! 1. **Admission** ([`admit`]): the token's claims are consistent with its role. An
//!    applicant or a judge acts as a person and carries no organisation; a judge's subject
//!    is an expert of the pool. Every organisation role (`unit`, `dept`, `committee_org`,
//!    `province`) carries the id of an active organisation, and only an organisation of kind
//!    `province` acts as the province. Anything else is 401, before any handler runs.
//! 2. **Role** ([`Policy::roles`]): a role the operation does not list is 403.
//! 3. **Scope** ([`Scope`]): the object named in the path must be the caller's (the rule per
//!    scope below). An object outside the caller's scope is a 404 with exactly the body of a
//!    missing id, for reads and writes alike, so answers never reveal what exists.

use crate::auth::{Claims, Role};
use crate::error::DomainError;
use crate::store::access as store;
use crate::store::Db;

/// How the caller is tied to the object that the path's first parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// No object in the path: the role decides, and lists show only the caller's own.
    Caller,
    /// `{id}` is an application the caller may see: the applicant their own; the unit
    /// those of its staff (never drafts); an organisation on the audit path those it holds
    /// now or has acted on by a recorded action of its own; the province any but drafts.
    Application,
    /// `{plan}` is a review plan of the caller's committee office (the province: any).
    OfficePlan,
    /// `{plan}` is a plan for which the caller (an expert) was drawn as a judge.
    DrawnJudge,
    /// `{id}` is a quota declaration the caller's organisation audits (special requests:
    /// the province).
    QuotaAuditor,
    /// `{id}` is an audit-path edge whose upper organisation is the caller's (the
    /// province: any).
    EdgeUpper,
    /// `{id}` is an audit-path edge whose lower organisation is the caller's: the lower
    /// confirms or declines its designation (annex 2 §1.6.2).
    EdgeLower,
    /// `{id}` is a certificate the caller may see: the holder their own, the unit its
    /// staff's, the committee office its committees', the province any.
    Certificate,
    /// `{id}` is a result publicity of the caller's committee office (the province: any).
    OfficePublicity,
    /// `{id}` is a filing request of the caller's committee office (the province: any).
    OfficeFiling,
    /// `{id}` is an application listed in a result publicity of the caller's committee
    /// office (the province: any).
    ResultEntry,
    /// The caller acts through an administrator (管理员) operator record of its own
    /// organisation (valid, as admission checked); anyone else is 403.
    OrgAdministrator,
    /// `{id}` is a unit registration the caller filed.
    OwnRegistration,
    /// `{id}` is a unit registration addressed to the caller's HR office (the province:
    /// any).
    RegistrationReviewer,
    /// `{committee}` (the first path parameter) is a committee the caller's organisation
    /// organises (the province: any): annex 2 §1.4.2, the committee keeps its own batch
    /// information.
    OfficeCommittee,
    /// `{item}` is an inspection item (职称巡查) addressed to the caller's organisation: the
    /// inspected committee office or unit sees and answers its own items only.
    InspectionItem,
}

impl Scope {
    /// The rule in words, as the OpenAPI description shows it.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Caller => "本人/本单位范围（列表只含调用者自己的数据）",
            Scope::Application => "申报人本人；本单位（不含暂存）；审核路径上当前持有或曾经办理过的单位；省人社厅",
            Scope::OfficePlan => "方案所属评委会的组建单位；省人社厅",
            Scope::DrawnJudge => "被抽取为该方案评委的专家",
            Scope::QuotaAuditor => "该职数申报的审核单位（特殊情况申请：初核的上级单位；省人社厅）",
            Scope::EdgeUpper => "该审核路径的上级单位；省人社厅",
            Scope::EdgeLower => "被指定的下级单位",
            Scope::Certificate => "证书持有人；持有人所在单位；评委会组建单位；省人社厅",
            Scope::OfficePublicity => "公示所属评委会的组建单位；省人社厅",
            Scope::OfficeFiling => "备案所属评委会的组建单位；省人社厅",
            Scope::ResultEntry => "列入其评审结果公示的评委会组建单位；省人社厅",
            Scope::OrgAdministrator => "本单位管理员（以管理员操作员身份登录）",
            Scope::OwnRegistration => "注册申请人本人",
            Scope::RegistrationReviewer => "受理该注册的人社部门；省人社厅",
            Scope::OfficeCommittee => "该评委会的组建单位；省人社厅",
            Scope::InspectionItem => "被巡查的评委会组建单位或单位（仅限本单位的巡查事项）",
        }
    }

    /// The wire name of the scope (OpenAPI `x-scope`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Caller => "caller",
            Scope::Application => "application",
            Scope::OfficePlan => "office_plan",
            Scope::DrawnJudge => "drawn_judge",
            Scope::QuotaAuditor => "quota_auditor",
            Scope::EdgeUpper => "edge_upper",
            Scope::EdgeLower => "edge_lower",
            Scope::Certificate => "certificate",
            Scope::OfficePublicity => "office_publicity",
            Scope::OfficeFiling => "office_filing",
            Scope::ResultEntry => "result_entry",
            Scope::OrgAdministrator => "org_administrator",
            Scope::OwnRegistration => "own_registration",
            Scope::RegistrationReviewer => "registration_reviewer",
            Scope::OfficeCommittee => "office_committee",
            Scope::InspectionItem => "inspection_item",
        }
    }

    /// What a refused object is called in the 404 body (the same as a missing one).
    pub fn object(self) -> &'static str {
        match self {
            Scope::Caller | Scope::OrgAdministrator => "对象",
            Scope::Application | Scope::ResultEntry => "申报",
            Scope::OfficePlan | Scope::DrawnJudge => "评审方案",
            Scope::QuotaAuditor => "评审职数申报",
            Scope::EdgeUpper | Scope::EdgeLower => "审核路径",
            Scope::Certificate => "证书",
            Scope::OfficePublicity => "评审结果公示",
            Scope::OfficeFiling => "备案申请",
            Scope::OwnRegistration | Scope::RegistrationReviewer => "注册申请",
            Scope::OfficeCommittee => "评委会",
            Scope::InspectionItem => "巡查事项",
        }
    }
}

/// An operation's access policy: the roles that may call it and the scope rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The roles allowed; any other is 403.
    pub roles: &'static [Role],
    /// How the caller is tied to the object in the path.
    pub scope: Scope,
}

/// Whether a role acts for an organisation (and so must carry one).
pub fn needs_organisation(role: Role) -> bool {
    matches!(role, Role::Unit | Role::Dept | Role::CommitteeOrg | Role::Province)
}

/// Admission: the claims are consistent with their role (module docs). 401 otherwise.
pub fn admit(db: &dyn Db, who: &Claims, now: chrono::DateTime<chrono::Utc>) -> Result<(), DomainError> {
    if who.sub.trim().is_empty() {
        return Err(DomainError::Unauthenticated);
    }
    if !needs_organisation(who.role) {
        if !who.org.is_empty() {
            return Err(DomainError::Unauthenticated);
        }
        if who.role == Role::Judge && !store::expert_exists(db, &who.sub)? {
            return Err(DomainError::Unauthenticated);
        }
        return crate::workflow::session::admit_session(db, who, now);
    }
    if who.org.trim().is_empty() {
        return Err(DomainError::Unauthenticated);
    }
    match crate::store::chain::organisation_by_id(db, &who.org)? {
        Some(o) if o.status == "active" && (o.kind == "province") == (who.role == Role::Province) => {}
        _ => return Err(DomainError::Unauthenticated),
    }
    crate::workflow::session::admit_session(db, who, now)
}

/// Applies `policy` to an admitted caller and the path's parameters: 403 for a role the
/// policy does not list, 404 (the body of a missing id) for an object outside the scope.
pub fn authorise(db: &dyn Db, who: &Claims, policy: &Policy, params: &[&str]) -> Result<(), DomainError> {
    if !policy.roles.contains(&who.role) {
        return Err(DomainError::Forbidden);
    }
    if policy.scope == Scope::Caller {
        return Ok(());
    }
    if policy.scope == Scope::OrgAdministrator {
        let admin = match who.op {
            Some(op) => crate::store::people::operator_by_id(db, op)?
                .is_some_and(|o| o.duty == "admin" && o.org == who.org && o.status == "active"),
            None => false,
        };
        return if admin { Ok(()) } else { Err(DomainError::Forbidden) };
    }
    let hidden = DomainError::NotFound(policy.scope.object());
    let first = params.first().copied().unwrap_or_default();
    let visible = match policy.scope {
        Scope::Caller | Scope::OrgAdministrator => true,
        Scope::DrawnJudge => match numeric(first) {
            Some(plan) => store::is_drawn_judge(db, plan, &who.sub)?,
            None => false,
        },
        Scope::OwnRegistration => match numeric(first).map(|id| store::registration(db, id)).transpose()?.flatten() {
            Some((registrant, _)) => registrant == who.sub,
            None => false,
        },
        Scope::RegistrationReviewer => {
            match numeric(first).map(|id| store::registration(db, id)).transpose()?.flatten() {
                Some((_, review_org)) => who.role == Role::Province || review_org == who.org,
                None => false,
            }
        }
        Scope::Application => match numeric(first) {
            Some(id) => application_visible(db, who, id)?,
            None => false,
        },
        Scope::OfficePlan => organised_by(who, numeric(first).map(|id| store::plan_organiser(db, id)).transpose()?),
        Scope::OfficePublicity => {
            organised_by(who, numeric(first).map(|id| store::publicity_organiser(db, id)).transpose()?)
        }
        Scope::OfficeFiling => organised_by(who, numeric(first).map(|id| store::filing_organiser(db, id)).transpose()?),
        Scope::ResultEntry => {
            organised_by(who, numeric(first).map(|id| store::result_entry_organiser(db, id)).transpose()?)
        }
        Scope::QuotaAuditor => match numeric(first).map(|id| store::quota(db, id)).transpose()?.flatten() {
            Some((kind, _, _)) if kind == "special" && who.role == Role::Province => true,
            Some((_, auditor, _)) => auditor == who.org,
            None => false,
        },
        Scope::OfficeCommittee => organised_by(who, Some(store::committee_organiser(db, first)?)),
        Scope::InspectionItem => match numeric(first) {
            Some(id) => {
                !who.org.is_empty()
                    && crate::store::inspections::item_office(db, id)?.as_deref() == Some(who.org.as_str())
            }
            None => false,
        },
        Scope::EdgeUpper => organised_by(who, numeric(first).map(|id| store::edge_upper(db, id)).transpose()?),
        Scope::EdgeLower => {
            numeric(first).map(|id| store::edge_lower(db, id)).transpose()?.flatten().as_deref() == Some(&who.org)
        }
        Scope::Certificate => match numeric(first).map(|id| store::certificate(db, id)).transpose()?.flatten() {
            Some(c) => match who.role {
                Role::Province => true,
                Role::Applicant => c.holder.as_deref() == Some(who.sub.as_str()),
                Role::Unit => c.unit_org == who.org,
                Role::CommitteeOrg => c.organiser.as_deref() == Some(who.org.as_str()),
                Role::Dept | Role::Judge => false,
            },
            None => false,
        },
    };
    if visible {
        Ok(())
    } else {
        Err(hidden)
    }
}

/// Whether the caller may see application `id` (the rule of [`Scope::Application`]); used
/// by the router and by operations that take an application id from the body.
pub fn application_visible(db: &dyn Db, who: &Claims, id: i64) -> Result<bool, DomainError> {
    let Some(a) = store::application(db, id)? else {
        return Ok(false);
    };
    let draft = a.state == "draft";
    Ok(match who.role {
        Role::Applicant => a.applicant_id == who.sub,
        Role::Unit => !draft && a.unit_org == who.org,
        Role::Province => !draft,
        Role::Dept | Role::CommitteeOrg => {
            !draft
                && !who.org.is_empty()
                && (a.holder_org.as_deref() == Some(who.org.as_str()) || store::org_has_acted(db, id, &who.org)?)
        }
        Role::Judge => false,
    })
}

/// Whether application `id` is routed to a committee the caller's office organises (the
/// province: any). Operations of a committee office that name an application in their
/// body (recusal, interviews) use this; outside it the application is a 404.
pub fn application_of_office(db: &dyn Db, who: &Claims, id: i64) -> Result<bool, DomainError> {
    let Some(a) = store::application(db, id)? else {
        return Ok(false);
    };
    if a.state == "draft" {
        return Ok(false);
    }
    Ok(match who.role {
        Role::Province => true,
        Role::CommitteeOrg => store::committee_organiser(db, &a.committee)?.as_deref() == Some(who.org.as_str()),
        _ => false,
    })
}

fn organised_by(who: &Claims, organiser: Option<Option<String>>) -> bool {
    match organiser.flatten() {
        Some(org) => who.role == Role::Province || (!who.org.is_empty() && org == who.org),
        None => false,
    }
}

fn numeric(s: &str) -> Option<i64> {
    s.parse().ok().filter(|n| *n > 0)
}

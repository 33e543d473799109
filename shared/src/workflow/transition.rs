//! The one door through which an application changes state.
//!
//! [`apply`] asks the declared table ([`crate::domain::application::TRANSITIONS`]) whether
//! the move is allowed, writes it compare-and-set (`... WHERE id = ? AND version = ? AND
//! state = ?`), and records the audit event with its from/to states in the same
//! transaction. The store's state-writing statement takes a
//! [`crate::domain::application::Confirmed`] move, which only the table can issue, and
//! only this module calls it (a test in this module checks the sources).

use crate::audit::{self, AuditEvent};
use crate::domain::application::{Action, Actor, ApplicationState, Confirmed, TransitionError};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as store, ApplicationRecord, Changes};
use crate::store::Db;

/// The application as the caller read it: the compare-and-set guard of a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    /// The application id.
    pub id: i64,
    /// The version read.
    pub version: i64,
    /// The state read.
    pub state: ApplicationState,
}

impl From<&ApplicationRecord> for Current {
    fn from(r: &ApplicationRecord) -> Self {
        Current { id: r.id, version: r.version, state: r.state }
    }
}

/// The refusal of a move the table does not allow: an action of another role is 403; an
/// action of this role in the wrong state is 409 `INVALID_STATE`.
pub fn refusal(state: ApplicationState, e: TransitionError) -> DomainError {
    match e {
        TransitionError::NotYourAction => DomainError::Forbidden,
        TransitionError::WrongState => wrong_state(state),
    }
}

/// 409 `INVALID_STATE`: the application's state does not allow the operation.
pub fn wrong_state(state: ApplicationState) -> DomainError {
    DomainError::conflict(ErrorCode::InvalidState, &[&format!("申报当前状态为“{}”", state.label())])
}

/// 409 `APPLICATION_STALE`: the application changed since the caller read it.
pub fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::ApplicationStale, &[])
}

/// Moves application `app` by `action` of `actor` to `to` (which the table must allow
/// from `app.state`), changing the other columns in `changes` in the same statement, and
/// records `by` as the audit event of the move: `by` supplies who, role, org, time
/// (`at`, also the row's `updated_at`), opinion and detail; this function sets the
/// subject, the action name ([`Action::as_str`]) and the from/to states. Returns the new
/// version. Call inside the operation's transaction.
pub fn apply(
    db: &dyn Db,
    app: impl Into<Current>,
    action: Action,
    actor: Actor,
    to: ApplicationState,
    changes: &Changes,
    by: AuditEvent,
) -> Result<i64, DomainError> {
    apply_as(db, app.into(), Move { action, actor, to, changes }, by)
}

/// [`apply`], returning the application as the move wrote it (for an operation that
/// answers with it: read in the same statement, not read back).
pub fn apply_returning(
    db: &dyn Db,
    app: impl Into<Current>,
    action: Action,
    actor: Actor,
    to: ApplicationState,
    changes: &Changes,
    by: AuditEvent,
) -> Result<ApplicationRecord, DomainError> {
    apply_as(db, app.into(), Move { action, actor, to, changes }, by)
}

/// A move as [`apply`] takes it.
struct Move<'a> {
    action: Action,
    actor: Actor,
    to: ApplicationState,
    changes: &'a Changes,
}

/// [`apply`] and [`apply_returning`]: `W` is what the move's statement returns.
fn apply_as<W: store::Written>(db: &dyn Db, app: Current, m: Move<'_>, by: AuditEvent) -> Result<W, DomainError> {
    let step = confirmed(&app, m.action, m.actor, m.to, &by)?;
    let written = store::move_cas(db, app.id, app.version, &step, m.changes, &by.at)?.ok_or_else(stale)?;
    audit::record(db, &event(app.id, &step, by))?;
    Ok(written)
}

/// The table's confirmation of the move, audited as the actor the table checked.
fn confirmed(
    app: &Current,
    action: Action,
    actor: Actor,
    to: ApplicationState,
    by: &AuditEvent,
) -> Result<Confirmed, DomainError> {
    let step = Confirmed::new(app.state, action, actor, to).map_err(|e| refusal(app.state, e))?;
    same_actor(actor, by)?;
    Ok(step)
}

/// Records a declared move that leaves the row as it is (`to` equal to the state, e.g.
/// the undo of a judge's operation, which changes evaluation records, not the
/// application): checks the table and writes the audit event only.
pub fn record_in_place(
    db: &dyn Db,
    app: impl Into<Current>,
    action: Action,
    actor: Actor,
    by: AuditEvent,
) -> Result<(), DomainError> {
    let app = app.into();
    let step = confirmed(&app, action, actor, app.state, &by)?;
    audit::record(db, &event(app.id, &step, by))?;
    Ok(())
}

/// The table's actor and the audited role must agree, so that the audit trail read back
/// by [`crate::domain::application::undeclared`] says what the table checked.
fn same_actor(actor: Actor, by: &AuditEvent) -> Result<(), DomainError> {
    if actor.matches_role(&by.role) {
        Ok(())
    } else {
        Err(DomainError::Internal(format!("transition by {actor:?} audited as role {}", by.role)))
    }
}

fn event(id: i64, step: &Confirmed, by: AuditEvent) -> AuditEvent {
    AuditEvent {
        subject_kind: "application".into(),
        subject_id: id.to_string(),
        action: step.action().as_str().into(),
        from_state: Some(step.from().as_str().into()),
        to_state: Some(step.to().as_str().into()),
        ..by
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::store::native::NativeDb;

    fn base(at: &str) -> AuditEvent {
        AuditEvent {
            subject_kind: String::new(),
            subject_id: String::new(),
            actor: "u1".into(),
            role: "unit".into(),
            org: "U1".into(),
            action: String::new(),
            from_state: None,
            to_state: None,
            opinion: Some("ok".into()),
            detail: None,
            at: at.into(),
        }
    }

    fn db_with_submitted_application() -> (NativeDb, ApplicationRecord) {
        let db = NativeDb::open_in_memory().expect("db");
        crate::store::native::apply_migrations_dir(
            &db,
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"),
        )
        .expect("migrations");
        let cols = store::FormColumns { unit_org: "U1".into(), ..store::FormColumns::default() };
        let id = store::insert_draft(&db, "a1", "张三", 2024, &cols, "{}", "2024-10-01T00:00:00Z").expect("draft").id;
        let r = store::load(&db, id).expect("load").expect("row");
        let by = AuditEvent { role: "applicant".into(), ..base("2024-10-01T01:00:00Z") };
        apply(
            &db,
            &r,
            Action::Submit,
            Actor::Role(Role::Applicant),
            ApplicationState::UnitReview,
            &Changes::default(),
            by,
        )
        .expect("submit");
        let r = store::load(&db, id).expect("load").expect("row");
        (db, r)
    }

    #[test]
    fn a_declared_move_changes_the_state_and_records_from_and_to() {
        let (db, r) = db_with_submitted_application();
        assert_eq!(r.state, ApplicationState::UnitReview);
        let events = audit::history(&db, "application", &r.id.to_string()).expect("history");
        let last = events.last().expect("event");
        assert_eq!(last.action, "submit");
        assert_eq!(last.from_state.as_deref(), Some("draft"));
        assert_eq!(last.to_state.as_deref(), Some("unit_review"));
    }

    #[test]
    fn an_undeclared_move_is_refused_and_changes_nothing() {
        let (db, r) = db_with_submitted_application();
        let e = apply(
            &db,
            &r,
            Action::ApproveIntoPublicity,
            Actor::Role(Role::Unit),
            ApplicationState::Certified,
            &Changes::default(),
            base("2024-10-02T00:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "INVALID_STATE");
        let e = apply(
            &db,
            &r,
            Action::ApproveIntoPublicity,
            Actor::Role(Role::Applicant),
            ApplicationState::UnitPublicity,
            &Changes::default(),
            base("2024-10-02T00:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e, DomainError::Forbidden);
        assert_eq!(store::load(&db, r.id).expect("load").expect("row"), r);
    }

    #[test]
    fn a_stale_version_is_a_conflict_and_writes_no_event() {
        let (db, r) = db_with_submitted_application();
        let before = audit::history(&db, "application", &r.id.to_string()).expect("history").len();
        let old = Current { version: r.version - 1, ..Current::from(&r) };
        let e = apply(
            &db,
            old,
            Action::Return,
            Actor::Role(Role::Unit),
            ApplicationState::Returned,
            &Changes::default(),
            base("2024-10-02T00:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "APPLICATION_STALE");
        assert_eq!(audit::history(&db, "application", &r.id.to_string()).expect("history").len(), before);
    }

    #[test]
    fn only_the_transition_module_writes_an_application_state() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read file");
                let name = path.to_string_lossy().replace('\\', "/");
                let allowed = name.ends_with("workflow/transition.rs") || name.ends_with("store/applications.rs");
                if !allowed && text.contains(&["move", "_cas"].concat()) {
                    offenders.push(name);
                }
            }
        }
        assert!(offenders.is_empty(), "state written outside workflow::transition: {offenders:?}");
    }
}

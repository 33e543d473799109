//! The committee's evaluation (五, annex 2 §1.2.2–1.2.5, §1.3, §1.4; annex 3 §1.13–1.14,
//! §1.23): review plans audited by the province (R13), the verifiable judge draw with
//! recusal (R14), interview notices, the judges' work inside their window, anonymous
//! ballots (R16), the tally with pass-rate (R15) and quota (R10) control, the offline
//! path, the confidential archive, and the reversible operations the province may undo.

use super::applications::{load_visible, view, ApplicationView};
use super::transition;
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::domain::application::{Action, Actor, ApplicationState};
use crate::domain::evaluation::{
    self as ev, Controls, ExpertNeed, Outcome, PassRule, PoolExpert, Recusal, ScoringItem, Tallied,
};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as astore, ApplicationRecord, Changes};
use crate::store::chain::{self as cstore, ReversibleOperation};
use crate::store::evaluation::{self as estore, Expert, Plan};
use crate::store::{reference, with_tx, Db, Value};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

const PLAN: &str = "评审方案";

fn plan_event(ctx: &OpCtx<'_>, id: i64, action: &str, from: Option<&str>, to: Option<&str>) -> AuditEvent {
    AuditEvent {
        from_state: from.map(str::to_owned),
        to_state: to.map(str::to_owned),
        ..ctx.event("review_plan", id, action)
    }
}

fn date(s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DomainError::Internal(format!("stored date {s}: {e}")))
}

fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::PlanStale, &[])
}

/// Loads a plan the caller may see: its organising unit, the province; judges only their own.
fn load_plan(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Plan, DomainError> {
    let p = estore::plan_by_id(db, id)?.ok_or(DomainError::NotFound(PLAN))?;
    let visible = match ctx.who.role {
        Role::Province => true,
        Role::CommitteeOrg => p.organising_org == ctx.who.org,
        Role::Judge => estore::judges(db, id)?.iter().any(|(e, _, s)| e == &ctx.who.sub && s == "drawn"),
        _ => false,
    };
    if visible {
        Ok(p)
    } else {
        Err(DomainError::NotFound(PLAN))
    }
}

fn own_plan(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Plan, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    load_plan(ctx, db, id)
}

mod draw;
mod experts;
mod interviews;
mod judging;
mod plans;
mod tally;

pub use draw::*;
pub use experts::*;
pub use interviews::*;
pub use judging::*;
pub use plans::*;
pub use tally::*;

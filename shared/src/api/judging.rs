//! Routes of the `judging` component (评委, the drawn judges; the token's `sub` is the
//! expert id): `/api/judging/...`. Only the plan a judge was drawn for; the judging window
//! (R17) is checked by the operation.

use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, DrawnJudge};
use crate::auth::Role;
use crate::store::Db;
use crate::workflow::evaluation as ev;

const JUDGE: Roles = &[Role::Judge];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("GET", "/api/judging/plans", JUDGE, Caller, |c| respond(200, c.with(ev::judge_plans))),
    Route::signed("GET", "/api/judging/plans/{plan}/participants", JUDGE, DrawnJudge, |c| {
        respond(200, c.with(|x| ev::judge_participants(x, c.id(0, "评审方案")?)))
    }),
    Route::signed("GET", "/api/judging/plans/{plan}/participants/{participant}/materials", JUDGE, DrawnJudge, |c| {
        respond(200, c.with(|x| ev::judge_materials(x, c.id(0, "评审方案")?, c.id(1, "参评人员")?)))
    }),
    Route::signed(
        "GET",
        "/api/judging/plans/{plan}/participants/{participant}/materials/{material}",
        JUDGE,
        DrawnJudge,
        |c| {
            super::applicant::download(
                c.with(|x| ev::judge_material(x, c.id(0, "评审方案")?, c.id(1, "参评人员")?, c.id(2, "材料")?)),
            )
        },
    ),
    Route::signed("POST", "/api/judging/plans/{plan}/participants/{participant}", JUDGE, DrawnJudge, |c| {
        respond(200, c.with(|x| ev::judge_act(x, c.id(0, "评审方案")?, c.id(1, "参评人员")?, c.json()?)))
    }),
];

/// Serves `/api/judging/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}

//! Routes of the `submit` component (applicant, 申报人): `/api/applications/...`.

use super::{respond, Call, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Application, Caller};
use crate::auth::Role;
use crate::domain::application::ApplicationForm;
use crate::error::{DomainError, ErrorCode};
use crate::store::Db;
use crate::workflow::applications as wf;
use crate::workflow::materials;
use crate::workflow::OpCtx;

const APPLICANT: Roles = &[Role::Applicant];
const A: &str = "申报";

/// Every operation of this router: the applicant's own applications only.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/applications", APPLICANT, Caller, |c| {
        respond(
            201,
            c.with(|x| {
                let mut body: wf::CreateDraft = c.json()?;
                bind_citizen(x, &mut body.form)?;
                wf::create_draft(x, body)
            }),
        )
    }),
    Route::signed("GET", "/api/applications", APPLICANT, Caller, |c| {
        respond(200, c.with(|x| wf::list(x, false, &Default::default(), c.page()?)))
    }),
    Route::signed("GET", "/api/applications/{id}", APPLICANT, Application, |c| {
        respond(200, c.with(|x| wf::get(x, c.id(0, A)?)))
    }),
    Route::signed("PUT", "/api/applications/{id}", APPLICANT, Application, |c| {
        respond(
            200,
            c.with(|x| {
                let mut body: wf::UpdateDraft = c.json()?;
                bind_citizen(x, &mut body.form)?;
                wf::update_draft(x, c.id(0, A)?, body)
            }),
        )
    }),
    Route::signed("POST", "/api/applications/{id}/submit", APPLICANT, Application, |c| {
        respond(
            200,
            c.with(|x| {
                let body: SubmitBody = c.json_or_default()?;
                wf::submit(x, c.id(0, A)?, body.version, body.commitment.as_ref(), c.req.header("idempotency-key"))
            }),
        )
    }),
    Route::signed("GET", "/api/applications/{id}/material-checklist", APPLICANT, Application, |c| {
        respond(200, c.with(|x| materials::checklist(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/applications/{id}/commitment", APPLICANT, Application, |c| {
        respond(200, c.with(|x| wf::commitment(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/applications/{id}/tracking", APPLICANT, Application, |c| {
        respond(200, c.with(|x| crate::workflow::chain::tracking(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/applications/{id}/events", APPLICANT, Application, |c| {
        respond(200, c.with(|x| wf::history(x, c.id(0, A)?)))
    }),
    Route::signed("POST", "/api/applications/{id}/materials", APPLICANT, Application, upload_material),
    Route::signed("GET", "/api/applications/{id}/materials", APPLICANT, Application, |c| {
        respond(200, c.with(|x| wf::list_materials(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/applications/{id}/materials/{mid}", APPLICANT, Application, download_material),
    Route::signed("DELETE", "/api/applications/{id}/materials/{mid}", APPLICANT, Application, |c| {
        respond(
            200,
            c.with(|x| wf::delete_material(x, c.id(0, A)?, c.id(1, "材料")?))
                .map(|()| serde_json::json!({"deleted": true})),
        )
    }),
];

/// A signed-in applicant applies under their own ID number only: the form's number must be
/// the person's (else 403, nothing stored), and an absent one is filled in.
fn bind_citizen(x: &OpCtx<'_>, form: &mut ApplicationForm) -> Result<(), DomainError> {
    let Some(own) = crate::workflow::session::own_citizen_id(x.db, x.who)? else {
        return Ok(());
    };
    // Compared by the keyed index (the person's number is stored as a token, crate::pii).
    let own_index = crate::pii::index_of_stored(&own)?;
    match &form.citizen_id {
        Some(id) if crate::pii::index_for(id)? != own_index => {
            Err(DomainError::conflict(ErrorCode::NotOwnCitizenId, &[]))
        }
        Some(_) => Ok(()),
        None => {
            // The applicant's own number, opened to fill in their own form.
            form.citizen_id = Some(crate::pii::reveal(x.db, &own)?);
            Ok(())
        }
    }
}

/// Optional body of "submit".
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    #[serde(default)]
    version: Option<i64>,
    /// 告知承诺: the acceptance of the batch's commitment text (required).
    #[serde(default)]
    commitment: Option<crate::domain::commitment::Acceptance>,
}

fn upload_material(c: &Call<'_>) -> Response {
    respond(201, c.with(|x| c.with_upload("材料", |u| wf::upload_material(x, c.id(0, A)?, u))))
}

/// Downloads material `{mid}` of application `{id}` (applicant, unit and chain routes).
pub fn download_material(c: &Call<'_>) -> Response {
    download(c.with(|x| wf::download_material(x, c.id(0, A)?, c.id(1, "材料")?)))
}

/// Serves `/api/applications` and everything under it.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}

/// A material download response.
pub fn download(r: Result<(String, String, Vec<u8>), DomainError>) -> Response {
    match r {
        Ok((ct, filename, bytes)) => Response::attachment(&ct, &filename, bytes),
        Err(e) => Response::error(&e),
    }
}

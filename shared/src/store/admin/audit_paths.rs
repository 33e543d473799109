//! Audit-path edges.

#[allow(unused_imports)]
use super::*;

/// An audit-path edge with its organisations' names and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathEdge {
    pub id: i64,
    pub lower_org: String,
    pub lower_name: String,
    pub upper_org: String,
    pub upper_name: String,
    pub level: String,
    pub method: String,
    pub step: String,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

/// Version kind of an edge in `admin_row_versions`.
pub const EDGE_VERSION_KIND: &str = "audit_path_edge";

/// Columns of [`PathEdge`] over [`EDGE_FROM`].
pub const EDGE_SELECT: &str = "e.id, e.lower_org, lo.name, e.upper_org, uo.name, e.level, e.method, e.step, e.status, \
     e.created_by, e.created_at, e.cancelled_at, e.cancel_reason, COALESCE(v.version, 1)";
/// The join an edge listing reads from.
pub const EDGE_FROM: &str = "path_edges e JOIN organisations lo ON lo.id = e.lower_org \
     JOIN organisations uo ON uo.id = e.upper_org \
     LEFT JOIN admin_row_versions v ON v.kind = 'audit_path_edge' AND v.key = CAST(e.id AS TEXT)";

/// Decodes an [`EDGE_SELECT`] row.
pub fn path_edge(r: &Row) -> Result<PathEdge, StoreError> {
    Ok(PathEdge {
        id: r.int(0)?,
        lower_org: r.text(1)?,
        lower_name: r.text(2)?,
        upper_org: r.text(3)?,
        upper_name: r.text(4)?,
        level: r.text(5)?,
        method: r.text(6)?,
        step: r.text(7)?,
        status: r.text(8)?,
        created_by: r.text(9)?,
        created_at: r.text(10)?,
        cancelled_at: r.opt_text(11)?,
        cancel_reason: r.opt_text(12)?,
        version: r.int(13)?,
    })
}

/// One edge by id.
pub fn path_edge_by_id(db: &dyn Db, id: i64) -> Result<Option<PathEdge>, StoreError> {
    let sql = format!("SELECT {EDGE_SELECT} FROM {EDGE_FROM} WHERE e.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(path_edge).transpose()
}

pub(super) const UPDATE_EDGE: &str =
    "UPDATE path_edges SET upper_org = ?, step = ? WHERE id = ? AND status = 'active' RETURNING id";

/// Changes an active edge's upper organisation and step.
pub fn update_edge(db: &dyn Db, id: i64, upper: &str, step: &str) -> Result<bool, StoreError> {
    Ok(!db.query(UPDATE_EDGE, &[upper.into(), step.into(), id.into()])?.is_empty())
}

/// Whether following active edges up from `upper` for this level and method comes back
/// to `lower` (the edit would close a loop).
pub fn edge_would_loop(db: &dyn Db, lower: &str, upper: &str, level: &str, method: &str) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT upper_org FROM path_edges WHERE lower_org = ? AND level = ? AND method = ? \
         AND status = 'active'";
    let mut at = upper.to_owned();
    for _ in 0..64 {
        if at == lower {
            return Ok(true);
        }
        match db.query_opt(SQL, &[at.as_str().into(), level.into(), method.into()])? {
            Some(r) => at = r.text(0)?,
            None => return Ok(false),
        }
    }
    Ok(true)
}

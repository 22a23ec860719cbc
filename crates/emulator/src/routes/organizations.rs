//! `GET/PUT /api/v2/organizations/me` (versioned: stale `version` → 409) and the seeds'
//! `GET /api/v2/organizations`: the org tree visible to the token (its org and descendants).

use crate::domain::organizations;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use std::collections::BTreeSet;
use switchboard_api::organization::{OrgTreeEntry, Organization};
use switchboard_api::paging::EntityListing;

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new().route("/api/v2/organizations/me", get(me).put(update_me));
    if strict { router } else { router.route("/api/v2/organizations", get(tree)) }
}

async fn me(State(directory): State<Directory>, caller: Caller) -> Result<Json<Organization>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(org.org.organization.clone())))
}

async fn update_me(
    State(directory): State<Directory>,
    caller: Caller,
    ApiJson(body): ApiJson<Organization>,
) -> Result<Json<Organization>, ApiError> {
    write(&directory, &caller, |org| {
        Ok(Json(organizations::update(org, body)?))
    })
}

async fn tree(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<OrgTreeEntry>>, ApiError> {
    let entries = directory.with_store(|store| {
        // Walk down from the caller's org: a parent sees its children, a child only itself.
        let mut visible = BTreeSet::from([caller.org_id.clone()]);
        loop {
            let before = visible.len();
            for org in store.orgs.values() {
                if let Some(parent) = &org.org.parent_id
                    && visible.contains(parent)
                {
                    visible.insert(org.id().to_string());
                }
            }
            if visible.len() == before {
                break;
            }
        }
        let mut entries: Vec<OrgTreeEntry> = store
            .orgs
            .values()
            .filter(|org| visible.contains(org.id()))
            .map(|org| OrgTreeEntry {
                id: org.id().to_string(),
                name: org.name().to_string(),
                org_type: if org.org.parent_id.is_none() { "parent" } else { "child" }.to_string(),
                parent_org_id: org.org.parent_id.clone(),
            })
            .collect();
        entries.sort_by(|a, b| (a.parent_org_id.is_some(), &a.name).cmp(&(b.parent_org_id.is_some(), &b.name)));
        entries
    });
    Ok(Json(paginate(entries, &params, "/api/v2/organizations")?))
}

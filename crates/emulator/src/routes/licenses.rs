//! Licences and organization limits in their real shapes: `GET /api/v2/license/definitions[/{id}]`,
//! `GET /api/v2/license/users[/{userId}]`, `POST /api/v2/license/organization` (batch assignment,
//! seats checked), `GET /api/v2/organizations/limits/namespaces[/{name}[/defaults]]`; the
//! extension `GET /api/v2/license/organization` (seats bought/assigned/available, off under
//! `--strict`); and the control route `/_emulator/capacity` that sets seats and limits for tests.
//! The rules are `domain::capacity`'s.

use super::extract::{ApiJson, Params};
use super::org_access::{read, write};
use super::paging::paginate;
use crate::domain::capacity::{self, DEFAULT_LICENSE, EnforcedLimits, LICENSES_MAX, LIMIT_KEYS_MAX, settings_of};
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory, OrgStore, Settings};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use switchboard_api::emulator::CapacitySettings;
use switchboard_api::license::{
    LicenseBatchAssignmentRequest, LicenseDefinition, LicenseUpdateStatus, LicenseUser, OrgLicenseSeats, UserLicenses,
};
use switchboard_api::organization::{LimitNamespace, LimitsEntityListing};
use switchboard_api::paging::EntityListing;

pub fn api_routes(strict: bool) -> Router<AppState> {
    let organization = if strict { axum::routing::post(assign) } else { get(seats).post(assign) };
    Router::new()
        .route("/api/v2/license/definitions", get(definitions))
        .route("/api/v2/license/definitions/{id}", get(definition))
        .route("/api/v2/license/users", get(users))
        .route("/api/v2/license/users/{id}", get(user))
        .route("/api/v2/license/organization", organization)
        .route("/api/v2/organizations/limits/namespaces", get(namespaces))
        .route("/api/v2/organizations/limits/namespaces/{name}", get(limits))
        .route("/api/v2/organizations/limits/namespaces/{name}/defaults", get(default_limits))
}

pub fn control_routes() -> Router<AppState> {
    Router::new().route("/_emulator/capacity", get(capacity).put(set_capacity))
}

fn describe(id: &str) -> LicenseDefinition {
    let description = if id == DEFAULT_LICENSE { "Genesys Cloud CX 3".to_string() } else { id.to_string() };
    LicenseDefinition { id: id.to_string(), description: Some(description), self_uri: Some(format!("/api/v2/license/definitions/{id}")) }
}

fn user_ids(org: &OrgStore) -> impl Iterator<Item = &str> + Clone {
    org.users.keys().map(String::as_str)
}

async fn definitions(State(directory): State<Directory>, caller: Caller) -> Result<Json<Vec<LicenseDefinition>>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(org.capacity.license_ids().iter().map(|id| describe(id)).collect())))
}

async fn definition(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<LicenseDefinition>, ApiError> {
    read(&directory, &caller, |org| {
        if org.capacity.license_ids().contains(&id) { Ok(Json(describe(&id))) } else { Err(ApiError::not_found("license", &id)) }
    })
}

async fn users(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<UserLicenses>>, ApiError> {
    read(&directory, &caller, |org| {
        let items: Vec<UserLicenses> = user_ids(org)
            .map(|id| UserLicenses { id: id.to_string(), licenses: org.capacity.licenses_of(id), self_uri: Some(format!("/api/v2/license/users/{id}")) })
            .collect();
        let mut listing = paginate(items, &params, "/api/v2/license/users")?;
        // The real `UserLicensesEntityListing` has no paging links.
        (listing.self_uri, listing.first_uri, listing.next_uri, listing.previous_uri, listing.last_uri) = (None, None, None, None, None);
        Ok(Json(listing))
    })
}

async fn user(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<LicenseUser>, ApiError> {
    read(&directory, &caller, |org| {
        if !org.users.contains_key(&id) {
            return Err(ApiError::not_found("user", &id));
        }
        let licenses = org.capacity.licenses_of(&id).iter().map(|license| describe(license)).collect();
        Ok(Json(LicenseUser { id: id.clone(), licenses, self_uri: Some(format!("/api/v2/license/users/{id}")) }))
    })
}

/// Batch assignment: each user's outcome; a licence beyond its seats fails for that user only.
async fn assign(
    State(directory): State<Directory>,
    caller: Caller,
    ApiJson(body): ApiJson<LicenseBatchAssignmentRequest>,
) -> Result<Json<Vec<LicenseUpdateStatus>>, ApiError> {
    let changes: usize = body.assignments.iter().map(|assignment| assignment.user_ids_add.len() + assignment.user_ids_remove.len()).sum();
    crate::limits::at_most("assignments", changes as u64, 1_000)?;
    write(&directory, &caller, |org| {
        let mut statuses = Vec::with_capacity(changes);
        let default_seats = org.license_total;
        let users: Vec<String> = org.users.keys().cloned().collect();
        // Assignments of deleted users go, so the book stays bounded by the user table.
        let known: std::collections::BTreeSet<&str> = users.iter().map(String::as_str).collect();
        org.capacity.retain_users(|user| known.contains(user));
        for assignment in &body.assignments {
            let new_license = !org.capacity.license_ids().contains(&assignment.license_id);
            if new_license && org.capacity.license_ids().len() >= LICENSES_MAX {
                return Err(ApiError::invalid_value(format!("assignments.licenseId: at most {LICENSES_MAX} licences")));
            }
            for (ids, add) in [(&assignment.user_ids_remove, false), (&assignment.user_ids_add, true)] {
                for user_id in ids {
                    statuses.push(org.capacity.assign(users.iter().map(String::as_str), default_seats, &assignment.license_id, user_id, add));
                }
            }
        }
        Ok(Json(statuses))
    })
}

/// Extension: seats bought, assigned and available per licence.
async fn seats(State(directory): State<Directory>, caller: Caller) -> Result<Json<OrgLicenseSeats>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(OrgLicenseSeats { licenses: org.capacity.seat_report(user_ids(org), org.license_total) })))
}

fn enforced(settings: &Settings) -> EnforcedLimits {
    EnforcedLimits {
        requests_per_token_per_minute: settings.rate_limit_per_minute,
        channels_per_client: settings.notifications.max_channels_per_client,
        topics_per_channel: settings.notifications.max_topics_per_channel,
    }
}

async fn namespaces(State(directory): State<Directory>, State(settings): State<Arc<Settings>>, caller: Caller, params: Params) -> Result<Json<EntityListing<LimitNamespace>>, ApiError> {
    let enforced = enforced(&settings);
    read(&directory, &caller, |org| {
        let names = org.capacity.namespaces(&enforced).into_iter().map(|name| LimitNamespace { name }).collect();
        Ok(Json(paginate(names, &params, "/api/v2/organizations/limits/namespaces")?))
    })
}

fn namespace_limits(directory: &Directory, settings: &Settings, caller: &Caller, name: &str, defaults_only: bool) -> Result<Json<LimitsEntityListing>, ApiError> {
    let enforced = enforced(settings);
    read(directory, caller, |org| {
        let entities = org.capacity.limits(name, &enforced, defaults_only).ok_or_else(|| ApiError::not_found("limit namespace", name))?;
        Ok(Json(LimitsEntityListing { entities }))
    })
}

async fn limits(State(directory): State<Directory>, State(settings): State<Arc<Settings>>, caller: Caller, Path(name): Path<String>) -> Result<Json<LimitsEntityListing>, ApiError> {
    namespace_limits(&directory, &settings, &caller, &name, false)
}

async fn default_limits(State(directory): State<Directory>, State(settings): State<Arc<Settings>>, caller: Caller, Path(name): Path<String>) -> Result<Json<LimitsEntityListing>, ApiError> {
    namespace_limits(&directory, &settings, &caller, &name, true)
}

fn org_of(directory: &Directory, wanted: &str) -> Result<String, ApiError> {
    directory.find_org(wanted).ok_or_else(|| ApiError::not_found("org", wanted))
}

async fn capacity(State(directory): State<Directory>, params: Params) -> Result<Json<CapacitySettings>, ApiError> {
    let wanted = params.get("org").ok_or_else(|| ApiError::bad_request("query parameter `org` is required"))?;
    let org_id = org_of(&directory, wanted)?;
    directory.with_org(&org_id, |org| Json(settings_of(org))).ok_or_else(|| ApiError::not_found("org", wanted))
}

async fn set_capacity(State(directory): State<Directory>, ApiJson(body): ApiJson<CapacitySettings>) -> Result<Json<CapacitySettings>, ApiError> {
    let org_id = org_of(&directory, &body.org)?;
    crate::limits::at_most("seats", body.seats.len() as u64, LICENSES_MAX as u64)?;
    let keys: usize = body.limits.values().map(|keys| keys.len()).sum();
    crate::limits::at_most("limits", keys as u64, LIMIT_KEYS_MAX as u64)?;
    let changed = directory.with_org_mut(&org_id, |org| capacity::set(org, &body).map(Json).map_err(ApiError::from));
    changed.ok_or_else(|| ApiError::not_found("org", &body.org))?
}

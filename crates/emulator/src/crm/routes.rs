//! `/crm/*` handlers. Errors use the platform's error body so clients parse them the same way.

use super::{Created, Crm};
use crate::clock::Clock;
use crate::contact_center::ContactCenter;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Extension, Json, Router};
use std::sync::Arc;
use switchboard_api::crm::{Activity, Contact, ContactList, CrmStatus, NewActivity};

/// Set by the TLS listener when the peer presented a verified client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientCertificate(pub bool);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/crm/status", get(status))
        .route("/crm/contacts", get(contacts).post(upsert_contact))
        .route("/crm/lookup", get(lookup))
        .route("/crm/activities", get(activities).post(create_activity))
        .route("/crm/activities/{id}", get(activity))
}

fn crm(center: &ContactCenter) -> &Crm {
    &center.crm
}

/// The phone number of a query: `phone`, or what a flow is likely to send (`Phone`, `ANI`, `ani`).
fn phone(params: &Params) -> Result<String, ApiError> {
    ["phone", "Phone", "ANI", "ani"]
        .iter()
        .find_map(|name| params.get(name))
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("query parameter phone is required"))
}

async fn status(State(center): State<Arc<ContactCenter>>, certificate: Option<Extension<ClientCertificate>>) -> Json<CrmStatus> {
    let (contacts, activities) = crm(&center).counts();
    Json(CrmStatus {
        status: "ok".to_string(),
        contacts,
        activities,
        client_certificate: certificate.is_some_and(|Extension(ClientCertificate(verified))| verified),
    })
}

async fn contacts(State(center): State<Arc<ContactCenter>>, params: Params) -> Result<Json<ContactList>, ApiError> {
    let phone = phone(&params)?;
    Ok(Json(ContactList { contacts: crm(&center).find_by_phone(&phone).into_iter().collect() }))
}

/// One contact as a flat object, the shape data-action outputs map from; 404 when unknown.
async fn lookup(State(center): State<Arc<ContactCenter>>, params: Params) -> Result<Json<Contact>, ApiError> {
    let phone = phone(&params)?;
    crm(&center).find_by_phone(&phone).map(Json).ok_or_else(|| ApiError::not_found("Contact with phone", &phone))
}

async fn upsert_contact(State(center): State<Arc<ContactCenter>>, ApiJson(contact): ApiJson<Contact>) -> Result<(StatusCode, Json<Contact>), ApiError> {
    if contact.phone.chars().filter(char::is_ascii_digit).count() < 3 {
        return Err(ApiError::invalid_value("phone: a phone number is required"));
    }
    Ok((StatusCode::CREATED, Json(crm(&center).upsert_contact(contact))))
}

async fn create_activity(
    State(center): State<Arc<ContactCenter>>,
    State(clock): State<Clock>,
    headers: HeaderMap,
    ApiJson(activity): ApiJson<NewActivity>,
) -> Result<(StatusCode, Json<Activity>), ApiError> {
    let key = headers
        .get("Idempotency-Key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .ok_or_else(|| ApiError::bad_request("header Idempotency-Key is required"))?;
    match crm(&center).create_activity(key, activity, clock.rfc3339()) {
        Ok(Created::New(record)) => Ok((StatusCode::CREATED, Json(record))),
        Ok(Created::Replayed(record)) => Ok((StatusCode::OK, Json(record))),
        Err(reused) => Err(ApiError::conflict(reused.to_string())),
    }
}

async fn activities(State(center): State<Arc<ContactCenter>>) -> Json<Vec<Activity>> {
    Json(crm(&center).activities())
}

async fn activity(State(center): State<Arc<ContactCenter>>, Path(id): Path<String>) -> Result<Json<Activity>, ApiError> {
    crm(&center).activity(&id).map(Json).ok_or_else(|| ApiError::not_found("Activity", &id))
}

//! OAuth clients of an org: its development client (from the topology) and the clients created
//! through `POST /api/v2/oauth/clients`. Each one gets its own tokens, rate window, usage rows and
//! flow locks, so a test can hold a flow's lock as "another client" the real way.

use super::{DomainError, require_name};
use crate::state::OrgStore;
use switchboard_api::auth::OAuthClient;

/// Clients an org may create (the real platform caps them too).
pub const CLIENTS_MAX: usize = 100;

pub const CLIENT_CREDENTIALS: &str = "CLIENT-CREDENTIALS";

/// Whether `client_id` is one of the org's clients.
pub fn belongs(org: &OrgStore, client_id: &str) -> bool {
    org.org.client_id == client_id || org.oauth_clients.contains_key(client_id)
}

/// Whether the credentials are an active client-credentials client of the org.
pub fn authenticates(org: &OrgStore, client_id: &str, secret: &str) -> bool {
    if org.org.client_id == client_id {
        return org.org.client_secret == secret;
    }
    org.oauth_clients.get(client_id).is_some_and(|client| {
        client.secret.as_deref() == Some(secret)
            && client.authorized_grant_type.eq_ignore_ascii_case(CLIENT_CREDENTIALS)
            && client.state.as_deref().is_none_or(|state| state.eq_ignore_ascii_case("active"))
    })
}

/// The org's development client, as the API lists it.
pub fn development_client(org: &OrgStore) -> OAuthClient {
    OAuthClient {
        id: org.org.client_id.clone(),
        name: format!("{} client", org.name()),
        description: Some("The org's development client (topology credentials)".to_string()),
        authorized_grant_type: CLIENT_CREDENTIALS.to_string(),
        state: Some("active".to_string()),
        self_uri: Some(format!("/api/v2/oauth/clients/{}", org.org.client_id)),
        ..OAuthClient::default()
    }
}

/// A client's display name (lock holders, usage rows).
pub fn name_of(org: &OrgStore, client_id: &str) -> String {
    match org.oauth_clients.get(client_id) {
        Some(client) => client.name.clone(),
        None => format!("{} client", org.name()),
    }
}

/// A new client-credentials client with a fresh id and secret, `active` unless the body says
/// otherwise; refused past `CLIENTS_MAX` or for another grant type.
pub fn create(org: &mut OrgStore, body: OAuthClient, now: &str) -> Result<OAuthClient, DomainError> {
    require_name(&body.name)?;
    if !body.authorized_grant_type.eq_ignore_ascii_case(CLIENT_CREDENTIALS) {
        return Err(DomainError::Invalid(format!(
            "authorizedGrantType: the emulator issues tokens for {CLIENT_CREDENTIALS} only, got `{}`",
            body.authorized_grant_type
        )));
    }
    if org.oauth_clients.len() >= CLIENTS_MAX {
        return Err(DomainError::Refused(format!("An organization may have at most {CLIENTS_MAX} OAuth clients")));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let client = OAuthClient {
        id: id.clone(),
        authorized_grant_type: CLIENT_CREDENTIALS.to_string(),
        secret: Some(format!("secret-{}", uuid::Uuid::new_v4().simple())),
        state: Some(body.state.clone().unwrap_or_else(|| "active".to_string())),
        date_created: Some(now.to_string()),
        self_uri: Some(format!("/api/v2/oauth/clients/{id}")),
        ..body
    };
    org.oauth_clients.insert(id, client.clone());
    Ok(client)
}

/// Deletes a created client; the development client stays.
pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    if id == org.org.client_id {
        return Err(DomainError::Refused("The org's development client cannot be deleted".to_string()));
    }
    org.oauth_clients.remove(id).map(|_| ()).ok_or_else(|| DomainError::NotFound { what: "OAuth client", id: id.to_string() })
}

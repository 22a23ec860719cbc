//! The emulator's fake CRM (`/crm/*`), the kind of system data actions and the bridge call:
//! contacts looked up by phone number, activities created idempotently, a status endpoint.
//! Not part of the Genesys API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    pub name: String,
    /// E.164.
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `gold`, `silver` or `basic`: what flows branch on.
    pub tier: String,
    pub account_id: String,
}

/// `GET /crm/contacts?phone=...`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContactList {
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// Body of `POST /crm/activities`; the `Idempotency-Key` header names the record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewActivity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// e.g. `call`, `note`.
    #[serde(default = "default_kind")]
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn default_kind() -> String {
    "call".to_string()
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub id: String,
    pub idempotency_key: String,
    #[serde(flatten)]
    pub activity: NewActivity,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /crm/status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmStatus {
    /// `ok`.
    pub status: String,
    pub contacts: u64,
    pub activities: u64,
    /// Whether the request arrived over TLS with a verified client certificate.
    #[serde(default)]
    pub client_certificate: bool,
}

//! Licences (`/api/v2/license/*`) in their real shapes, plus the emulator's seat report.
//!
//! The real API tells which licences exist (`GET /api/v2/license/definitions`), which users hold
//! which (`GET /api/v2/license/users`, `GET /api/v2/license/users/{userId}`) and assigns them in
//! batches (`POST /api/v2/license/organization`). How many seats the org bought is billing data
//! the licence API does not carry; the emulator serves it as an extension,
//! `GET /api/v2/license/organization` ([`OrgLicenseSeats`], off under `--strict`).

use serde::{Deserialize, Serialize};

/// The real `LicenseDefinition` (the fields the emulator fills).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseDefinition {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `UserLicenses`: one user and the ids of the licences it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserLicenses {
    /// The user's id.
    pub id: String,
    #[serde(default)]
    pub licenses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `LicenseUser` (`GET /api/v2/license/users/{userId}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUser {
    pub id: String,
    #[serde(default)]
    pub licenses: Vec<LicenseDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `LicenseBatchAssignmentRequest` (`POST /api/v2/license/organization`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseBatchAssignmentRequest {
    pub assignments: Vec<LicenseAssignmentRequest>,
}

/// The real `LicenseAssignmentRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseAssignmentRequest {
    pub license_id: String,
    #[serde(default)]
    pub user_ids_add: Vec<String>,
    #[serde(default)]
    pub user_ids_remove: Vec<String>,
}

/// The real `LicenseUpdateStatus`: one user's outcome in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUpdateStatus {
    pub user_id: String,
    pub license_id: String,
    /// `SUCCESS`, or `FAILURE: ...` saying why (no seat left, unknown user or licence).
    pub result: String,
}

/// Emulator extension: seats bought, assigned and available per licence
/// (`GET /api/v2/license/organization`; the v269 SDK has only the POST on that path).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgLicenseSeats {
    pub licenses: Vec<LicenseSeats>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseSeats {
    pub id: String,
    /// Seats bought.
    pub seats: u64,
    /// Users holding the licence now.
    pub assigned: u64,
    pub available: u64,
}

impl LicenseSeats {
    /// Share of the seats still free, `0.0..=1.0` (0 when no seats were bought).
    pub fn available_ratio(&self) -> f64 {
        if self.seats == 0 { 0.0 } else { self.available as f64 / self.seats as f64 }
    }
}

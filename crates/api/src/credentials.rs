//! The development credentials file the emulator writes (`--credentials-out`) and the CLI and
//! client read: `{"orgs":[{"id","name","parentId","clientId","clientSecret"}]}`.

use crate::redact::Redacted;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsFile {
    pub orgs: Vec<OrgCredentials>,
}

/// `Debug` by hand below: the client secret is a credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgCredentials {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl CredentialsFile {
    /// The entry for an org, found by name or id.
    pub fn org(&self, name_or_id: &str) -> Option<&OrgCredentials> {
        self.orgs.iter().find(|org| org.name == name_or_id || org.id == name_or_id)
    }
}

impl fmt::Debug for OrgCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("OrgCredentials")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("parent_id", &self.parent_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &Redacted)
            .finish()
    }
}

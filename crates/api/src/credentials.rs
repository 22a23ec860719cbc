//! The development credentials file the emulator writes (`--credentials-out`) and the CLI and
//! client read: `{"orgs":[{"id","name","parentId","clientId","clientSecret"}]}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsFile {
    pub orgs: Vec<OrgCredentials>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

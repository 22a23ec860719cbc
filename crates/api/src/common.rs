//! Small reference shapes every resource uses: entity refs and divisions.

use serde::{Deserialize, Serialize};

/// `DomainEntityRef` of the real API: a pointer to another object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

impl EntityRef {
    pub fn new(id: impl Into<String>, name: impl Into<String>, self_uri: impl Into<String>) -> Self {
        EntityRef { id: id.into(), name: Some(name.into()), self_uri: Some(self_uri.into()) }
    }

    /// A bare reference, as clients send it in request bodies (`{"id": "..."}`).
    pub fn id_only(id: impl Into<String>) -> Self {
        EntityRef { id: id.into(), name: None, self_uri: None }
    }
}

/// The real API's `Division` / `WritableDivision` (every org has a `Home` division).
pub type Division = EntityRef;

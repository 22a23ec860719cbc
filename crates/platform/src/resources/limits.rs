//! Organization limits (`/api/v2/organizations/limits/namespaces[/{name}[/defaults]]`).

use switchboard_api::organization::{LimitNamespace, LimitsEntityListing};

use crate::error::Result;
use crate::paging::entities_or_array;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, segment};

const PATH: &str = "/api/v2/organizations/limits/namespaces";

pub struct Limits<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Limits<'_, P> {
    /// The namespace names (the SDK types this answer as a free-form object: a listing or an array).
    pub async fn namespaces(self) -> Result<Vec<String>> {
        let request = ApiRequest::get(PATH).query("pageSize", 100).about("limit namespaces", None);
        let value: serde_json::Value = fetch(self.platform, request).await?;
        let entries: Vec<LimitNamespace> = entities_or_array(value, "limit namespaces")?;
        Ok(entries.into_iter().map(|entry| entry.name).collect())
    }

    /// A namespace's limits as they apply to the org.
    pub async fn namespace(self, name: &str) -> Result<LimitsEntityListing> {
        fetch(self.platform, ApiRequest::get(format!("{PATH}/{}", segment(name))).about("limit namespace", Some(name))).await
    }

    /// A namespace's default limits.
    pub async fn defaults(self, name: &str) -> Result<LimitsEntityListing> {
        fetch(self.platform, ApiRequest::get(format!("{PATH}/{}/defaults", segment(name))).about("limit namespace", Some(name))).await
    }
}

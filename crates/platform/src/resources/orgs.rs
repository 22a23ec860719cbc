//! Organizations: the token's own org (real API) and the visible org tree (seed 002).

use switchboard_api::organization::{OrgTreeEntry, Organization};

use crate::error::Result;
use crate::paging::entities_or_array;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_versioned};

pub struct Orgs<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Orgs<'_, P> {
    /// `GET /api/v2/organizations/me`.
    pub async fn me(self) -> Result<Versioned<Organization>> {
        fetch_versioned(self.platform, ApiRequest::get("/api/v2/organizations/me").about("organization", None)).await
    }

    /// `PUT /api/v2/organizations/me`; the body `version` must be current, else `Conflict`.
    pub async fn update_me(self, org: &Organization) -> Result<Organization> {
        fetch(self.platform, ApiRequest::put("/api/v2/organizations/me").about("organization", Some(&org.id)).json(org)?).await
    }

    /// Seed 002: `GET /api/v2/organizations`, the tree visible to the token (a parent sees its
    /// children). A real org or a strict emulator answers 404, reported as `Unsupported`.
    pub async fn tree(self) -> Result<Vec<OrgTreeEntry>> {
        let request = ApiRequest::get("/api/v2/organizations").about("organization tree", None);
        match fetch::<P, serde_json::Value>(self.platform, request).await {
            Ok(value) => entities_or_array(value, "organization tree"),
            Err(error) if error.is_not_found() => Err(crate::PlatformError::Unsupported { feature: "organization tree (GET /api/v2/organizations)".into() }),
            Err(error) => Err(error),
        }
    }
}

//! Licences (`/api/v2/license/*`): definitions, who holds what, batch assignment — the real API —
//! and the emulator's seat report (`GET /api/v2/license/organization`), which a real org or a
//! strict emulator does not serve (`Unsupported`).

use futures_util::Stream;
use switchboard_api::license::{LicenseBatchAssignmentRequest, LicenseDefinition, LicenseUpdateStatus, LicenseUser, OrgLicenseSeats, UserLicenses};

use crate::error::{PlatformError, Result};
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, segment};

pub struct Licenses<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Licenses<'a, P> {
    /// `GET /api/v2/license/definitions`.
    pub async fn definitions(self) -> Result<Vec<LicenseDefinition>> {
        fetch(self.platform, ApiRequest::get("/api/v2/license/definitions").about("license definitions", None)).await
    }

    /// `GET /api/v2/license/users`: every user with the ids of the licences it holds.
    pub fn users(self) -> impl Stream<Item = Result<UserLicenses>> + Send + 'a {
        paged(self.platform, ApiRequest::get("/api/v2/license/users").about("license users", None), LIST_PAGE_SIZE)
    }

    /// `GET /api/v2/license/users/{userId}`.
    pub async fn user(self, user_id: &str) -> Result<LicenseUser> {
        let path = format!("/api/v2/license/users/{}", segment(user_id));
        fetch(self.platform, ApiRequest::get(path).about("license user", Some(user_id))).await
    }

    /// `POST /api/v2/license/organization`: adds and removes licences; each user's outcome.
    pub async fn assign(self, batch: &LicenseBatchAssignmentRequest) -> Result<Vec<LicenseUpdateStatus>> {
        fetch(self.platform, ApiRequest::post("/api/v2/license/organization").about("license assignment", None).json(batch)?).await
    }

    /// Emulator extension: seats bought, assigned and available per licence.
    pub async fn seats(self) -> Result<OrgLicenseSeats> {
        match fetch(self.platform, ApiRequest::get("/api/v2/license/organization").about("license seats", None)).await {
            Err(error) if error.is_not_found() || error.status() == Some(405) => {
                Err(PlatformError::Unsupported { feature: "licence seats (GET /api/v2/license/organization)".into() })
            }
            other => other,
        }
    }
}

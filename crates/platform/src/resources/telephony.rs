//! DIDs, IVR configs (which route DIDs to flows) and trunk base settings. All are versioned in
//! the body: a PUT with a stale `version` → `Conflict`.

use futures_util::Stream;
use switchboard_api::telephony::{Did, Ivr, TrunkBase};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_nothing, fetch_versioned, segment};

const DIDS: &str = "/api/v2/telephony/providers/edges/dids";
const IVRS: &str = "/api/v2/architect/ivrs";
const TRUNKS: &str = "/api/v2/telephony/providers/edges/trunkbasesettings";

pub struct Telephony<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Telephony<'a, P> {
    pub fn dids(self) -> impl Stream<Item = Result<Did>> + Send + 'a {
        paged(self.platform, ApiRequest::get(DIDS).about("DID", None), LIST_PAGE_SIZE)
    }

    pub async fn did(self, id: &str) -> Result<Versioned<Did>> {
        fetch_versioned(self.platform, ApiRequest::get(format!("{DIDS}/{}", segment(id))).about("DID", Some(id))).await
    }

    pub async fn update_did(self, id: &str, did: &Did) -> Result<Did> {
        fetch(self.platform, ApiRequest::put(format!("{DIDS}/{}", segment(id))).about("DID", Some(id)).json(did)?).await
    }

    pub fn ivrs(self) -> impl Stream<Item = Result<Ivr>> + Send + 'a {
        paged(self.platform, ApiRequest::get(IVRS).about("IVR", None), LIST_PAGE_SIZE)
    }

    pub async fn ivr(self, id: &str) -> Result<Versioned<Ivr>> {
        fetch_versioned(self.platform, ApiRequest::get(format!("{IVRS}/{}", segment(id))).about("IVR", Some(id))).await
    }

    pub async fn create_ivr(self, ivr: &Ivr) -> Result<Ivr> {
        fetch(self.platform, ApiRequest::post(IVRS).about("IVR", None).json(ivr)?).await
    }

    /// PUT with the body `version` read last (stale → `Conflict`).
    pub async fn update_ivr(self, id: &str, ivr: &Ivr) -> Result<Ivr> {
        fetch(self.platform, ApiRequest::put(format!("{IVRS}/{}", segment(id))).about("IVR", Some(id)).json(ivr)?).await
    }

    pub async fn delete_ivr(self, id: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(format!("{IVRS}/{}", segment(id))).about("IVR", Some(id))).await
    }

    pub fn trunk_bases(self) -> impl Stream<Item = Result<TrunkBase>> + Send + 'a {
        paged(self.platform, ApiRequest::get(TRUNKS).about("trunk base", None), LIST_PAGE_SIZE)
    }

    pub async fn trunk_base(self, id: &str) -> Result<Versioned<TrunkBase>> {
        fetch_versioned(self.platform, ApiRequest::get(format!("{TRUNKS}/{}", segment(id))).about("trunk base", Some(id))).await
    }

    pub async fn update_trunk_base(self, id: &str, trunk: &TrunkBase) -> Result<TrunkBase> {
        fetch(self.platform, ApiRequest::put(format!("{TRUNKS}/{}", segment(id))).about("trunk base", Some(id)).json(trunk)?).await
    }
}

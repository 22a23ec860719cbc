//! The bridge's one error type: what stops start-up or ends the engine, each naming its cause.

use crate::crm::CrmError;
use crate::store::StoreError;
use std::net::SocketAddr;
use switchboard_platform::PlatformError;

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("platform: {0}")]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Crm(#[from] CrmError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("BRIDGE_QUEUES: no queue named or numbered `{0}` in the org")]
    UnknownQueue(String),
    /// The engine (lease loop and sessions) ended without being asked to: a panic or an error.
    #[error("the bridge engine stopped: {0}")]
    EngineStopped(String),
}

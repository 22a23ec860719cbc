//! `Runtime`: the narrow handle the live contact center runs on — the org directory it reads
//! flows and agents from and writes routing status to, the notification hub it publishes
//! conversation and routing events on, its own call book, the clock and the HTTP client for data
//! actions. Nothing else of the emulator is reachable from a running call.

use super::ContactCenter;
use crate::clock::Clock;
use crate::notifications::NotificationHub;
use crate::state::Directory;
use std::sync::Arc;

/// Cheap to clone; every clone shares the same contact center.
#[derive(Clone)]
pub struct Runtime {
    pub directory: Directory,
    pub hub: NotificationHub,
    pub center: Arc<ContactCenter>,
    pub clock: Clock,
    /// The guarded client for data actions (`crate::outbound`).
    pub http: crate::outbound::Outbound,
}

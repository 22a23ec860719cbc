//! The served queues: `BRIDGE_QUEUES` (names or ids) resolved against the org once at start and
//! again on every reconnect and periodic check. The resolved name is the one name the bridge
//! writes for a queue (the activity subject), whether a call was seen live or reconciled.

use crate::error::BridgeError;
use switchboard_platform::{Platform, PlatformExt};

/// Queue ids with their names, in the configured order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServedQueues {
    queues: Vec<(String, String)>,
}

impl ServedQueues {
    /// From `(id, name)` pairs.
    pub fn new(queues: Vec<(String, String)>) -> ServedQueues {
        ServedQueues { queues }
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.queues.iter().map(|(id, _)| id.as_str())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.queues.iter().any(|(served, _)| served == id)
    }

    /// The queue's name, as the org lists it.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.queues
            .iter()
            .find(|(served, _)| served == id)
            .map(|(_, name)| name.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }
}

/// Each wanted entry as the org's queue with that id or name; the first unknown one is named.
pub(crate) async fn resolve(
    platform: &dyn Platform,
    wanted: &[String],
) -> Result<ServedQueues, BridgeError> {
    let listed = platform.queues().list_all().await?;
    let mut served = Vec::new();
    for entry in wanted {
        let found = listed
            .iter()
            .find(|queue| &queue.id == entry || &queue.name == entry)
            .ok_or_else(|| BridgeError::UnknownQueue(entry.clone()))?;
        served.push((found.id.clone(), found.name.clone()));
    }
    Ok(ServedQueues::new(served))
}

//! The org's configuration objects that deploy creates, diffs and rolls back: plain serde types.
//!
//! `id` and `version` are the platform's (absent in desired state written by people); `name` is
//! what desired state and the live org are matched on.

mod agent;
mod datatable;
mod flow;
mod integration;
mod queue;
mod strategy;
mod telephony;

pub use agent::{Agent, Presence, User};
pub use datatable::{Column, ColumnType, DataTable, DataTableRow};
pub use flow::{Flow, FlowVersion, FlowVersionState};
pub use integration::{DataAction, HttpMethod, Integration};
pub use queue::RoutingQueue;
pub use strategy::{RoutingStrategy, Target, TargetType};
pub use telephony::{Did, Failover, Trunk};

/// What every resource tells about itself, for plans, diffs and journals.
pub trait Resource {
    /// The kind as written in plans (`queue`, `datatable`, …).
    const KIND: &'static str;

    fn kind(&self) -> &'static str {
        Self::KIND
    }
    /// The name desired state and live state are matched on.
    fn name(&self) -> &str;
    /// The platform's version for optimistic concurrency, when it has one.
    fn version(&self) -> Option<u64>;
}

/// Implements [`Resource`] for a type with `name: String` and `version: Option<u64>` fields.
macro_rules! resource {
    ($type:ty, $kind:literal) => {
        impl $crate::resources::Resource for $type {
            const KIND: &'static str = $kind;
            fn name(&self) -> &str {
                &self.name
            }
            fn version(&self) -> Option<u64> {
                self.version
            }
        }
    };
}
pub(crate) use resource;

#[cfg(test)]
mod tests;

//! Typed calls, one file per resource. Each accessor borrows any `Platform` (an `OrgClient`, an
//! `Arc<dyn Platform>`, a test double) and is reached through [`PlatformExt`].

mod analytics;
mod conversation_details;
mod conversations;
mod datatables;
mod emulator;
mod flow_jobs;
mod flows;
mod integrations;
mod licenses;
mod limits;
mod notifications;
mod oauth_clients;
mod orgs;
mod queues;
mod strategies;
mod telephony;
mod usage;
mod users;

pub use switchboard_api::analytics_summary::{AggregateSummary, GroupTotals};
pub use analytics::Analytics;
pub use conversations::Conversations;
pub use datatables::DataTables;
pub use emulator::EmulatorControl;
pub use flow_jobs::{FlowSource, PublishedFlow};
pub use flows::{Flows, OperationWait};
pub use integrations::Integrations;
pub use licenses::Licenses;
pub use limits::Limits;
pub use notifications::Notifications;
pub use oauth_clients::OAuthClients;
pub use orgs::Orgs;
pub use queues::Queues;
pub use strategies::Strategies;
pub use telephony::Telephony;
pub use usage::Usage;
pub use users::{BULK_USER_IDS, Users};

use crate::platform::Platform;

// Accessors are a copyable reference, and their methods take `self`, so a call's future borrows
// only the platform (`|| client.queues().get(id)` can be returned from a closure).
macro_rules! copyable_accessor {
    ($($name:ident),*) => {$(
        impl<P: ?Sized> Clone for $name<'_, P> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<P: ?Sized> Copy for $name<'_, P> {}
    )*};
}
copyable_accessor!(Analytics, Conversations, DataTables, EmulatorControl, Flows, Integrations, Licenses, Limits, Notifications, OAuthClients, Orgs, Queues, Strategies, Telephony, Usage, Users);

/// Resource accessors for every `Platform`: `client.queues().get(id)`, `client.flows().publish(id)`.
pub trait PlatformExt: Platform {
    fn orgs(&self) -> Orgs<'_, Self> {
        Orgs { platform: self }
    }
    fn queues(&self) -> Queues<'_, Self> {
        Queues { platform: self }
    }
    fn flows(&self) -> Flows<'_, Self> {
        Flows { platform: self }
    }
    fn datatables(&self) -> DataTables<'_, Self> {
        DataTables { platform: self }
    }
    fn integrations(&self) -> Integrations<'_, Self> {
        Integrations { platform: self }
    }
    fn users(&self) -> Users<'_, Self> {
        Users { platform: self }
    }
    fn telephony(&self) -> Telephony<'_, Self> {
        Telephony { platform: self }
    }
    fn usage(&self) -> Usage<'_, Self> {
        Usage { platform: self }
    }
    fn strategies(&self) -> Strategies<'_, Self> {
        Strategies { platform: self }
    }
    fn analytics(&self) -> Analytics<'_, Self> {
        Analytics { platform: self }
    }
    fn conversations(&self) -> Conversations<'_, Self> {
        Conversations { platform: self }
    }
    fn notifications(&self) -> Notifications<'_, Self> {
        Notifications { platform: self }
    }
    fn licenses(&self) -> Licenses<'_, Self> {
        Licenses { platform: self }
    }
    fn limits(&self) -> Limits<'_, Self> {
        Limits { platform: self }
    }
    fn oauth_clients(&self) -> OAuthClients<'_, Self> {
        OAuthClients { platform: self }
    }
    /// The emulator's control surface (an extension: fails on a real org).
    fn emulator(&self) -> EmulatorControl<'_, Self> {
        EmulatorControl { platform: self }
    }
}

impl<P: Platform + ?Sized> PlatformExt for P {}

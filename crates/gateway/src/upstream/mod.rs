//! The upstream side: a pool of notification channels to the platform (`pool`), each kept
//! connected by its own task (`channel`) that tracks its stream per channel incarnation
//! (`cursor`); subscriptions checked against the platform's catalogue (`catalogue`) and added so
//! that refusals stay with the desktops that asked (`subscribe`); batched REST snapshots after an
//! unrecoverable gap (`snapshot`).

pub mod catalogue;
pub mod channel;
pub mod cursor;
pub mod pool;
pub mod snapshot;
pub mod subscribe;

pub use pool::{PoolCommand, PoolHandle};

//! The upstream side: a pool of notification channels to the platform (`pool`), each kept
//! connected by its own task (`channel`), with REST snapshots after an unrecoverable gap
//! (`snapshot`).

pub mod channel;
pub mod pool;
pub mod snapshot;

pub use pool::{PoolCommand, PoolHandle};

//! The wall-clock driver: runs the pure [`Controller`](crate::Controller) against a live org (the
//! emulator or a real Genesys Cloud org) through the platform client only — Architect jobs for
//! flows, the data-table row API for the control row, IVR configurations for DIDs, the analytics
//! aggregate queries for the judge — with its state in the shared journal.

mod actions;
mod analytics;
mod driver;
mod error;
mod org;
mod smoke;
mod store;

pub use actions::{ActionChange, prepare_actions};
pub use analytics::{LOOKBACK_MS, analytics_window, count_conversation, iso_instant};
pub use driver::{Driver, is_finished, now_ms};
pub use error::RolloutError;
pub use smoke::{SmokeDialer, smoke_test};
pub use org::{InitReport, Org, StartReport, prepare_candidate};
pub use store::{RolloutRecord, Store};

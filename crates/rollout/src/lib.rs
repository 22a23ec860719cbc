//! Blue-green and canary releases of an IVR flow through a Traffic Cop (seed 004).
//!
//! Phone numbers point at a thin Traffic Cop flow that reads the `Deployment_Control` row on every
//! call and sends `Traffic_Weight` percent of new callers to the candidate slot, the rest to the
//! active one. The [`Controller`] (pure) moves the weight step by step and asks the [`Judge`]
//! (pure) after every analysis interval whether the candidate is worse than the active version on
//! the calls each received in that interval. Two clocks drive the same controller: the simulation's
//! virtual time ([`sim`]) and a live org through the platform client (the CLI's driver).

pub mod actions;
pub mod control_row;
pub mod controller;
pub mod judge;
pub mod live;
pub mod policy;
pub mod schema;
pub mod sim;
pub mod smoke;
pub mod tally;
pub mod traffic_cop;

pub use control_row::{CONTROL_KEY, CONTROL_TABLE, ControlRow};
pub use controller::{Controller, Input, Output, Phase, RolloutEvent, Slot};
pub use judge::{Evidence, Judge, Verdict, VerdictKind};
pub use policy::{Policy, PolicyError};
pub use tally::{ArmTally, Window};

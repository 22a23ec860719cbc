//! The rollout crate's tests: virtual-time rollouts over many seeds, and live rollouts on the
//! emulator through the platform client with the journal.

mod actions;
mod judge_live;
mod live;
mod smoke;
mod support;
mod virtual_time;

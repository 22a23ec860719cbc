//! The rollout crate's tests: virtual-time rollouts over many seeds.

mod virtual_time;

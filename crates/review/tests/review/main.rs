//! The review crate's integration tests: the static fixture corpus, the real Archy corpus, the
//! report formats (JUnit against the XSD), and end-to-end reviews against the emulator.

mod corpus;
mod failure_modes;
mod fixtures;
mod live_drills;
mod locks;
mod reports;
mod shared_orgs;
mod strict;
mod end_to_end;
mod support;

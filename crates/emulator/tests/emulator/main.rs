//! The emulator's integration tests: one binary, real servers on 127.0.0.1:0, reqwest clients.

mod auth;
mod concurrency;
mod datatables;
mod errors;
mod faults;
mod flows;
mod paging;
mod persistence;
mod rate_limit;
mod sdk_contract;
mod support;

//! The emulator's integration tests: one binary, real servers on 127.0.0.1:0, reqwest clients.

mod analytics;
mod architect_jobs;
mod auth;
mod concurrency;
mod contact_center;
mod crm;
mod datatables;
mod default_topology;
mod errors;
mod faults;
mod flows;
mod hub_topology;
mod notifications;
mod paging;
mod persistence;
mod rate_limit;
mod resources;
mod sdk_contract;
mod support;
mod topology_options;

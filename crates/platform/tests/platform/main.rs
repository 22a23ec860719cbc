//! Integration tests: the client against a real emulator on 127.0.0.1:0 (one binary, one module
//! per concern).

mod analytics;
mod auth;
mod center;
mod conflicts;
mod conversations;
mod faults;
mod flow_jobs;
mod integrations;
mod more_resources;
mod notifications;
mod paging;
mod rate_limit;
mod resources;
mod support;
mod token;

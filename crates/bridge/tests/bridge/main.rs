//! Integration tests of the bridge against a real emulator on loopback: the job end to end,
//! restarts without loss, upstream faults, tokens, certificates, migrations, Redis.

mod support;

mod job;
mod migrations;
mod prune;
mod tls;
mod faults;
mod redis;
mod redis_server;
mod health;
mod readiness;
mod deploy;

//! Integration tests: plan, apply, rollback and export against a real emulator on 127.0.0.1:0
//! with a real SQLite (or PostgreSQL) journal.

mod apply;
mod canary;
mod canary_live;
mod costs;
mod capacity;
mod real_writes;
mod lifecycle;
mod support;

//! Queueing formulas the contact-center simulator is validated against: Erlang B, Erlang C and
//! Erlang-A (M/M/n+M). Rates share one time unit of the caller's choosing (per second, per minute).

mod erlang;
mod erlang_a;

pub use erlang::{ErlangC, erlang_b, erlang_c};
pub use erlang_a::ErlangA;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueueingError {
    #[error("{name} must be a finite non-negative number (service rate positive), got {value}")]
    InvalidParameter { name: &'static str, value: f64 },
    #[error("unstable queue: offered load {offered_load} Erlangs needs more than {servers} servers when nobody abandons")]
    Unstable { servers: u32, offered_load: f64 },
    #[error("the birth-death chain did not converge within {limit} states")]
    TooManyStates { limit: usize },
}

#[cfg(test)]
mod tests;

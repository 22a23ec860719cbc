//! Erlang B and Erlang C (M/M/n/n and M/M/n) in closed form, by numerically stable recursions.

use super::QueueingError;

/// Erlang B blocking probability of M/M/n/n with offered load `a = λ/μ` Erlangs.
///
/// Uses the recursion `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`, which never forms `a^n/n!`
/// and so stays finite for any `n` (Jagerman 1974).
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    let mut blocking = 1.0;
    for k in 1..=servers {
        blocking = offered_load * blocking / (f64::from(k) + offered_load * blocking);
    }
    blocking
}

/// Erlang C: the probability that an arrival to M/M/n waits, `C(n, a) = n·B / (n − a·(1 − B))` with
/// `B = erlang_b(n, a)` (Cooper, *Introduction to Queueing Theory*, 1981, §3.4). Needs `a < n`.
pub fn erlang_c(servers: u32, offered_load: f64) -> Result<f64, QueueingError> {
    check_stable(servers, offered_load)?;
    let n = f64::from(servers);
    let blocking = erlang_b(servers, offered_load);
    Ok(n * blocking / (n - offered_load * (1.0 - blocking)))
}

/// The M/M/n queue (Erlang C) measured in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// P(W > 0): share of callers who wait at all.
    pub probability_of_wait: f64,
    /// E[W_q] = C / (nμ − λ): mean wait over all callers (the ASA of an M/M/n queue).
    pub mean_wait: f64,
    /// E[W_q | W_q > 0] = 1 / (nμ − λ).
    pub mean_wait_of_waiting: f64,
    /// E[L_q] = λ·E[W_q] (Little).
    pub mean_queue_length: f64,
    /// Server occupancy ρ = λ / (nμ).
    pub occupancy: f64,
    excess_rate: f64,
}

impl ErlangC {
    /// M/M/n with arrival rate `λ`, service rate `μ` per server (same time unit) and `n` servers.
    pub fn new(arrival_rate: f64, service_rate: f64, servers: u32) -> Result<ErlangC, QueueingError> {
        check_rates(arrival_rate, service_rate)?;
        let offered_load = arrival_rate / service_rate;
        let probability_of_wait = erlang_c(servers, offered_load)?;
        let excess_rate = f64::from(servers) * service_rate - arrival_rate;
        let mean_wait = probability_of_wait / excess_rate;
        Ok(ErlangC {
            probability_of_wait,
            mean_wait,
            mean_wait_of_waiting: 1.0 / excess_rate,
            mean_queue_length: arrival_rate * mean_wait,
            occupancy: arrival_rate / (f64::from(servers) * service_rate),
            excess_rate,
        })
    }

    /// Service level P(W_q ≤ t) = 1 − C·e^{−(nμ−λ)t}, with `t` in the rates' time unit.
    pub fn service_level(&self, within: f64) -> f64 {
        1.0 - self.probability_of_wait * (-self.excess_rate * within).exp()
    }
}

pub(super) fn check_rates(arrival_rate: f64, service_rate: f64) -> Result<(), QueueingError> {
    if !(arrival_rate.is_finite() && arrival_rate >= 0.0) {
        return Err(QueueingError::InvalidParameter { name: "arrival_rate", value: arrival_rate });
    }
    if !(service_rate.is_finite() && service_rate > 0.0) {
        return Err(QueueingError::InvalidParameter { name: "service_rate", value: service_rate });
    }
    Ok(())
}

fn check_stable(servers: u32, offered_load: f64) -> Result<(), QueueingError> {
    if !(offered_load.is_finite() && offered_load >= 0.0) {
        return Err(QueueingError::InvalidParameter { name: "offered_load", value: offered_load });
    }
    if servers == 0 || offered_load >= f64::from(servers) {
        return Err(QueueingError::Unstable { servers, offered_load });
    }
    Ok(())
}

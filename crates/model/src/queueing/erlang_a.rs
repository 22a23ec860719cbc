//! Erlang-A (M/M/n+M): Poisson arrivals, exponential service, exponential patience, computed exactly
//! from the stationary distribution of its birth–death chain.
//!
//! The model is Palm's (1943), analysed by Garnett, Mandelbaum and Reiman, "Designing a call center
//! with impatient customers", MSOM 4(3), 2002. State `k` = callers in the system; birth rate `λ`;
//! death rate `d_k = min(k, n)·μ + max(k − n, 0)·θ`. Then `π_k ∝ Π_{j=1..k} λ / d_j`, and
//! - `P(wait > 0) = Σ_{k ≥ n} π_k` (PASTA: arrivals see time averages),
//! - `E[L_q] = Σ_{k > n} (k − n)·π_k`,
//! - `P(abandon) = θ·E[L_q] / λ` (abandonment flow balance),
//! - `E[W] = E[L_q] / λ` over all callers, served or not (Little).
//!
//! The wait of served callers needs the tagged caller's view: arriving with `i` callers ahead, it
//! leaves state `i` at rate `r_i = nμ + iθ + θ`, moving ahead with probability `(nμ + iθ)/r_i` and
//! abandoning otherwise. So `P(served | i) = Π_{j=0..i} (nμ + jθ)/r_j` and, because holding times
//! are independent of the jump taken, `E[W·1{served} | i] = P(served | i)·Σ_{j=0..i} 1/r_j`.
//! Everything is done with logarithms normalised by the largest term, so `n` of 10,000 and more
//! neither overflows nor underflows.

use super::QueueingError;
use super::erlang::check_rates;

/// The tail of the chain is cut where the mass left is below this share of the total.
const TAIL_TOLERANCE: f64 = 1e-15;
/// A hard limit on states, reached only with θ = 0 and a load within ~1e-6 of capacity.
const MAX_STATES: usize = 50_000_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// P(W > 0): share of arrivals that find every agent busy.
    pub probability_of_wait: f64,
    /// P(abandon) = θ·E[L_q]/λ.
    pub probability_of_abandon: f64,
    /// E[W]: mean time in queue over all arrivals (served and abandoned).
    pub mean_wait: f64,
    /// E[W | served]: mean time in queue of callers who reach an agent (their ASA).
    pub mean_wait_of_served: f64,
    /// E[L_q]: mean number of callers waiting.
    pub mean_queue_length: f64,
    /// Mean busy agents / n.
    pub occupancy: f64,
    /// P(served) from the tagged caller's walk; equals `1 − probability_of_abandon` up to rounding,
    /// which checks the walk that `mean_wait_of_served` rests on.
    pub probability_of_service: f64,
    /// Number of chain states summed (for diagnostics).
    pub states: usize,
}

impl ErlangA {
    /// M/M/n+M with arrival rate `λ`, service rate `μ` per agent, `n` agents and abandonment rate
    /// `θ` (1 / mean patience), all in the same time unit. `θ = 0` is Erlang C and needs `λ < nμ`.
    pub fn new(
        arrival_rate: f64,
        service_rate: f64,
        servers: u32,
        abandonment_rate: f64,
    ) -> Result<ErlangA, QueueingError> {
        check_rates(arrival_rate, service_rate)?;
        if !(abandonment_rate.is_finite() && abandonment_rate >= 0.0) {
            return Err(QueueingError::InvalidParameter { name: "abandonment_rate", value: abandonment_rate });
        }
        let n = f64::from(servers);
        if abandonment_rate == 0.0 && arrival_rate >= n * service_rate {
            return Err(QueueingError::Unstable { servers, offered_load: arrival_rate / service_rate });
        }
        let log_weights = log_stationary_weights(arrival_rate, service_rate, servers, abandonment_rate)?;
        let largest = log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);

        let (mut total, mut waiting, mut queue_length, mut busy) = (0.0, 0.0, 0.0, 0.0);
        let (mut served_mass, mut served_wait) = (0.0, 0.0);
        // Running product P(served | i) and sum Σ 1/r_j for the tagged caller with i ahead.
        let (mut served_given_ahead, mut holding_sum) = (1.0_f64, 0.0_f64);
        for (k, log_weight) in log_weights.iter().enumerate() {
            let weight = (log_weight - largest).exp();
            let k_f = k as f64;
            total += weight;
            busy += weight * k_f.min(n);
            if k < servers as usize {
                served_mass += weight;
                continue;
            }
            let ahead = k_f - n;
            waiting += weight;
            queue_length += weight * ahead;
            let leave_rate = n * service_rate + ahead * abandonment_rate + abandonment_rate;
            served_given_ahead *= (n * service_rate + ahead * abandonment_rate) / leave_rate;
            holding_sum += 1.0 / leave_rate;
            served_mass += weight * served_given_ahead;
            served_wait += weight * served_given_ahead * holding_sum;
        }
        let mean_queue_length = queue_length / total;
        let (probability_of_abandon, mean_wait) = if arrival_rate > 0.0 {
            (abandonment_rate * mean_queue_length / arrival_rate, mean_queue_length / arrival_rate)
        } else {
            (0.0, 0.0)
        };
        Ok(ErlangA {
            probability_of_wait: waiting / total,
            probability_of_abandon,
            mean_wait,
            mean_wait_of_served: if served_mass > 0.0 { served_wait / served_mass } else { 0.0 },
            mean_queue_length,
            probability_of_service: served_mass / total,
            occupancy: if servers == 0 { 0.0 } else { busy / total / n },
            states: log_weights.len(),
        })
    }
}

/// `log π_k` up to a constant, for k = 0.. until the remaining tail is negligible.
fn log_stationary_weights(
    arrival_rate: f64,
    service_rate: f64,
    servers: u32,
    abandonment_rate: f64,
) -> Result<Vec<f64>, QueueingError> {
    let mut log_weights = vec![0.0];
    let mut largest = 0.0_f64;
    let mut log_weight = 0.0_f64;
    if arrival_rate == 0.0 {
        return Ok(log_weights);
    }
    for k in 1..MAX_STATES {
        let k_f = k as f64;
        let n = f64::from(servers);
        let death = k_f.min(n) * service_rate + (k_f - n).max(0.0) * abandonment_rate;
        log_weight += (arrival_rate / death).ln();
        largest = largest.max(log_weight);
        log_weights.push(log_weight);
        // Death rates never decrease, so past this point ratios λ/d_j ≤ `ratio` and the tail is
        // bounded by a geometric series: π_k · ratio / (1 − ratio).
        let next_k = k_f + 1.0;
        let next_death = next_k.min(n) * service_rate + (next_k - n).max(0.0) * abandonment_rate;
        let ratio = arrival_rate / next_death;
        if ratio < 1.0 {
            let log_tail = log_weight + ratio.ln() - (1.0 - ratio).ln();
            if log_tail - largest < TAIL_TOLERANCE.ln() {
                return Ok(log_weights);
            }
        }
    }
    Err(QueueingError::TooManyStates { limit: MAX_STATES })
}

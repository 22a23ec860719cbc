//! Queueing validation: virtual-time runs of M/M/n+M (Poisson arrivals, exponential handle time,
//! exponential patience, FIFO, no IVR time) against the exact Erlang-A figures, and of M/M/n
//! (infinite patience) against Erlang C.
//!
//! Formulas (implemented in `switchboard_model::queueing`):
//! - Erlang C: `C(n,a) = n·B(n,a) / (n − a(1 − B(n,a)))` with Erlang B by Jagerman's recursion;
//!   `P(W>0) = C`, `E[W] = C / (nμ − λ)` (Cooper 1981, §3.4).
//! - Erlang-A (Palm 1943; Garnett, Mandelbaum & Reiman 2002): birth–death chain with death rates
//!   `min(k,n)μ + max(k−n,0)θ`; `P(abandon) = θ·E[L_q]/λ`, `E[W] = E[L_q]/λ` over all callers.
//!
//! Tolerance: every simulated figure must be within 8% (relative) of theory. That bound is only
//! meaningful if the simulation's own noise is well below it, so each figure's standard error is
//! estimated by batch means (30 batches by arrival time after a warm-up, long enough that batch
//! means are nearly independent) and the test also asserts the relative standard error is under 2%:
//! the tolerance is then at least 4 standard errors, a chance failure rate below 1e-4 per figure,
//! while a modelling error of 8% or more (wrong routing, patience clock, FIFO) still fails.

use crate::support::{Batches, single_queue};
use switchboard_model::queueing::{ErlangA, ErlangC};
use switchboard_simulation::run;

const HANDLE_MEAN_MS: f64 = 60_000.0;
const PATIENCE_MEAN_MS: f64 = 60_000.0;
const TOLERANCE: f64 = 0.08;
const MAX_RELATIVE_STANDARD_ERROR: f64 = 0.02;
const BATCHES: usize = 30;

struct Comparison {
    label: String,
    simulated: f64,
    standard_error: f64,
    theory: f64,
}

impl Comparison {
    fn relative_error(&self) -> f64 {
        (self.simulated - self.theory).abs() / self.theory
    }
    fn ok(&self) -> bool {
        self.relative_error() <= TOLERANCE && self.standard_error / self.theory <= MAX_RELATIVE_STANDARD_ERROR
    }
}

/// Runs one M/M/n(+M) configuration for about `calls` calls and returns its batches.
fn simulate(agents: u32, load: f64, patience_mean_ms: Option<f64>, calls: f64, seed: u64) -> Batches {
    // SIMULATION_VALIDATION_SCALE multiplies the number of calls, for tighter checks by hand.
    let scale =
        std::env::var("SIMULATION_VALIDATION_SCALE").ok().and_then(|text| text.parse::<f64>().ok()).unwrap_or(1.0);
    let calls = calls * scale;
    // SIMULATION_VALIDATION_SEED shifts every seed, to look at other sample paths by hand.
    let seed =
        seed + std::env::var("SIMULATION_VALIDATION_SEED").ok().and_then(|text| text.parse::<u64>().ok()).unwrap_or(0);
    let calls_per_hour = load * f64::from(agents) * 3_600_000.0 / HANDLE_MEAN_MS;
    let warmup_minutes = 120.0;
    let minutes = warmup_minutes + calls / calls_per_hour * 60.0;
    let scenario = single_queue(agents, calls_per_hour, HANDLE_MEAN_MS, patience_mean_ms, minutes, warmup_minutes);
    let mut batches = Batches::new((warmup_minutes * 60_000.0) as u64, (minutes * 60_000.0) as u64, BATCHES);
    let mut sink = |record: &switchboard_simulation::CallRecord| batches.record(record);
    run(&scenario, seed, &mut sink);
    batches
}

fn report(comparisons: &[Comparison]) -> String {
    let mut text = String::from("figure | simulated ± SE | theory | rel. error\n");
    for c in comparisons {
        text.push_str(&format!(
            "{} | {:.5} ± {:.5} | {:.5} | {:.2}%{}\n",
            c.label,
            c.simulated,
            c.standard_error,
            c.theory,
            100.0 * c.relative_error(),
            if c.ok() { "" } else { "  <-- FAIL" }
        ));
    }
    text
}

#[test]
fn erlang_a_abandonment_and_mean_wait_match_theory() {
    let mut comparisons = Vec::new();
    for (agents, load, calls) in [
        (10, 0.8, 200_000.0),
        (10, 0.95, 250_000.0),
        (10, 1.1, 200_000.0),
        (50, 0.8, 3_500_000.0),
        (50, 0.95, 700_000.0),
        (50, 1.1, 500_000.0),
    ] {
        let batches = simulate(agents, load, Some(PATIENCE_MEAN_MS), calls, 1_000 + agents as u64);
        let theory = ErlangA::new(
            load * f64::from(agents) / HANDLE_MEAN_MS,
            1.0 / HANDLE_MEAN_MS,
            agents,
            1.0 / PATIENCE_MEAN_MS,
        )
        .expect("valid Erlang-A parameters");
        let (abandon, abandon_se) = batches.estimate(&batches.abandoned);
        let (wait, wait_se) = batches.estimate(&batches.wait_ms);
        comparisons.push(Comparison {
            label: format!("n={agents} ρ={load} P(abandon)"),
            simulated: abandon,
            standard_error: abandon_se,
            theory: theory.probability_of_abandon,
        });
        comparisons.push(Comparison {
            label: format!("n={agents} ρ={load} E[W] ms"),
            simulated: wait,
            standard_error: wait_se,
            theory: theory.mean_wait,
        });
    }
    let table = report(&comparisons);
    println!("{table}");
    assert!(comparisons.iter().all(Comparison::ok), "simulation disagrees with Erlang-A:\n{table}");
}

#[test]
fn erlang_c_probability_of_wait_and_mean_wait_match_theory() {
    let mut comparisons = Vec::new();
    for (agents, load, calls) in [(10, 0.8, 1_800_000.0), (50, 0.85, 3_500_000.0)] {
        let batches = simulate(agents, load, None, calls, 2_000 + agents as u64);
        let theory = ErlangC::new(load * f64::from(agents) / HANDLE_MEAN_MS, 1.0 / HANDLE_MEAN_MS, agents)
            .expect("stable Erlang-C parameters");
        let (waited, waited_se) = batches.estimate(&batches.waited);
        let (wait, wait_se) = batches.estimate(&batches.wait_ms);
        let abandoned: f64 = batches.abandoned.iter().sum();
        assert_eq!(abandoned, 0.0, "nobody abandons with infinite patience");
        comparisons.push(Comparison {
            label: format!("n={agents} ρ={load} P(W>0)"),
            simulated: waited,
            standard_error: waited_se,
            theory: theory.probability_of_wait,
        });
        comparisons.push(Comparison {
            label: format!("n={agents} ρ={load} E[W] ms"),
            simulated: wait,
            standard_error: wait_se,
            theory: theory.mean_wait,
        });
    }
    let table = report(&comparisons);
    println!("{table}");
    assert!(comparisons.iter().all(Comparison::ok), "simulation disagrees with Erlang C:\n{table}");
}

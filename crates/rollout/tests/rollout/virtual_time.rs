//! Rollouts in virtual time: a healthy candidate is promoted through every step, a candidate whose
//! data action drops calls is aborted at the first step (with fewer exposed calls than a
//! fixed-horizon test needs), identical versions abort no more often than alpha over 200 seeds,
//! and no caller is ever split between versions.

use switchboard_model::stats::fixed_horizon_sample_size;
use switchboard_rollout::controller::EventKind;
use switchboard_rollout::sim::{CanaryScenario, run_rollout};
use switchboard_rollout::{Phase, Policy};

fn policy() -> Policy {
    Policy { interval_ms: 120_000, min_calls_per_step: 40, ..Policy::default() }
}

fn weights_reached(events: &[switchboard_rollout::RolloutEvent]) -> Vec<u8> {
    let mut weights: Vec<u8> = Vec::new();
    for event in events {
        if weights.last() != Some(&event.weight) {
            weights.push(event.weight);
        }
    }
    weights
}

#[test]
fn a_healthy_candidate_is_promoted_through_every_step() {
    let scenario = CanaryScenario::default();
    let mut promoted = 0;
    for seed in 0..20 {
        let run = run_rollout(&scenario, &policy(), seed).expect("runs");
        if run.phase == Some(Phase::Promoted) {
            promoted += 1;
            // 0 → 5 → 25 → 50, then the swap (weight 0 on the new active slot).
            assert_eq!(weights_reached(&run.events), vec![0, 5, 25, 50, 0], "seed {seed}");
            assert!(run.events.iter().any(|event| matches!(event.kind, EventKind::Promoted { .. })));
        }
        assert_eq!(run.split_calls, 0, "seed {seed}: a caller ran on both slots");
    }
    assert!(promoted >= 19, "only {promoted} of 20 healthy rollouts promoted");
}

#[test]
fn a_candidate_that_drops_calls_is_aborted_at_the_first_step_with_fewer_calls_than_a_fixed_horizon_test() {
    let scenario = CanaryScenario { candidate_failure: 0.3, ..CanaryScenario::default() };
    let policy = policy();
    // A fixed-horizon test must be sized in advance for the smallest harm worth catching; even a
    // generous one (a doubling of the 1 % drop rate, cruder than the policy's 1.5×) at the
    // disconnect test's alpha and 80 % power needs this many canary calls at 5 %.
    let fixed = fixed_horizon_sample_size(0.01, 0.02, policy.alpha * 0.4, 0.8, 19.0).expect("valid");
    let mut exposed = Vec::new();
    for seed in 0..50 {
        let run = run_rollout(&scenario, &policy, seed).expect("runs");
        assert_eq!(run.phase, Some(Phase::Aborted), "seed {seed}");
        let abort = run.events.iter().find(|event| matches!(event.kind, EventKind::Aborted { .. })).expect("abort event");
        assert_eq!(abort.step, 0, "seed {seed}: aborted after the first step");
        assert_eq!(abort.weight, 0);
        exposed.push(run.candidate_calls);
    }
    exposed.sort_unstable();
    let median = exposed[exposed.len() / 2];
    let worst = exposed[exposed.len() - 1];
    println!("calls exposed to the bad candidate: median {median}, worst {worst}; fixed-horizon test needs {fixed}");
    assert!(worst < fixed, "worst {worst} exposed vs fixed-horizon {fixed}");
}

#[test]
fn identical_versions_abort_no_more_often_than_alpha_over_200_seeds() {
    let scenario = CanaryScenario { duration_minutes: 90.0, ..CanaryScenario::default() };
    let policy = policy();
    let seeds = 200u64;
    let mut aborted = 0;
    for seed in 0..seeds {
        let run = run_rollout(&scenario, &policy, 1_000 + seed).expect("runs");
        if run.phase == Some(Phase::Aborted) {
            aborted += 1;
            let reason = run.events.iter().find_map(|event| match &event.kind {
                EventKind::Aborted { reason } => Some(reason.clone()),
                _ => None,
            });
            println!("seed {}: aborted at step {:?}: {reason:?}", 1_000 + seed, run.events.last().map(|event| event.step));
        }
    }
    println!("A/A: {aborted} of {seeds} rollouts aborted (alpha {})", policy.alpha);
    assert!(aborted as f64 <= policy.alpha * seeds as f64, "{aborted} of {seeds} A/A rollouts aborted");
}

#[test]
fn a_call_that_re_enters_the_traffic_cop_keeps_its_version_through_every_step_and_the_swap() {
    // Every call goes back through the Traffic Cop once, 20 s in, while the weights move fast.
    let scenario = CanaryScenario { reenter: true, duration_minutes: 60.0, ..CanaryScenario::default() };
    let policy = Policy { interval_ms: 60_000, min_calls_per_step: 10, ..Policy::default() };
    let mut saw_both_versions = 0;
    for seed in 0..5 {
        let run = run_rollout(&scenario, &policy, seed).expect("runs");
        assert_eq!(run.phase, Some(Phase::Promoted), "seed {seed}");
        assert_eq!(run.split_calls, 0, "seed {seed}: a re-entering caller changed version");
        if run.candidate_calls > 0 {
            saw_both_versions += 1;
        }
    }
    assert_eq!(saw_both_versions, 5);
}

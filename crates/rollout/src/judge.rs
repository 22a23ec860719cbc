//! The judge: after every analysis interval, is the candidate worse than the active version on the
//! calls each received in that interval?
//!
//! - Abandonment (abandoned / offered) and flow disconnects (disconnects / calls): stratified
//!   mixture SPRTs (`switchboard_model::stats::MixtureSprt`), valid under continuous monitoring, so
//!   the first interval that shows harm stops the rollout without peeking bias.
//! - Speed of answer: Mann-Whitney U on the interval's answered waits, one-sided, with its alpha
//!   divided over every look the rollout may take (Bonferroni), so it too stays valid however often
//!   it is looked at.
//! - The overall alpha is split: 40 % abandonment, 40 % disconnects, 20 % speed of answer.
//!
//! Fail: any test rejects. Pass: no rejection and the step has its minimum calls and intervals
//! (the sequential tests would have stopped a harmful candidate by then with high probability; a
//! point-estimate tolerance on top would only add noise). Otherwise inconclusive.

use crate::policy::Policy;
use crate::tally::{ArmTally, Window};
use serde::{Deserialize, Serialize};
use switchboard_model::stats::{MannWhitney, MixtureSprt, ProportionStratum, SequentialEvidence, StatsError, mann_whitney_u};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Pass,
    Fail,
    Inconclusive,
}

/// What a verdict rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The interval's calls per arm.
    pub active: ArmTally,
    pub candidate: ArmTally,
    /// Cumulative sequential tests since the rollout started.
    pub abandonment: SequentialEvidence,
    pub disconnects: SequentialEvidence,
    /// This interval's speed-of-answer test, when both arms had enough answered calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed_of_answer: Option<MannWhitney>,
    /// The alpha each test used (abandonment, disconnects, speed of answer per look).
    pub alphas: [f64; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub reason: String,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judge {
    policy: Policy,
    abandonment: MixtureSprt,
    disconnects: MixtureSprt,
}

/// Step progress the judge needs to decide a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepProgress {
    pub candidate_calls: u64,
    pub intervals: u32,
}

impl Judge {
    pub fn new(policy: &Policy) -> Result<Judge, StatsError> {
        Ok(Judge {
            policy: policy.clone(),
            abandonment: MixtureSprt::new(policy.alpha * 0.4, policy.harm_ratio, policy.min_events)?,
            disconnects: MixtureSprt::new(policy.alpha * 0.4, policy.harm_ratio, policy.min_events)?,
        })
    }

    fn asa_alpha(&self) -> f64 {
        self.policy.alpha * 0.2 / self.policy.max_looks() as f64
    }

    /// Judges one interval. `progress` counts the step so far, this interval included.
    pub fn judge(&mut self, window: &Window, progress: StepProgress) -> Verdict {
        let (active, candidate) = (&window.active, &window.candidate);
        // Counts come from our own tallies or the analytics API; a source that reports more events
        // than trials is clamped rather than trusted.
        let stratum = |trials_a: u64, events_a: u64, trials_b: u64, events_b: u64| ProportionStratum {
            trials_a,
            events_a: events_a.min(trials_a),
            trials_b,
            events_b: events_b.min(trials_b),
        };
        let abandonment = self
            .abandonment
            .observe(stratum(active.offered, active.abandoned, candidate.offered, candidate.abandoned))
            .map(|_| self.abandonment.look())
            .unwrap_or_else(|_| self.abandonment.evidence());
        let disconnects = self
            .disconnects
            .observe(stratum(active.calls, active.flow_disconnects, candidate.calls, candidate.flow_disconnects))
            .map(|_| self.disconnects.look())
            .unwrap_or_else(|_| self.disconnects.evidence());
        let asa_alpha = self.asa_alpha();
        let min_answered = self.policy.min_answered_for_asa as usize;
        let speed_of_answer = if active.answer_waits_ms.len() >= min_answered && candidate.answer_waits_ms.len() >= min_answered {
            let to_f64 = |waits: &[u64]| waits.iter().map(|wait| *wait as f64).collect::<Vec<f64>>();
            mann_whitney_u(&to_f64(&active.answer_waits_ms), &to_f64(&candidate.answer_waits_ms)).ok()
        } else {
            None
        };
        let evidence = Evidence {
            active: without_waits(active),
            candidate: without_waits(candidate),
            abandonment,
            disconnects,
            speed_of_answer,
            alphas: [self.abandonment.alpha(), self.disconnects.alpha(), asa_alpha],
        };
        let verdict = |kind: VerdictKind, reason: String, evidence: Evidence| Verdict { kind, reason, evidence };

        if disconnects.reject {
            let reason = format!(
                "flow disconnects {:.1}% on the candidate vs {:.1}% active (e-value {:.0} ≥ {:.0})",
                100.0 * rate(disconnects.events_b, disconnects.trials_b),
                100.0 * rate(disconnects.events_a, disconnects.trials_a),
                disconnects.e_value,
                1.0 / self.disconnects.alpha()
            );
            return verdict(VerdictKind::Fail, reason, evidence);
        }
        if abandonment.reject {
            let reason = format!(
                "abandonment {:.1}% on the candidate vs {:.1}% active (e-value {:.0} ≥ {:.0})",
                100.0 * rate(abandonment.events_b, abandonment.trials_b),
                100.0 * rate(abandonment.events_a, abandonment.trials_a),
                abandonment.e_value,
                1.0 / self.abandonment.alpha()
            );
            return verdict(VerdictKind::Fail, reason, evidence);
        }
        if let Some(test) = speed_of_answer
            && test.p_greater < asa_alpha
            && test.effect >= self.policy.max_asa_effect
        {
            let reason = format!(
                "slower answers on the candidate: P(candidate waits longer) = {:.2}, p = {:.2e} < {:.2e}",
                test.effect, test.p_greater, asa_alpha
            );
            return verdict(VerdictKind::Fail, reason, evidence);
        }
        if progress.candidate_calls < self.policy.min_calls_per_step || progress.intervals < self.policy.min_intervals_per_step {
            let reason = format!(
                "{} of {} candidate calls, {} of {} intervals in this step",
                progress.candidate_calls, self.policy.min_calls_per_step, progress.intervals, self.policy.min_intervals_per_step
            );
            return verdict(VerdictKind::Inconclusive, reason, evidence);
        }
        let reason = format!(
            "{} candidate calls this step; abandonment {:+.1} points, disconnects {:+.1} points, no test rejects",
            progress.candidate_calls,
            100.0 * abandonment.difference,
            100.0 * disconnects.difference
        );
        verdict(VerdictKind::Pass, reason, evidence)
    }
}

fn rate(events: u64, trials: u64) -> f64 {
    if trials == 0 { 0.0 } else { events as f64 / trials as f64 }
}

/// Evidence keeps the count and sum of the waits, not every wait (the state is stored after each
/// interval).
fn without_waits(tally: &ArmTally) -> ArmTally {
    let mut kept = ArmTally { answer_waits_ms: Vec::new(), waits_counted: 0, waits_total_ms: 0, ..tally.clone() };
    kept.waits_counted = tally.waits_counted + tally.answer_waits_ms.len() as u64;
    kept.waits_total_ms = tally.waits_total_ms + tally.answer_waits_ms.iter().sum::<u64>();
    kept
}

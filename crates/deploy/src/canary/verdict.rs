//! The canary's judgement, pure: did calls in the canary orgs get worse after the change?
//! Abandonment is compared two ways, the canary orgs after against before and against the
//! untouched orgs over the same window, each with the pooled two-proportion z-test from
//! `switchboard_model::stats`; it regresses when its relative rise passes the policy threshold
//! and the test is significant. Average speed of answer regresses when its rise passes the
//! threshold in seconds (aggregates give sums, not every wait, so there is no rank test for it;
//! the effect and the counts are reported). Too few calls to judge is `inconclusive`, never a pass.

use serde::Serialize;
use switchboard_model::stats::two_proportion_z;
use switchboard_platform::GroupTotals;

use super::settings::CanarySettings;

/// Fewer offered calls than this in a compared sample: no judgement.
pub const MIN_OFFERED: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Regressed,
    Inconclusive,
}

/// One comparison (baseline → sample) with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub name: String,
    pub baseline_offered: u64,
    pub baseline_abandoned: u64,
    pub sample_offered: u64,
    pub sample_abandoned: u64,
    pub baseline_abandon_rate: Option<f64>,
    pub sample_abandon_rate: Option<f64>,
    /// sample rate / baseline rate − 1 (None when the baseline rate is 0 or unknown).
    pub abandon_relative_change: Option<f64>,
    /// One-sided p-value for "the sample abandons more".
    pub abandon_p_value: Option<f64>,
    pub baseline_asa_seconds: Option<f64>,
    pub sample_asa_seconds: Option<f64>,
    pub asa_change_seconds: Option<f64>,
    pub outcome: Outcome,
    /// Why, in words.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub comparisons: Vec<Comparison>,
}

fn compare(name: &str, baseline: &GroupTotals, sample: &GroupTotals, settings: &CanarySettings) -> Comparison {
    let baseline_rate = baseline.abandon_rate();
    let sample_rate = sample.abandon_rate();
    let relative = match (baseline_rate, sample_rate) {
        (Some(before), Some(after)) if before > 0.0 => Some(after / before - 1.0),
        _ => None,
    };
    let test = two_proportion_z(baseline.abandoned, baseline.offered, sample.abandoned, sample.offered).ok();
    let p_value = test.map(|test| test.p_greater);
    let seconds = |totals: &GroupTotals| totals.average_speed_of_answer_ms().map(|ms| ms / 1000.0);
    let (baseline_asa, sample_asa) = (seconds(baseline), seconds(sample));
    let asa_change = baseline_asa.zip(sample_asa).map(|(before, after)| after - before);
    let mut reasons = Vec::new();
    let outcome = if baseline.offered < MIN_OFFERED || sample.offered < MIN_OFFERED {
        reasons.push(format!("too few calls to judge ({} and {} offered; {MIN_OFFERED} needed in each)", baseline.offered, sample.offered));
        Outcome::Inconclusive
    } else {
        // A baseline without abandonment: any significant abandonment is an unbounded relative rise.
        let rise_passes = relative.map_or(sample_rate.unwrap_or(0.0) > 0.0, |relative| relative > settings.abandonment_relative_increase);
        let significant = p_value.is_some_and(|p| p < settings.alpha);
        if rise_passes && significant {
            reasons.push(format!(
                "abandonment {:.1}% → {:.1}% (limit +{:.0}% relative), p = {:.4}",
                baseline_rate.unwrap_or(0.0) * 100.0,
                sample_rate.unwrap_or(0.0) * 100.0,
                settings.abandonment_relative_increase * 100.0,
                p_value.unwrap_or(1.0)
            ));
        }
        if let Some(change) = asa_change.filter(|change| *change > settings.asa_increase_seconds) {
            reasons.push(format!("speed of answer +{change:.1} s (limit +{:.0} s)", settings.asa_increase_seconds));
        }
        // Calls offered but none answered where the baseline answered: speed of answer is unbounded.
        if sample.answered == 0 && baseline.answered > 0 {
            reasons.push(format!("no call answered of {} offered (baseline answered {})", sample.offered, baseline.answered));
        }
        if reasons.is_empty() { Outcome::Pass } else { Outcome::Regressed }
    };
    Comparison {
        name: name.to_string(),
        baseline_offered: baseline.offered,
        baseline_abandoned: baseline.abandoned,
        sample_offered: sample.offered,
        sample_abandoned: sample.abandoned,
        baseline_abandon_rate: baseline_rate,
        sample_abandon_rate: sample_rate,
        abandon_relative_change: relative,
        abandon_p_value: p_value,
        baseline_asa_seconds: baseline_asa,
        sample_asa_seconds: sample_asa,
        asa_change_seconds: asa_change,
        outcome,
        reasons,
    }
}

/// Judges the canary orgs' calls after the change against the same orgs before it and, when
/// there are untouched orgs, against them over the same window. Any regression wins; otherwise
/// a pass needs at least one comparison that could be judged.
pub fn judge(canary_before: &GroupTotals, canary_after: &GroupTotals, control_after: Option<&GroupTotals>, settings: &CanarySettings) -> Verdict {
    let mut comparisons = vec![compare("canary orgs: before → after the change", canary_before, canary_after, settings)];
    if let Some(control) = control_after {
        comparisons.push(compare("untouched orgs → canary orgs, same window", control, canary_after, settings));
    }
    let outcome = if comparisons.iter().any(|comparison| comparison.outcome == Outcome::Regressed) {
        Outcome::Regressed
    } else if comparisons.iter().any(|comparison| comparison.outcome == Outcome::Pass) {
        Outcome::Pass
    } else {
        Outcome::Inconclusive
    };
    Verdict { outcome, comparisons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn settings() -> CanarySettings {
        CanarySettings { percent: 10, steps: vec![100], window: Duration::from_secs(900), abandonment_relative_increase: 0.15, asa_increase_seconds: 10.0, alpha: 0.05 }
    }

    fn totals(offered: u64, abandoned: u64, asa_seconds: f64) -> GroupTotals {
        let answered = offered - abandoned;
        GroupTotals { offered, answered, abandoned, answer_wait_ms: answered as f64 * asa_seconds * 1000.0 }
    }

    #[test]
    fn a_significant_rise_in_abandonment_regresses_with_its_evidence() {
        let verdict = judge(&totals(400, 20, 12.0), &totals(400, 60, 14.0), Some(&totals(2000, 100, 12.0)), &settings());
        assert_eq!(verdict.outcome, Outcome::Regressed);
        let first = &verdict.comparisons[0];
        assert_eq!((first.baseline_abandoned, first.sample_abandoned), (20, 60));
        assert!((first.abandon_relative_change.unwrap_or_default() - 2.0).abs() < 1e-9, "5% → 15% is +200%");
        assert!(first.abandon_p_value.unwrap_or(1.0) < 0.001);
        assert_eq!(verdict.comparisons[1].outcome, Outcome::Regressed, "also worse than the untouched orgs");
    }

    #[test]
    fn a_rise_within_noise_or_under_the_threshold_passes() {
        // +10 % relative (5.0 % → 5.5 %): under the +15 % limit.
        let verdict = judge(&totals(2000, 100, 12.0), &totals(2000, 110, 13.0), Some(&totals(8000, 400, 12.0)), &settings());
        assert_eq!(verdict.outcome, Outcome::Pass, "{verdict:?}");
        // +50 % relative but on a handful of calls: not significant.
        let verdict = judge(&totals(40, 2, 12.0), &totals(40, 3, 12.0), None, &settings());
        assert_eq!(verdict.outcome, Outcome::Pass, "{verdict:?}");
        assert!(verdict.comparisons[0].abandon_p_value.unwrap_or(0.0) > 0.05);
    }

    #[test]
    fn slower_answers_regress_and_too_few_calls_are_inconclusive() {
        let verdict = judge(&totals(500, 10, 8.0), &totals(500, 11, 25.0), None, &settings());
        assert_eq!(verdict.outcome, Outcome::Regressed);
        assert!(verdict.comparisons[0].reasons.iter().any(|reason| reason.contains("speed of answer +17.0 s")), "{verdict:?}");
        let verdict = judge(&totals(5, 0, 8.0), &totals(3, 0, 8.0), None, &settings());
        assert_eq!(verdict.outcome, Outcome::Inconclusive);
    }
}

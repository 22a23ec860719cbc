//! The canary's settings: share of each group's orgs, observation window and regression
//! thresholds, from the policy file (`policies.canary`) with command-line overrides.

use std::time::Duration;

use crate::config::CanaryPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct CanarySettings {
    /// Share of each group's orgs that get the change first, in percent (1..=100).
    pub percent: u32,
    /// The shares after the first, ascending, ending at 100: each step's newly changed orgs
    /// are judged like the first before the next step.
    pub steps: Vec<u32>,
    /// How long calls are observed before and after the change.
    pub window: Duration,
    /// A relative rise in abandonment above this (0.15 = +15 %) counts as a regression when significant.
    pub abandonment_relative_increase: f64,
    /// A rise in average speed of answer above this many seconds counts as a regression.
    pub asa_increase_seconds: f64,
    /// Significance level of the abandonment test (one-sided).
    pub alpha: f64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("canary share {0:?}: expected a percentage such as 10% (1..100)")]
    Percent(String),
    #[error("canary window {0:?}: expected a duration such as 15m, 90s or 1h")]
    Window(String),
    #[error("policies.canary.steps: {0} is not a percentage from 1 to 100")]
    Step(u32),
}

impl CanarySettings {
    /// The policy file's values, each replaced by its flag when given (`--canary 10%`, `--window 15m`).
    pub fn from_policy(policy: &CanaryPolicy, percent: Option<&str>, window: Option<&str>) -> Result<Self, SettingsError> {
        let percent = match percent {
            Some(text) => parse_percent(text)?,
            None => check_percent(policy.percent).ok_or_else(|| SettingsError::Percent(policy.percent.to_string()))?,
        };
        let window = parse_window(window.unwrap_or(&policy.window))?;
        if let Some(bad) = policy.steps.iter().copied().find(|step| check_percent(*step).is_none()) {
            return Err(SettingsError::Step(bad));
        }
        Ok(Self {
            percent,
            steps: later_steps(percent, &policy.steps),
            window,
            abandonment_relative_increase: policy.abandonment_relative_increase,
            asa_increase_seconds: policy.asa_increase_seconds,
            alpha: 0.05,
        })
    }
}

/// The policy's steps above the first share, ascending and deduplicated, ending at 100.
pub fn later_steps(first: u32, steps: &[u32]) -> Vec<u32> {
    let mut later: Vec<u32> = steps.iter().copied().filter(|step| *step > first).chain((first < 100).then_some(100)).collect();
    later.sort_unstable();
    later.dedup();
    later
}

impl CanarySettings {
    /// Every share in order: the first, then each later step.
    pub fn all_steps(&self) -> Vec<u32> {
        std::iter::once(self.percent).chain(self.steps.iter().copied()).collect()
    }
}

fn check_percent(value: u32) -> Option<u32> {
    (1..=100).contains(&value).then_some(value)
}

/// `10%` or `10` → 10.
pub fn parse_percent(text: &str) -> Result<u32, SettingsError> {
    let digits = text.trim().trim_end_matches('%').trim();
    digits.parse::<u32>().ok().and_then(check_percent).ok_or_else(|| SettingsError::Percent(text.to_string()))
}

/// `15m`, `90s`, `1h`, `500ms` → a duration (a bare number is seconds).
pub fn parse_window(text: &str) -> Result<Duration, SettingsError> {
    let trimmed = text.trim();
    let split = trimmed.find(|character: char| !character.is_ascii_digit() && character != '.').unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: f64 = number.parse().map_err(|_| SettingsError::Window(text.to_string()))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(SettingsError::Window(text.to_string())),
    };
    // `try_from` rather than `from_secs_f64`, which panics on values too large for a Duration.
    match Duration::try_from_secs_f64(seconds) {
        Ok(window) if !window.is_zero() => Ok(window),
        _ => Err(SettingsError::Window(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_policy_and_bad_values_name_themselves() {
        let policy = CanaryPolicy::default();
        let settings = CanarySettings::from_policy(&policy, None, None).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((settings.percent, settings.window), (10, Duration::from_secs(900)));
        assert_eq!(settings.abandonment_relative_increase, 0.15);
        assert_eq!(settings.asa_increase_seconds, 10.0);
        let settings = CanarySettings::from_policy(&policy, Some("25%"), Some("90s")).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((settings.percent, settings.window), (25, Duration::from_secs(90)));
        assert_eq!(settings.all_steps(), [25, 100], "no policy steps: straight to everyone");
        let stepped = CanaryPolicy { steps: vec![100, 50, 5], ..CanaryPolicy::default() };
        let settings = CanarySettings::from_policy(&stepped, None, None).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(settings.all_steps(), [10, 50, 100], "steps below the first share are dropped, the rest sorted");
        let bad = CanaryPolicy { steps: vec![50, 150], ..CanaryPolicy::default() };
        assert_eq!(CanarySettings::from_policy(&bad, None, None), Err(SettingsError::Step(150)));
        assert_eq!(parse_window("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_window("1e300h"), Err(SettingsError::Window("1e300h".to_string())), "too large for a Duration");
        assert_eq!(parse_window("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_percent("0%"), Err(SettingsError::Percent("0%".into())));
        assert_eq!(parse_percent("120"), Err(SettingsError::Percent("120".into())));
        assert_eq!(parse_window("15 minutes"), Err(SettingsError::Window("15 minutes".into())));
        assert_eq!(parse_window("-5m"), Err(SettingsError::Window("-5m".into())));
    }
}

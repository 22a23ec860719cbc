//! Fault rules (`/_emulator/faults`): matching and the seeded random draws that decide whether
//! a request is faulted. What a fault does to the request is `middleware::faults`'s job.

use crate::error::ApiError;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;
use switchboard_api::emulator::FaultRule;

struct ActiveRule {
    rule: FaultRule,
    pattern: regex_lite::Regex,
    rng: StdRng,
}

#[derive(Default)]
pub struct FaultBook {
    rules: Vec<ActiveRule>,
    next_number: u64,
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultDecision {
    pub rule_id: String,
    pub delay: Duration,
    pub hang: bool,
    pub reset: bool,
    pub status: Option<u16>,
    pub retry_after_seconds: Option<u64>,
}

impl FaultDecision {
    /// The metrics label for the fault's main effect.
    pub fn kind(&self) -> &'static str {
        if self.reset {
            "reset"
        } else if self.hang {
            "hang"
        } else if self.status.is_some() {
            "status"
        } else {
            "latency"
        }
    }
}

/// Turns a path glob into an anchored regex: `**` crosses segments, `*` stays within one.
fn glob_to_regex(glob: &str) -> Result<regex_lite::Regex, ApiError> {
    let mut pattern = String::from("^");
    let mut rest = glob;
    while let Some(character) = rest.chars().next() {
        if rest.starts_with("**") {
            pattern.push_str(".*");
            rest = &rest[2..];
            continue;
        }
        if character == '*' {
            pattern.push_str("[^/]*");
        } else {
            pattern.push_str(&regex_lite::escape(&character.to_string()));
        }
        rest = &rest[character.len_utf8()..];
    }
    pattern.push('$');
    regex_lite::Regex::new(&pattern).map_err(|error| ApiError::invalid_value(format!("path: {error}")))
}

impl FaultBook {
    /// Validates and adds a rule; returns it with its id and bookkeeping filled in.
    pub fn add(&mut self, mut rule: FaultRule) -> Result<FaultRule, ApiError> {
        if !rule.path.starts_with('/') {
            return Err(ApiError::invalid_value("path: must start with '/' (globs: * and **)"));
        }
        if let Some(probability) = rule.probability
            && !(0.0..=1.0).contains(&probability)
        {
            return Err(ApiError::invalid_value("probability: must be between 0 and 1"));
        }
        if let Some(status) = rule.status
            && !(100..=599).contains(&status)
        {
            return Err(ApiError::invalid_value("status: must be an HTTP status code"));
        }
        if rule.status.is_none() && !rule.hang && !rule.reset && rule.latency_ms.is_none() {
            return Err(ApiError::invalid_value("a rule needs one of status, latencyMs, hang or reset"));
        }
        let pattern = glob_to_regex(&rule.path)?;
        if rule.id.is_empty() {
            self.next_number += 1;
            rule.id = format!("fault-{}", self.next_number);
        }
        if self.rules.iter().any(|active| active.rule.id == rule.id) {
            return Err(ApiError::conflict(format!("fault rule {} already exists", rule.id)));
        }
        rule.remaining = rule.count;
        rule.applied = 0;
        let seed = rule.seed.unwrap_or_else(|| super::ids::hash64(rule.id.as_bytes()));
        self.rules.push(ActiveRule { rule: rule.clone(), pattern, rng: StdRng::seed_from_u64(seed) });
        Ok(rule)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.iter().map(|active| active.rule.clone()).collect()
    }

    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|active| active.rule.id != id);
        self.rules.len() != before
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The first rule that matches and fires for this request, if any. Draws happen only for
    /// matching rules, so unrelated traffic does not shift a rule's random sequence.
    pub fn decide(&mut self, org: Option<(&str, &str)>, method: &str, path: &str) -> Option<FaultDecision> {
        for active in &mut self.rules {
            let rule = &active.rule;
            if rule.remaining == Some(0) || !active.pattern.is_match(path) {
                continue;
            }
            if let Some(wanted) = &rule.method
                && !wanted.eq_ignore_ascii_case(method)
            {
                continue;
            }
            if let Some(wanted) = &rule.org {
                let Some((org_id, org_name)) = org else { continue };
                if wanted != org_id && wanted != org_name {
                    continue;
                }
            }
            let probability = rule.probability.unwrap_or(1.0);
            if active.rng.random::<f64>() >= probability {
                continue;
            }
            let jitter = match rule.jitter_ms {
                Some(jitter) if jitter > 0 => active.rng.random_range(0..=jitter),
                _ => 0,
            };
            let rule = &mut active.rule;
            rule.remaining = rule.remaining.map(|left| left.saturating_sub(1));
            rule.applied += 1;
            return Some(FaultDecision {
                rule_id: rule.id.clone(),
                delay: Duration::from_millis(rule.latency_ms.unwrap_or(0) + jitter),
                hang: rule.hang,
                reset: rule.reset,
                status: rule.status,
                retry_after_seconds: rule.retry_after_seconds,
            });
        }
        None
    }
}

//! Fault rules (`/_emulator/faults`): matching and the seeded random draws that decide whether
//! a request is faulted. What a fault does to the request is `middleware::faults`'s job.

use crate::error::ApiError;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use super::glob::Glob;
use std::sync::Arc;
use std::time::Duration;
use switchboard_api::emulator::FaultRule;

struct ActiveRule {
    rule: FaultRule,
    matcher: Arc<Matcher>,
    rng: StdRng,
}

/// What a rule matches on, shared so requests can match outside the fault-rule lock.
pub struct Matcher {
    id: String,
    glob: Glob,
    method: Option<String>,
    org: Option<String>,
}

impl Matcher {
    fn matches(&self, org: Option<(&str, &str)>, method: &str, path: &str) -> bool {
        if let Some(wanted) = &self.method
            && !wanted.eq_ignore_ascii_case(method)
        {
            return false;
        }
        if let Some(wanted) = &self.org {
            let Some((org_id, org_name)) = org else { return false };
            if wanted != org_id && wanted != org_name {
                return false;
            }
        }
        self.glob.is_match(path)
    }
}

/// The rules' matchers at one moment, in order; cheap to take under the lock.
pub struct Matchers(Vec<Arc<Matcher>>);

impl Matchers {
    /// Ids of the rules that match the request, in rule order. Runs without any lock held.
    pub fn matching(&self, org: Option<(&str, &str)>, method: &str, path: &str) -> Vec<String> {
        self.0.iter().filter(|matcher| matcher.matches(org, method, path)).map(|matcher| matcher.id.clone()).collect()
    }
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
        if self.rules.len() >= crate::limits::FAULT_RULES_MAX {
            return Err(ApiError::invalid_value(format!("at most {} fault rules at once", crate::limits::FAULT_RULES_MAX)));
        }
        let delay = rule.latency_ms.unwrap_or(0).saturating_add(rule.jitter_ms.unwrap_or(0));
        crate::limits::at_most("latencyMs + jitterMs", delay, crate::limits::FAULT_DELAY_MS_MAX)?;
        for (field, value) in [("id", Some(&rule.id)), ("org", rule.org.as_ref()), ("method", rule.method.as_ref())] {
            if let Some(value) = value {
                crate::limits::text(field, value, crate::limits::ID_CHARS_MAX, false)?;
            }
        }
        let glob = Glob::new(&rule.path)?;
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
        let matcher = Arc::new(Matcher { id: rule.id.clone(), glob, method: rule.method.clone(), org: rule.org.clone() });
        self.rules.push(ActiveRule { rule: rule.clone(), matcher, rng: StdRng::seed_from_u64(seed) });
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

    /// The rules' matchers, to match a request against after the lock is released.
    pub fn matchers(&self) -> Matchers {
        Matchers(self.rules.iter().filter(|active| active.rule.remaining != Some(0)).map(|active| active.matcher.clone()).collect())
    }

    /// The first of the `matching` rules (from `Matchers::matching`) that fires, if any. Draws
    /// happen only for matching rules, so unrelated traffic does not shift a rule's random
    /// sequence. A rule removed since it was matched is skipped.
    pub fn decide(&mut self, matching: &[String]) -> Option<FaultDecision> {
        for id in matching {
            let Some(active) = self.rules.iter_mut().find(|active| &active.rule.id == id) else { continue };
            let rule = &active.rule;
            if rule.remaining == Some(0) {
                continue;
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
                // Bounded when the rule was added; saturating all the same.
                delay: Duration::from_millis(rule.latency_ms.unwrap_or(0).saturating_add(jitter)),
                hang: rule.hang,
                reset: rule.reset,
                status: rule.status,
                retry_after_seconds: rule.retry_after_seconds,
            });
        }
        None
    }
}

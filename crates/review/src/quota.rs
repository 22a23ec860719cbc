//! Quota and licence headroom (seed 001 §4): fail when less than `--min-headroom-percent`
//! (default 10 %) of a licence or limit is available, or when the feature's projected peak does
//! not fit what is left.
//!
//! Sources, real shapes first: organization limits (`GET /api/v2/organizations/limits/namespaces/{ns}`),
//! the review client's API usage (`GET /api/v2/oauth/clients/{id}/usage/summary`, waited for),
//! and licence seats (`GET /api/v2/license/organization`, an extension: the real licence API has
//! no seat counts, so against a real org the licence part is reported as not readable, never as a pass).

use crate::finding::{Check, Finding, Severity};
use std::collections::BTreeMap;
use switchboard_platform::{OperationWait, Platform, PlatformError, PlatformExt};

/// The API rate limit the usage is held to.
pub const API_NAMESPACE: &str = "platform.api";
pub const API_RATE_KEY: &str = "client.credentials.token.rate.per.minute";

pub struct QuotaOutcome {
    pub subjects: Vec<String>,
    pub findings: Vec<Finding>,
    /// What could not be read and why (not failures: shown in the report's check reason).
    pub notes: Vec<String>,
}

fn finding(code: &str, subject: &str, message: String, evidence: Vec<String>) -> Finding {
    Finding { check: Check::QuotaHeadroom, code: code.to_string(), severity: Severity::Error, subject: subject.to_string(), message, evidence }
}

/// Headroom as a percentage of `total` once `used` (and a projected peak) are taken.
fn headroom_percent(total: f64, used: f64) -> f64 {
    if total <= 0.0 { 0.0 } else { (total - used) / total * 100.0 }
}

pub async fn run<P: Platform + ?Sized>(
    platform: &P,
    min_headroom_percent: f64,
    projected_peak: &BTreeMap<String, u64>,
    own_client_id: Option<&str>,
) -> Result<QuotaOutcome, PlatformError> {
    let mut outcome = QuotaOutcome { subjects: Vec::new(), findings: Vec::new(), notes: Vec::new() };

    // Licences: seats bought, assigned, available.
    match platform.licenses().seats().await {
        Ok(seats) => {
            for licence in seats.licenses {
                let subject = format!("license:{}", licence.id);
                outcome.subjects.push(subject.clone());
                let evidence = vec![format!(
                    "GET /api/v2/license/organization: {} seats, {} assigned, {} available",
                    licence.seats, licence.assigned, licence.available
                )];
                let available_percent = licence.available_ratio() * 100.0;
                if available_percent < min_headroom_percent {
                    outcome.findings.push(finding(
                        "license-headroom-low",
                        &subject,
                        format!("{:.0}% of `{}` seats available ({} of {}); the floor is {min_headroom_percent}%", available_percent, licence.id, licence.available, licence.seats),
                        evidence.clone(),
                    ));
                }
                if let Some(peak) = projected_peak.get(&licence.id)
                    && *peak > licence.available
                {
                    outcome.findings.push(finding(
                        "projected-peak-exceeds",
                        &subject,
                        format!("the feature's projected peak of {peak} `{}` seats exceeds the {} available", licence.id, licence.available),
                        evidence,
                    ));
                }
            }
        }
        Err(PlatformError::Unsupported { .. } | PlatformError::NotFound { .. }) => {
            outcome.notes.push("licence seats are not readable on this platform (the real licence API has no seat counts)".into());
        }
        Err(error) => return Err(error),
    }

    // The API rate limit, the review client's usage against it, and any projected limit peaks.
    let api = platform.limits().namespace(API_NAMESPACE).await?;
    if let Some(rate) = api.value(API_RATE_KEY) {
        let subject = format!("limit:{API_NAMESPACE}/{API_RATE_KEY}");
        outcome.subjects.push(subject.clone());
        let mut evidence = vec![format!("GET /api/v2/organizations/limits/namespaces/{API_NAMESPACE}: {API_RATE_KEY} = {rate}")];
        let mut used_per_minute = 0.0;
        if let Some(client) = own_client_id {
            match platform.oauth_clients().usage_summary_and_wait(client, 1, OperationWait::default()).await {
                Ok(usage) => {
                    let requests: u64 = usage.results.iter().map(|row| row.status200 + row.status300 + row.status400 + row.status500 + row.status429).sum();
                    // The summary covers a day: its average per minute (a floor for the peak).
                    used_per_minute = requests as f64 / 1_440.0;
                    evidence.push(format!("GET /api/v2/oauth/clients/{client}/usage/summary?days=1: {requests} requests ({used_per_minute:.1} per minute on average)"));
                }
                Err(error) => outcome.notes.push(format!("API usage not readable: {error}")),
            }
        }
        let peak = projected_peak.get(&format!("{API_NAMESPACE}/{API_RATE_KEY}")).copied().unwrap_or(0) as f64;
        let left = headroom_percent(rate as f64, used_per_minute + peak);
        if left < min_headroom_percent {
            outcome.findings.push(finding(
                "limit-headroom-low",
                &subject,
                format!(
                    "{left:.0}% of the {rate} requests per minute left after current use ({used_per_minute:.1}) and the projected peak ({peak}); the floor is {min_headroom_percent}%"
                ),
                evidence,
            ));
        }
    }
    for (name, peak) in projected_peak {
        let Some((namespace, key)) = name.split_once('/') else { continue };
        if namespace == API_NAMESPACE && key == API_RATE_KEY {
            continue;
        }
        let limits = platform.limits().namespace(namespace).await?;
        let subject = format!("limit:{namespace}/{key}");
        outcome.subjects.push(subject.clone());
        let Some(value) = limits.value(key) else {
            outcome.notes.push(format!("{namespace} has no limit `{key}`"));
            continue;
        };
        let left = headroom_percent(value as f64, *peak as f64);
        if left < min_headroom_percent {
            outcome.findings.push(finding(
                if *peak as i64 > value { "projected-peak-exceeds" } else { "limit-headroom-low" },
                &subject,
                format!("the projected peak of {peak} leaves {left:.0}% of the limit {value}; the floor is {min_headroom_percent}%"),
                vec![format!("GET /api/v2/organizations/limits/namespaces/{namespace}: {key} = {value}")],
            ));
        }
    }
    Ok(outcome)
}

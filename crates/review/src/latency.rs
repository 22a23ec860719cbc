//! The latency SLA check: N probes per integration through the platform — the real data-action
//! test call, `POST /api/v2/integrations/actions/{actionId}/test` — and N directly against the
//! endpoint it resolves to (from the review's host: a sandbox that reaches the CRM directly while
//! production sits behind a firewall is what seed 001 warns of). The p95 of each path is held to
//! the SLA (default 4000 ms, per integration overridable), and every answer to the expected
//! status: a 200 that is too slow fails.

use crate::finding::{Check, Finding, Severity};
use crate::integrations::{ProbeTarget, subject};
use std::time::{Duration, Instant};
use switchboard_platform::{Platform, PlatformExt};

/// What one path's probes saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    pub path: &'static str,
    /// Latency of each probe, ms.
    pub latencies_ms: Vec<u64>,
    /// The endpoint's status per probe; `None` when no answer came.
    pub statuses: Vec<Option<u16>>,
    /// Why a probe got no answer.
    pub errors: Vec<String>,
}

impl ProbeResult {
    /// p95 by nearest rank.
    pub fn p95_ms(&self) -> Option<u64> {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_unstable();
        let rank = (sorted.len() * 95).div_ceil(100);
        sorted.get(rank.checked_sub(1)?).copied()
    }

    pub fn evidence(&self) -> String {
        let probes: Vec<String> = self
            .latencies_ms
            .iter()
            .zip(&self.statuses)
            .map(|(latency, status)| match status {
                Some(status) => format!("{status} in {latency} ms"),
                None => format!("no answer after {latency} ms"),
            })
            .collect();
        format!("{}: p95 {} ms; {}", self.path, self.p95_ms().map_or("-".into(), |p95| p95.to_string()), probes.join(", "))
    }
}

/// Probes `target` through the platform's test call, `count` times in a row.
pub async fn probe_platform<P: Platform + ?Sized>(platform: &P, target: &ProbeTarget, count: usize) -> (ProbeResult, Option<(String, String)>) {
    let mut result = ProbeResult { path: "platform test call", latencies_ms: Vec::new(), statuses: Vec::new(), errors: Vec::new() };
    let mut endpoint = None;
    let inputs = serde_json::Value::Object(target.inputs.clone());
    for _ in 0..count {
        let started = Instant::now();
        let answer = platform.integrations().test_action(&target.action_id, &inputs, false).await;
        let latency = started.elapsed().as_millis() as u64;
        match answer {
            Ok(test) => {
                let request = test.request_step().and_then(|step| step.result.clone());
                let status = request.as_ref().and_then(|result| result["statusCode"].as_u64()).and_then(|status| u16::try_from(status).ok());
                // Latency as the platform measured the request, else the round trip we saw.
                let measured = request.as_ref().and_then(|result| result["latencyMs"].as_u64()).unwrap_or(latency);
                let url = test.operations.first().and_then(|step| step.result.as_ref()).and_then(|url| url.as_str()).map(str::to_string);
                let method = request.as_ref().and_then(|result| result["method"].as_str()).unwrap_or("GET").to_string();
                if let Some(url) = url {
                    endpoint = Some((method, url));
                }
                if status.is_none() {
                    result.errors.push(test.error.map(|error| error.message).unwrap_or_else(|| "no answer".into()));
                }
                result.latencies_ms.push(measured);
                result.statuses.push(status);
            }
            Err(error) => {
                result.latencies_ms.push(latency);
                result.statuses.push(None);
                result.errors.push(error.to_string());
            }
        }
    }
    (result, endpoint)
}

/// Probes the endpoint directly with the action's inputs (in the query for GET and DELETE, as a
/// JSON body otherwise, as the platform sends them), `count` times, giving up on a probe at twice
/// the SLA.
pub async fn probe_direct(method: &str, url: &str, inputs: &serde_json::Map<String, serde_json::Value>, count: usize, sla_ms: u64) -> ProbeResult {
    let mut result = ProbeResult { path: "direct", latencies_ms: Vec::new(), statuses: Vec::new(), errors: Vec::new() };
    let client = match reqwest::Client::builder().timeout(Duration::from_millis(sla_ms.saturating_mul(2).max(1))).build() {
        Ok(client) => client,
        Err(error) => {
            result.errors.push(error.to_string());
            return result;
        }
    };
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    for _ in 0..count {
        let started = Instant::now();
        let mut request = client.request(method.clone(), url);
        request = if matches!(method, reqwest::Method::GET | reqwest::Method::DELETE) {
            let pairs: Vec<(String, String)> = inputs
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_string)))
                .collect();
            request.query(&pairs)
        } else {
            request.json(inputs)
        };
        let answer = request.send().await;
        let latency = started.elapsed().as_millis() as u64;
        result.latencies_ms.push(latency);
        match answer {
            Ok(response) => {
                result.statuses.push(Some(response.status().as_u16()));
                // Read the whole answer: latency is to the last byte, as the platform times it.
                let _ = response.bytes().await;
                if let Some(last) = result.latencies_ms.last_mut() {
                    *last = started.elapsed().as_millis() as u64;
                }
            }
            Err(error) => {
                result.statuses.push(None);
                result.errors.push(error.to_string());
            }
        }
    }
    result
}

/// Findings for one path's probes of one integration.
pub fn judge(target: &ProbeTarget, probes: &ProbeResult, sla_ms: u64, expected_status: u16) -> Vec<Finding> {
    let subject = subject(target);
    let evidence = vec![probes.evidence()];
    let mut findings = Vec::new();
    let finding = |code: &str, message: String| Finding {
        check: Check::LatencySla,
        code: code.to_string(),
        severity: Severity::Error,
        subject: subject.clone(),
        message,
        evidence: evidence.clone(),
    };
    let unanswered = probes.statuses.iter().filter(|status| status.is_none()).count();
    if unanswered > 0 {
        let reason = probes.errors.first().cloned().unwrap_or_default();
        findings.push(finding(
            "integration-unreachable",
            format!("{}: {unanswered} of {} probes got no answer ({reason})", probes.path, probes.statuses.len()),
        ));
    }
    let wrong: Vec<u16> = probes.statuses.iter().flatten().copied().filter(|status| *status != expected_status).collect();
    if !wrong.is_empty() {
        findings.push(finding(
            "unexpected-status",
            format!("{}: {} of {} probes answered {:?}, expected {expected_status}", probes.path, wrong.len(), probes.statuses.len(), wrong),
        ));
    }
    if let Some(p95) = probes.p95_ms()
        && p95 > sla_ms
    {
        findings.push(finding("latency-over-sla", format!("{}: p95 {p95} ms is over the {sla_ms} ms SLA", probes.path)));
    }
    findings
}

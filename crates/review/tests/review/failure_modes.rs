//! The fault drills on the flow runtime: each scenario's call path proves the rule (attempts,
//! Retry-After, error path, budget, no endless retry).

use switchboard_review::failure_modes::{self, FaultPolicy};
use switchboard_review::static_checks::{self, FlowText};

const POLICY: FaultPolicy = FaultPolicy { sla_ms: 4_000, budget_ms: 60_000 };

fn drill(yaml: &str) -> Vec<switchboard_review::Finding> {
    let (loaded, load_findings) = static_checks::load(&[FlowText { origin: "test.yaml".into(), text: yaml.into() }]);
    assert!(load_findings.is_empty(), "{load_findings:?}");
    let (subjects, findings) = failure_modes::run(&loaded, POLICY);
    assert_eq!(subjects, vec!["flow:Drill".to_string()]);
    findings
}

fn flow(data_action: &str) -> String {
    format!(
        "name: Drill\nstart: lookup\nblocks:\n  lookup:\n    type: data_action\n    integration: CRM\n{data_action}    on_success: queue\n    on_error: fallback\n  fallback: {{type: transfer_to_queue, queue: Support, priority: 5}}\n  queue: {{type: transfer_to_queue, queue: Support}}\n"
    )
}

fn codes(findings: &[switchboard_review::Finding]) -> Vec<String> {
    let mut codes: Vec<String> = findings.iter().map(|finding| format!("{} {}", finding.code, finding.message.split(':').next().unwrap_or(""))).collect();
    codes.sort();
    codes
}

#[test]
fn a_resilient_flow_passes_every_scenario() {
    let findings = drill(&flow("    timeout_ms: 3000\n    retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 1000, max_delay_ms: 4000}\n"));
    assert_eq!(codes(&findings), Vec::<String>::new());
}

#[test]
fn an_unbounded_retry_loop_retries_forever() {
    let yaml = "name: Drill\nstart: lookup\nblocks:\n  lookup: {type: data_action, integration: CRM, timeout_ms: 3000, on_success: queue, on_error: pause}\n  pause: {type: wait, duration_ms: 1000, next: lookup}\n  queue: {type: transfer_to_queue, queue: Support}\n";
    let findings = drill(yaml);
    let forever: Vec<_> = findings.iter().filter(|finding| finding.code == "fault-retries-forever").collect();
    assert!(forever.iter().any(|finding| finding.message.starts_with("503 always")), "{findings:#?}");
    // The evidence is the call's path: the loop, attempt by attempt, and no end.
    let evidence = &forever[0].evidence;
    assert!(evidence[0].starts_with("run: virtual time, "), "{evidence:?}");
    assert!(evidence[1].starts_with("path: lookup → pause → lookup → pause"), "{evidence:?}");
    assert!(evidence.iter().any(|line| line.starts_with("lookup attempt 1 at 0 ms: HTTP 503 after 40 ms")), "{evidence:?}");
    assert_eq!(evidence.last().map(String::as_str), Some("never ended"));
}

#[test]
fn attempts_retry_after_and_budget_are_held_to() {
    // Ten attempts at up to a minute apart: ends on the error path, but far past the budget.
    let findings = drill(&flow("    timeout_ms: 4000\n    retry: {max_attempts: 10, backoff: exponential, initial_delay_ms: 5000, max_delay_ms: 60000}\n"));
    let over: Vec<_> = findings.iter().filter(|finding| finding.code == "fault-over-budget").collect();
    assert!(over.iter().any(|finding| finding.message.starts_with("503 always")), "{findings:#?}");
    assert!(over[0].evidence.iter().any(|line| line.contains("lookup attempt 10 ")), "{:?}", over[0].evidence);
    assert!(over[0].evidence.last().is_some_and(|line| line.starts_with("ended at `fallback`")), "{:?}", over[0].evidence);
    assert!(!findings.iter().any(|finding| finding.code == "retry-after-ignored" || finding.code == "fault-wrong-attempts"), "{findings:#?}");

    // The runtime honours Retry-After: a 100 ms fixed backoff becomes 2 s under a 429.
    let findings = drill(&flow("    timeout_ms: 3000\n    retry: {max_attempts: 3, backoff: fixed, initial_delay_ms: 100}\n"));
    assert_eq!(codes(&findings), Vec::<String>::new());
}

#[test]
fn a_timeout_past_the_sla_accepts_slow_answers() {
    let findings = drill(&flow("    timeout_ms: 8000\n"));
    assert_eq!(codes(&findings), vec!["fault-slow-answer-accepted answer just over the SLA".to_string()]);
    assert!(findings[0].evidence.iter().any(|line| line == "lookup attempt 1 at 0 ms: success after 4100 ms"), "{:?}", findings[0].evidence);
}

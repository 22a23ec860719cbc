//! Data-action retry semantics as the engine runs them in virtual time.

use switchboard_simulation::runtime::AttemptOutcome;
use switchboard_simulation::{CallOutcome, CallRecord, VecSink, load_scenario, run};

fn scenario(failure: &str, retry: &str) -> String {
    format!(
        r#"
duration_minutes: 60
flows:
  - definition:
      name: IVR
      start: lookup
      blocks:
        lookup:
          type: data_action
          integration: CRM
          inputs: {{ phone: "=ANI" }}
          timeout_ms: 5000
          retry: {retry}
          on_success: queue
          on_error: fallback
        queue: {{ type: transfer_to_queue, queue: Main }}
        fallback: {{ type: disconnect, reason: crm_down }}
integrations:
  - name: CRM
    latency: {{ type: uniform, min_ms: 50, max_ms: 400 }}
    {failure}
queues:
  - name: Main
    agents: 5
    handle: {{ type: constant, ms: 1000 }}
dids:
  - number: "+1"
    flow: IVR
    calls_per_hour: 300
"#
    )
}

fn records(text: &str) -> Vec<CallRecord> {
    let scenario = load_scenario(text, "retry.yaml").unwrap_or_else(|error| panic!("{error}"));
    let mut sink = VecSink::with_limit(10_000);
    run(&scenario, 5, &mut sink);
    assert!(sink.records.len() > 200, "enough calls: {}", sink.records.len());
    sink.records
}

#[test]
fn always_503_goes_down_on_error_after_exactly_max_attempts_with_growing_delays() {
    let text = scenario(
        "failure_probability: 1.0\n    failure_status: 503",
        "{ max_attempts: 4, backoff: exponential, initial_delay_ms: 1000, max_delay_ms: 60000 }",
    );
    for record in records(&text) {
        let attempts = &record.path.data_actions;
        assert_eq!(attempts.len(), 4, "call {}", record.call_id);
        assert!(attempts.iter().all(|attempt| attempt.outcome == AttemptOutcome::Failure { status: Some(503) }));
        assert_eq!(record.outcome, CallOutcome::FlowDisconnect { reason: "crm_down".into() });
        assert_eq!(record.path.terminal.as_ref().map(|terminal| &*terminal.block), Some("fallback"));
        // The gap between attempt starts is latency + backoff; the backoffs themselves must grow.
        let backoffs: Vec<u64> = attempts.iter().filter_map(|attempt| attempt.backoff_ms).collect();
        assert_eq!(backoffs.len(), 3);
        assert!(backoffs.windows(2).all(|pair| pair[0] < pair[1]), "{backoffs:?}");
        for pair in attempts.windows(2) {
            let gap = pair[1].started_at_ms - pair[0].started_at_ms;
            assert_eq!(gap, pair[0].latency_ms + pair[0].backoff_ms.unwrap_or(0));
        }
        // The engine's clock agrees with the runtime's account of the call.
        let last = &attempts[3];
        assert_eq!(record.flow_ms, last.started_at_ms + last.latency_ms);
        assert_eq!(record.ended_at_ms - record.arrived_at_ms, record.flow_ms);
    }
}

#[test]
fn a_429_with_retry_after_2s_waits_at_least_2000_ms_of_virtual_time() {
    let text = scenario(
        "rate_limit_probability: 1.0\n    retry_after_ms: 2000",
        "{ max_attempts: 3, backoff: exponential, initial_delay_ms: 100, max_delay_ms: 400 }",
    );
    for record in records(&text) {
        let attempts = &record.path.data_actions;
        assert_eq!(attempts.len(), 3);
        for pair in attempts.windows(2) {
            assert_eq!(pair[0].outcome, AttemptOutcome::Failure { status: Some(429) });
            let waited = pair[1].started_at_ms - (pair[0].started_at_ms + pair[0].latency_ms);
            assert!(waited >= 2_000, "waited {waited} ms");
        }
        let latencies: u64 = attempts.iter().map(|attempt| attempt.latency_ms).sum();
        assert!(record.ended_at_ms - record.arrived_at_ms >= latencies + 4_000);
    }
}

#[test]
fn a_healthy_integration_reaches_the_queue_in_one_attempt() {
    let text = scenario("failure_probability: 0.0", "{ max_attempts: 3 }");
    for record in records(&text) {
        assert_eq!(record.path.data_actions.len(), 1);
        assert!(matches!(record.outcome, CallOutcome::Answered { .. } | CallOutcome::Abandoned { .. }));
    }
}

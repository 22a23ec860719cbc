//! A flow-format flow and its export in Architect's names (`archy::scoped`: `Flow.` variables,
//! `and`/`or`, a read of incoming participant data) run the same day: the same report, call for
//! call, so the translation export applies changes names, not behaviour.

use switchboard_model::archy;
use switchboard_model::flow::FlowDefinition;
use switchboard_simulation::{NullSink, load_scenario, run};

fn example(file: &str) -> FlowDefinition {
    let path = format!("{}/../../examples/flows/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    switchboard_model::load::parse_flow_yaml(&text, &path).unwrap_or_else(|error| panic!("{error}"))
}

/// The examples' Traffic Cop in front of two copies of the Main IVR, a CRM that fails 60% of
/// the time and otherwise answers `VIP`, and the queues they name.
fn day(transform: &dyn Fn(&FlowDefinition) -> FlowDefinition) -> String {
    let cop = transform(&example("traffic_cop.yaml"));
    let blue = transform(&example("main_ivr.yaml"));
    let mut green = blue.clone();
    green.name = "Main_IVR_Green".to_string();
    let json = |flow: &FlowDefinition| serde_json::to_string(flow).unwrap_or_else(|error| panic!("{error}"));
    format!(
        r#"
duration_minutes: 240
flows:
  - {{ id: cop, definition: {cop} }}
  - {{ id: blue, version: "7", definition: {blue} }}
  - {{ id: green, version: "8", definition: {green} }}
integrations:
  - {{ name: CRM_Customer_Lookup, latency: {{ type: exponential, mean_ms: 400 }}, failure_probability: 0.6, outputs: {{ tier: VIP }} }}
datatables:
  - name: Deployment_Control
    rows:
      Environment_State: {{ Active_Flow_ID: Main_IVR_Blue, Traffic_Weight: "20" }}
queues:
  - {{ name: Support, agents: 12, handle: {{ type: exponential, mean_ms: 200000 }} }}
  - {{ name: Priority_Support, agents: 8, handle: {{ type: exponential, mean_ms: 200000 }} }}
dids:
  - {{ number: "+1", flow: Traffic_Cop, calls_per_hour: 400 }}
"#,
        cop = json(&cop),
        blue = json(&blue),
        green = json(&green),
    )
}

#[test]
fn a_flow_and_its_export_in_architect_names_run_the_same_day() {
    let original = load_scenario(&day(&Clone::clone), "original.yaml").unwrap_or_else(|error| panic!("{error}"));
    let scoped = load_scenario(&day(&archy::scoped), "scoped.yaml").unwrap_or_else(|error| panic!("{error}"));
    let (before, after) = (run(&original, 5, &mut NullSink), run(&scoped, 5, &mut NullSink));
    let figures = |report: &switchboard_simulation::SimulationReport| {
        serde_json::json!({ "calls": report.calls, "totals": report.totals, "queues": report.queues, "versions": report.flow_versions })
    };
    assert!(before.calls > 1_000, "{}", before.calls);
    let queues = &before.queues;
    assert!(queues.iter().all(|queue| queue.metrics.tally.offered > 100), "both queues take calls");
    assert_eq!(figures(&before), figures(&after));
    // The translation did change the flows.
    let exported = archy::export(&example("main_ivr.yaml"));
    assert!(exported.contains("Flow.Customer_Tier") && exported.contains("getParticipantData"), "{exported}");
}

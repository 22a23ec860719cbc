//! The Traffic Cop flow: reads the `Deployment_Control` row on every call and transfers the call to
//! the active or the candidate slot. A call that already carries `Flow_Version` (it went through an
//! IVR and came back, say for a sub-module) keeps its version: it goes to the candidate only if
//! that is the version it ran, otherwise to the active slot (seed 004, edge case 1). It reads and
//! writes no other participant data. One definition for both clocks; published as Archy YAML.

use crate::control_row::{ACTIVE_FLOW_ID, ACTIVE_VERSION, CANDIDATE_FLOW_ID, CANDIDATE_VERSION, CONTROL_KEY, CONTROL_TABLE, TRAFFIC_WEIGHT};
use switchboard_model::flow::FlowDefinition;

/// The Traffic Cop's flow name for an IVR named `flow`.
pub fn traffic_cop_name(flow: &str) -> String {
    format!("{flow}_Traffic_Cop")
}

/// The slot flow names for an IVR named `flow`.
pub fn slot_names(flow: &str) -> [String; 2] {
    [format!("{flow}_Blue"), format!("{flow}_Green")]
}

/// The Traffic Cop in the model's flow format. `fallback` is the slot a call goes to when the row
/// is missing or unreadable (the Blue slot: where the flow's calls went before the rollout).
pub fn traffic_cop_yaml(flow: &str, fallback: &str) -> String {
    let name = traffic_cop_name(flow);
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"name: {name}
flow_type: inbound_call
description: "Traffic Cop for {flow}: routes each new call by the {CONTROL_TABLE} row; managed by switchboard rollout"
variables:
  {ACTIVE_FLOW_ID}: {{ type: string }}
  {ACTIVE_VERSION}: {{ type: string }}
  {CANDIDATE_FLOW_ID}: {{ type: string }}
  {CANDIDATE_VERSION}: {{ type: string }}
  {TRAFFIC_WEIGHT}: {{ type: integer, default: 0 }}
start: read_control
blocks:
  read_control:
    type: datatable_lookup
    datatable: {CONTROL_TABLE}
    key: {CONTROL_KEY}
    outputs:
      {ACTIVE_FLOW_ID}: {ACTIVE_FLOW_ID}
      {ACTIVE_VERSION}: {ACTIVE_VERSION}
      {CANDIDATE_FLOW_ID}: {CANDIDATE_FLOW_ID}
      {CANDIDATE_VERSION}: {CANDIDATE_VERSION}
      {TRAFFIC_WEIGHT}: {TRAFFIC_WEIGHT}
    on_found: returning_to_candidate
    on_not_found: fallback
    on_error: fallback
  returning_to_candidate:
    type: decision
    condition: "=If(IsSet(Flow_Version), Flow_Version == {CANDIDATE_VERSION} and {CANDIDATE_VERSION} != {ACTIVE_VERSION}, false)"
    on_true: to_candidate
    on_false: returning
  returning:
    type: decision
    condition: "=IsSet(Flow_Version)"
    on_true: to_active
    on_false: split
  split:
    type: decision
    condition: "=Random(99) < {TRAFFIC_WEIGHT}"
    on_true: to_candidate
    on_false: to_active
  to_candidate:
    type: transfer_to_flow
    flow: "={CANDIDATE_FLOW_ID}"
    on_failure: to_active
  to_active:
    type: transfer_to_flow
    flow: "={ACTIVE_FLOW_ID}"
    on_failure: fallback
  fallback:
    type: transfer_to_flow
    flow: {fallback}
    on_failure: no_route
  no_route:
    type: disconnect
    reason: no route
"#,
        fallback = quote(fallback),
    )
}

/// The Traffic Cop as a checked flow definition.
pub fn traffic_cop(flow: &str, fallback: &str) -> Result<FlowDefinition, switchboard_model::FlowLoadError> {
    switchboard_model::load_flow(&traffic_cop_yaml(flow, fallback), "traffic-cop.yaml")
}

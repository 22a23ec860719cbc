//! The controller in virtual time: an [`IntervalController`] for the simulation engine. At each
//! analysis interval it turns the engine's per-flow tallies into the active and candidate arms,
//! steps the controller and returns the control-row write, which the engine applies before the next
//! event — so hundreds of seeded rollouts run in seconds.

use crate::control_row::{CONTROL_KEY, CONTROL_TABLE, ControlRow};
use crate::controller::{Controller, ControllerError, Input, Phase, RolloutEvent, Slot};
use crate::policy::Policy;
use crate::tally::{ArmTally, Window};
use switchboard_simulation::{FlowTally, IntervalController, IntervalTallies, RowWrite};

pub struct SimulatedRollout {
    flow: String,
    policy: Policy,
    active: Slot,
    candidate: Slot,
    pub controller: Option<Controller>,
    /// Every event, in order (the controller's history is bounded; this is the whole run).
    pub events: Vec<RolloutEvent>,
    /// Virtual time of the abort or promotion.
    pub finished_at_ms: Option<u64>,
    pub error: Option<ControllerError>,
}

impl SimulatedRollout {
    pub fn new(flow: &str, policy: Policy, active: Slot, candidate: Slot) -> SimulatedRollout {
        SimulatedRollout {
            flow: flow.to_string(),
            policy,
            active,
            candidate,
            controller: None,
            events: Vec::new(),
            finished_at_ms: None,
            error: None,
        }
    }

    pub fn phase(&self) -> Option<Phase> {
        self.controller.as_ref().map(|controller| controller.phase)
    }

    fn write(row: &ControlRow) -> RowWrite {
        RowWrite { datatable: CONTROL_TABLE.to_string(), key: CONTROL_KEY.to_string(), set: row.columns() }
    }
}

/// An arm's tally; speed of answer only from calls that arrived at or after `since_ms` (the last
/// weight change), so calls routed under different weights are not compared.
fn arm(tally: Option<&FlowTally>, since_ms: u64) -> ArmTally {
    let Some(tally) = tally else { return ArmTally::default() };
    ArmTally {
        calls: tally.calls,
        offered: tally.offered,
        abandoned: tally.abandoned,
        answered: tally.answered,
        flow_disconnects: tally.flow_disconnects,
        flow_errors: tally.flow_errors,
        answer_waits_ms: tally.answered_calls.iter().filter(|(arrived, _)| *arrived >= since_ms).map(|(_, wait)| *wait).collect(),
        ..ArmTally::default()
    }
}

impl IntervalController for SimulatedRollout {
    fn start(&mut self) -> Vec<RowWrite> {
        match Controller::start(&self.flow, self.policy.clone(), self.active.clone(), self.candidate.clone(), 0) {
            Ok((controller, output)) => {
                self.controller = Some(controller);
                self.events.extend(output.events);
                output.write.as_ref().map(Self::write).into_iter().collect()
            }
            Err(error) => {
                self.error = Some(error);
                Vec::new()
            }
        }
    }

    fn on_interval(&mut self, tallies: &IntervalTallies) -> Vec<RowWrite> {
        let Some(controller) = self.controller.as_mut() else { return Vec::new() };
        if controller.phase.is_finished() {
            return Vec::new();
        }
        // The controller's own slots: after a promotion they swap, so read them each time.
        let window = Window {
            start_ms: tallies.start_ms,
            end_ms: tallies.end_ms,
            active: arm(tallies.by_flow.get(&controller.active.flow_id), controller.weight_since_ms),
            candidate: arm(tallies.by_flow.get(&controller.candidate.flow_id), controller.weight_since_ms),
        };
        match controller.step(Input::Interval(window), tallies.end_ms) {
            Ok(output) => {
                self.events.extend(output.events);
                if controller.phase.is_finished() {
                    self.finished_at_ms = Some(tallies.end_ms);
                }
                output.write.as_ref().map(Self::write).into_iter().collect()
            }
            Err(error) => {
                self.error = Some(error);
                Vec::new()
            }
        }
    }
}

/// A simulated contact center for rollout studies: one DID into the Traffic Cop, the `Main_IVR`
/// slots Blue (active, version 41) and Green (candidate, version 42), one queue. Each slot greets,
/// calls its CRM data action (inputs carry `Flow_Version`) and queues the call; a failed data action
/// drops the call. `candidate_failure` is Green's data-action failure probability (Blue's is
/// `baseline_failure`): equal for an A/A run, higher for a broken candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CanaryScenario {
    pub calls_per_hour: f64,
    pub duration_minutes: f64,
    pub agents: u32,
    pub baseline_failure: f64,
    pub candidate_failure: f64,
    /// Each slot first hands the call back to the Traffic Cop once (a sub-module through the
    /// router, seed 004's edge case 1), 20 s after it entered.
    pub reenter: bool,
}

impl Default for CanaryScenario {
    fn default() -> Self {
        CanaryScenario { calls_per_hour: 2400.0, duration_minutes: 120.0, agents: 126, baseline_failure: 0.01, candidate_failure: 0.01, reenter: false }
    }
}

pub const SIM_FLOW: &str = "Main_IVR";
pub const SIM_BLUE: &str = "Main_IVR_Blue";
pub const SIM_GREEN: &str = "Main_IVR_Green";

impl CanaryScenario {
    pub fn blue() -> Slot {
        Slot { flow_id: SIM_BLUE.to_string(), version: "41".to_string() }
    }

    pub fn green() -> Slot {
        Slot { flow_id: SIM_GREEN.to_string(), version: "42".to_string() }
    }

    /// The scenario as YAML for `switchboard_simulation::load_scenario`.
    pub fn yaml(&self) -> String {
        let cop = crate::traffic_cop::traffic_cop_yaml(SIM_FLOW, SIM_BLUE);
        let cop: String = cop.lines().map(|line| format!("      {line}\n")).collect();
        let cop_id = crate::traffic_cop::traffic_cop_name(SIM_FLOW);
        let (start, reentry) = if self.reenter {
            (
                "returned",
                format!(
                    r#"        returned: {{ type: decision, condition: "=IsSet(Returned)", on_true: greeting, on_false: mark }}
        mark: {{ type: set_participant_data, attributes: [{{ name: Returned, value: "yes" }}], next: hold }}
        hold: {{ type: play, prompt: "One moment.", duration_ms: 20000, next: back }}
        back: {{ type: transfer_to_flow, flow: {cop_id} }}
"#
                ),
            )
        } else {
            ("greeting", String::new())
        };
        let slot = |id: &str, version: &str, integration: &str| {
            format!(
                r#"  - id: {id}
    version: "{version}"
    stamp_flow_version: true
    definition:
      name: {id}
      start: {start}
      blocks:
{reentry}        greeting: {{ type: play, prompt: "Thanks for calling.", duration_ms: 3000, next: crm }}
        crm:
          type: data_action
          integration: {integration}
          inputs: {{ phone: "=ANI", Flow_Version: "=Flow_Version" }}
          timeout_ms: 3000
          on_success: to_support
          on_error: dropped
        to_support: {{ type: transfer_to_queue, queue: Support }}
        dropped: {{ type: disconnect, reason: error }}
"#
            )
        };
        format!(
            r#"name: rollout-canary
duration_minutes: {duration}
interval_minutes: 15
patience: {{ type: exponential, mean_ms: 120000 }}
flows:
  - id: {cop_id}
    version: "1"
    definition:
{cop}{blue}{green}integrations:
  - name: CRM Blue
    latency: {{ type: lognormal, mean_ms: 300, sd_ms: 150 }}
    failure_probability: {baseline}
  - name: CRM Green
    latency: {{ type: lognormal, mean_ms: 300, sd_ms: 150 }}
    failure_probability: {candidate}
datatables:
  - name: {CONTROL_TABLE}
    rows:
      {CONTROL_KEY}: {{ Active_Flow_ID: {SIM_BLUE}, Active_Version: "41", Candidate_Flow_ID: {SIM_GREEN}, Candidate_Version: "42", Traffic_Weight: "0" }}
queues:
  - name: Support
    agents: {agents}
    handle: {{ type: exponential, mean_ms: 180000 }}
    wrapup: {{ type: constant, ms: 5000 }}
dids:
  - number: "+13175550100"
    flow: {cop_id}
    calls_per_hour: {rate}
"#,
            duration = self.duration_minutes,
            cop_id = crate::traffic_cop::traffic_cop_name(SIM_FLOW),
            blue = slot(SIM_BLUE, "41", "CRM Blue"),
            green = slot(SIM_GREEN, "42", "CRM Green"),
            baseline = self.baseline_failure,
            candidate = self.candidate_failure,
            agents = self.agents,
            rate = self.calls_per_hour,
        )
    }
}

/// What one simulated rollout did.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutRun {
    pub phase: Option<Phase>,
    pub events: Vec<RolloutEvent>,
    pub finished_at_ms: Option<u64>,
    /// Calls that ran on the candidate slot (in progress at the end included, as they finish).
    pub candidate_calls: u64,
    /// Candidate calls that arrived before the abort or promotion.
    pub candidate_calls_before_finish: u64,
    /// Calls whose path ran on both slots (must stay 0: no caller is split).
    pub split_calls: u64,
}

/// Runs `scenario` with a rollout under `policy` for `seed`.
pub fn run_rollout(scenario: &CanaryScenario, policy: &Policy, seed: u64) -> Result<RolloutRun, String> {
    let loaded = switchboard_simulation::load_scenario(&scenario.yaml(), "rollout-canary.yaml").map_err(|error| error.to_string())?;
    let mut rollout = SimulatedRollout::new(SIM_FLOW, policy.clone(), CanaryScenario::blue(), CanaryScenario::green());
    let mut calls: Vec<(u64, bool, bool)> = Vec::new();
    let mut sink = |record: &switchboard_simulation::CallRecord| {
        let flows = record.path.flows();
        let on = |id: &str| flows.iter().any(|(flow, _)| flow.as_ref() == id);
        calls.push((record.arrived_at_ms, on(SIM_GREEN), on(SIM_BLUE)));
    };
    switchboard_simulation::run_with_controller(&loaded, seed, &mut sink, policy.interval_ms, &mut rollout);
    if let Some(error) = rollout.error {
        return Err(error.to_string());
    }
    let finished = rollout.finished_at_ms.unwrap_or(u64::MAX);
    Ok(RolloutRun {
        phase: rollout.phase(),
        finished_at_ms: rollout.finished_at_ms,
        candidate_calls: calls.iter().filter(|(_, green, _)| *green).count() as u64,
        candidate_calls_before_finish: calls.iter().filter(|(at, green, _)| *green && *at < finished).count() as u64,
        split_calls: calls.iter().filter(|(_, green, blue)| *green && *blue).count() as u64,
        events: rollout.events,
    })
}

//! Scenario builders and a sink that summarises calls into batches for error estimates.

use switchboard_simulation::{CallOutcome, CallRecord, Scenario, load_scenario, load_scenario_with_files};

/// One queue fed directly by one DID: the M/M/n(+M) set-up of queueing theory.
pub fn single_queue(
    agents: u32,
    calls_per_hour: f64,
    handle_mean_ms: f64,
    patience_mean_ms: Option<f64>,
    minutes: f64,
    warmup: f64,
) -> Scenario {
    let patience = match patience_mean_ms {
        Some(mean) => format!("{{ type: exponential, mean_ms: {mean} }}"),
        None => "{ type: infinite }".to_string(),
    };
    let text = format!(
        r#"
name: mmn
duration_minutes: {minutes}
warmup_minutes: {warmup}
patience: {patience}
flows:
  - definition:
      name: Direct
      start: queue
      blocks:
        queue: {{ type: transfer_to_queue, queue: Q }}
queues:
  - name: Q
    agents: {agents}
    handle: {{ type: exponential, mean_ms: {handle_mean_ms} }}
dids:
  - number: "+1000"
    flow: Direct
    calls_per_hour: {calls_per_hour}
"#
    );
    match load_scenario(&text, "mmn.yaml") {
        Ok(scenario) => scenario,
        Err(error) => panic!("test scenario invalid: {error}"),
    }
}

/// Per-batch sums of queue outcomes, batches cut by arrival time after the warm-up.
#[derive(Debug, Clone)]
pub struct Batches {
    start_ms: u64,
    width_ms: u64,
    pub offered: Vec<f64>,
    pub abandoned: Vec<f64>,
    pub waited: Vec<f64>,
    pub wait_ms: Vec<f64>,
}

impl Batches {
    pub fn new(start_ms: u64, end_ms: u64, count: usize) -> Batches {
        let width_ms = (end_ms - start_ms) / count as u64;
        Batches {
            start_ms,
            width_ms,
            offered: vec![0.0; count],
            abandoned: vec![0.0; count],
            waited: vec![0.0; count],
            wait_ms: vec![0.0; count],
        }
    }

    pub fn record(&mut self, record: &CallRecord) {
        if record.in_warmup || record.arrived_at_ms < self.start_ms {
            return;
        }
        let index = ((record.arrived_at_ms - self.start_ms) / self.width_ms) as usize;
        if index >= self.offered.len() {
            return;
        }
        let (wait, abandoned) = match record.outcome {
            CallOutcome::Answered { wait_ms, .. } => (wait_ms, false),
            CallOutcome::Abandoned { wait_ms } => (wait_ms, true),
            CallOutcome::FlowDisconnect { .. } | CallOutcome::Voicemail { .. } => return,
        };
        self.offered[index] += 1.0;
        self.abandoned[index] += f64::from(u8::from(abandoned));
        self.waited[index] += f64::from(u8::from(wait > 0));
        self.wait_ms[index] += wait as f64;
    }

    /// The ratio estimate Σnumerator/Σoffered and its batch-means standard error.
    pub fn estimate(&self, numerator: &[f64]) -> (f64, f64) {
        let total: f64 = self.offered.iter().sum();
        let estimate = numerator.iter().sum::<f64>() / total;
        let means: Vec<f64> = numerator.iter().zip(&self.offered).map(|(n, d)| n / d).collect();
        let count = means.len() as f64;
        let mean = means.iter().sum::<f64>() / count;
        let variance = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (count - 1.0);
        (estimate, (variance / count).sqrt())
    }
}

/// The repository's example day (`examples/scenarios/contact-center-day.yaml`).
pub const EXAMPLE: &str = include_str!("../../../../examples/scenarios/contact-center-day.yaml");

/// The example day's Archy flow files, by the path the scenario gives (relative to its folder).
fn example_flow_file(path: &str) -> Result<String, String> {
    match path {
        "flows/traffic-cop.yaml" => Ok(include_str!("../../../../examples/scenarios/flows/traffic-cop.yaml").to_string()),
        "flows/main-ivr.yaml" => Ok(include_str!("../../../../examples/scenarios/flows/main-ivr.yaml").to_string()),
        other => Err(format!("the example day has no flow file '{other}'")),
    }
}

/// Loads a scenario text whose `file:` flows are the example day's (the example itself, or a
/// variant of its text).
pub fn load_example(text: &str) -> Scenario {
    load_scenario_with_files(text, "contact-center-day.yaml", &mut example_flow_file).unwrap_or_else(|error| panic!("{error}"))
}

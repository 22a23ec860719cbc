//! The runtime against real Architect flows: every call flow of the shared Archy corpus compiles,
//! and seeded random callers run through it to an end, with the outcomes counted per flow.

use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use switchboard_model::archy;
use switchboard_model::flow::FlowType;
use switchboard_simulation::runtime::{
    CallExecution, DataActionOutcome, Effect, FlowHandle, FlowProgram, FlowWorld, LookupError,
};

/// A dummy value per placeholder (`{{name}}`, `${name}`), as a template's options file would give.
fn substituted(text: &str, file: &str) -> Option<String> {
    let values: BTreeMap<String, String> =
        archy::placeholders(text).into_iter().map(|name| (name.clone(), format!("dummy_{name}"))).collect();
    archy::substitute(text, file, &values).ok()
}

/// Every org object exists: any queue is found, data actions answer with no outputs, tables have
/// no rows; flows are the corpus's own, so transfers and modules between them resolve.
struct CorpusWorld {
    flows: HashMap<String, FlowHandle>,
}

impl FlowWorld for CorpusWorld {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        self.flows.get(reference).cloned()
    }
    fn datatable_row(&self, _table: &str, _key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError> {
        Ok(None)
    }
    fn queue_by_ref(&self, reference: &str) -> Option<String> {
        Some(reference.to_string())
    }
}

/// How a call ended, for the tally: `queue`, `voicemail` or the disconnect reason.
fn run_call(world: &CorpusWorld, flow: &FlowHandle, seed: u64) -> String {
    let data = BTreeMap::from(switchboard_model::flow::call_start_variables("+13175550123", "+18005550100"));
    let mut call = CallExecution::new(flow.clone(), data);
    let mut rng = StdRng::seed_from_u64(seed);
    // The step limit ends every call, so this bound is never the reason a call stops.
    for _ in 0..100_000 {
        match call.step(world, &mut rng) {
            Effect::Play { .. } | Effect::Wait { .. } | Effect::Backoff { .. } => {}
            Effect::CallDataAction { .. } => {
                call.complete_data_action(DataActionOutcome::Success { outputs: BTreeMap::new() }, 100);
            }
            Effect::TransferToQueue { .. } => return "queue".to_string(),
            Effect::TransferToVoicemail { .. } => return "voicemail".to_string(),
            Effect::Disconnect { reason } if &*reason == "error" => {
                let detail = call.path().terminal.as_ref().and_then(|terminal| terminal.detail.clone());
                return format!("error: {}", detail.unwrap_or_default());
            }
            Effect::Disconnect { reason } => return reason.to_string(),
        }
    }
    panic!("{}: a call did not end", flow.name);
}

#[test]
fn every_corpus_call_flow_runs_to_an_end_with_random_callers() {
    let Some(folder) = switchboard_testkit::archy_corpus() else { return };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut flows = Vec::new();
    for path in entries.iter().filter(|path| path.extension().is_some_and(|ext| ext == "yaml")) {
        let file = path.file_name().map(|name| name.to_string_lossy().to_string()).unwrap_or_default();
        let Some(text) = std::fs::read_to_string(path).ok().and_then(|text| substituted(&text, &file)) else { continue };
        // Workflows, bots and messaging flows are refused by the importer; only call flows run.
        let Ok(definition) = archy::import(&text, &file) else { continue };
        let program = FlowProgram::compile(&definition).unwrap_or_else(|error| panic!("{file}: {error}"));
        let handle = FlowHandle {
            id: Arc::from(definition.name.as_str()),
            name: Arc::from(definition.name.as_str()),
            version: Arc::from("1"),
            program: Arc::new(program),
            stamps_flow_version: !definition.is_router(),
        };
        flows.push((file, definition.flow_type, handle));
    }
    assert_eq!(flows.len(), 20, "the corpus has 20 call flows and all import");
    let world =
        CorpusWorld { flows: flows.iter().map(|(_, _, handle)| (handle.name.to_string(), handle.clone())).collect() };
    let mut errors = 0;
    for (file, flow_type, handle) in &flows {
        let mut outcomes: BTreeMap<String, u32> = BTreeMap::new();
        for seed in 0..200 {
            *outcomes.entry(run_call(&world, handle, seed)).or_default() += 1;
        }
        println!("{file} ({flow_type:?}): {outcomes:?}");
        // An in-queue flow repeats its start-up actions until an agent answers; without an ACD here
        // the step limit ends it. Every other flow must end on its own.
        if *flow_type != FlowType::InQueueCall {
            assert!(!outcomes.contains_key("loop"), "{file}: calls cut off as loops: {outcomes:?}");
        }
        errors += outcomes.iter().filter(|(end, _)| end.starts_with("error")).map(|(_, count)| count).sum::<u32>();
    }
    println!("calls ending in a flow error: {errors} of {}", flows.len() * 200);
}

//! The example day's flows (`examples/scenarios/flows/`, Archy YAML): each slot of the Main IVR
//! template and the Traffic Cop import after substitution, validate with no errors, round-trip
//! through export, and the IVR's pause and prompts take the time the scenario relies on.

use std::collections::BTreeMap;
use std::path::PathBuf;
use switchboard_model::archy;
use switchboard_model::flow::{Block, FlowDefinition};
use switchboard_model::validate::{Catalog, Severity, validate};

fn example(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The substitutions the scenario gives each flow entry, by flow id.
fn scenario_substitutions() -> Vec<(String, String, BTreeMap<String, String>)> {
    let scenario = switchboard_model::load::parse_yaml_value(&example("contact-center-day.yaml"), "contact-center-day.yaml")
        .unwrap_or_else(|error| panic!("{error}"));
    let flows = scenario.get("flows").and_then(serde_json::Value::as_array).cloned().unwrap_or_default();
    flows
        .iter()
        .map(|flow| {
            let text = |key: &str| flow.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
            let values: BTreeMap<String, String> = flow
                .get("substitutions")
                .and_then(serde_json::Value::as_object)
                .map(|map| map.iter().map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string())).collect())
                .unwrap_or_default();
            (text("id"), text("file"), values)
        })
        .collect()
}

fn imported(file: &str, values: &BTreeMap<String, String>) -> FlowDefinition {
    let text = archy::substitute(&example(file), file, values).unwrap_or_else(|error| panic!("{error}"));
    archy::import(&text, file).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn the_example_days_flows_import_validate_and_round_trip() {
    let entries = scenario_substitutions();
    assert_eq!(entries.len(), 3, "traffic cop, blue, green");
    for (id, file, values) in &entries {
        assert!(file.starts_with("flows/"), "{id}: every flow of the day is an Archy file, found `{file}`");
        let flow = imported(file, values);
        let errors: Vec<_> = validate(&flow, &Catalog::default()).into_iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{id}: {errors:#?}");
        let exported = archy::export(&flow);
        let back = archy::import(&exported, "exported.yaml").unwrap_or_else(|error| panic!("{id}: {error}\n{exported}"));
        assert!(back == flow, "{id}: export then import changed the flow\n{exported}");
    }
}

#[test]
fn the_slots_differ_only_where_their_substitutions_say() {
    let entries = scenario_substitutions();
    let slot = |wanted: &str| {
        let (_, file, values) = entries.iter().find(|(id, ..)| id == wanted).unwrap_or_else(|| panic!("no {wanted}"));
        imported(file, values)
    };
    let (blue, green) = (slot("main-ivr-blue"), slot("main-ivr-green"));
    let play_ms = |flow: &FlowDefinition, block: &str| match flow.blocks.get(block) {
        Some(Block::Play { duration_ms, .. }) => *duration_ms,
        other => panic!("{block}: {other:?}"),
    };
    // TTS takes 60 ms a character: the greetings and menu introductions the inline flows had
    // (4 s and 2.5 s), within one character.
    assert!(play_ms(&blue, "Initial Greeting").abs_diff(4_000) <= 60);
    assert!(play_ms(&green, "Initial Greeting").abs_diff(2_500) <= 60);
    assert!(play_ms(&blue, "Menu introduction").abs_diff(4_000) <= 60);
    assert!(play_ms(&green, "Menu introduction").abs_diff(2_500) <= 60);
    // Architect's pause, ToAudioBlank(ms), lasts what it says.
    assert_eq!((play_ms(&blue, "Pause before retrying"), play_ms(&green, "Pause before retrying")), (500, 250));
    let timeout = |flow: &FlowDefinition| match flow.blocks.get("CRM lookup") {
        Some(Block::DataAction(action)) => action.timeout_ms,
        other => panic!("{other:?}"),
    };
    assert_eq!((timeout(&blue), timeout(&green)), (3_000, 2_000));
    assert_eq!(blue.blocks.keys().collect::<Vec<_>>(), green.blocks.keys().collect::<Vec<_>>());
}

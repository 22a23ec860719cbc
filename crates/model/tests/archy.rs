//! Archy YAML against real flows: every call flow of the shared corpus imports (templates after
//! substitution with a dummy value per placeholder) and round-trips, or is refused naming the one
//! construct not supported; the other flow types are refused naming their type.

use std::collections::BTreeMap;
use std::path::PathBuf;
use switchboard_model::archy;

/// Corpus files as (file name, text), sorted.
fn corpus_files() -> Option<Vec<(String, String)>> {
    let folder = switchboard_testkit::archy_corpus()?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
            let name = path.file_name()?.to_string_lossy().to_string();
            files.push((name, std::fs::read_to_string(&path).ok()?));
        }
    }
    files.sort();
    Some(files)
}

/// A dummy value per placeholder: `{{name}}` / `${name}` (Archy, Terraform) and `<name>` (the
/// automated-callback repository's PowerShell script).
fn substituted(text: &str, file: &str) -> String {
    let values: BTreeMap<String, String> =
        archy::placeholders(text).into_iter().map(|name| (name.clone(), format!("dummy_{name}"))).collect();
    let text = match archy::substitute(text, file, &values) {
        Ok(text) => text,
        Err(error) => panic!("{error}"),
    };
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) if end > 0 && after[..end].chars().all(|c| c.is_ascii_alphanumeric()) => {
                out.push_str(&rest[..start]);
                out.push_str(&format!("dummy_{}", &after[..end]));
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn call_flow_key(text: &str) -> Option<&'static str> {
    ["inboundCall:", "inqueueCall:", "commonModule:"].into_iter().find(|key| text.lines().any(|line| line.trim_end() == *key))
}

#[test]
fn every_corpus_call_flow_imports_and_round_trips() {
    let Some(files) = corpus_files() else { return };
    let (mut call_flows, mut imported, mut round_tripped) = (0, 0, 0);
    let mut refused = Vec::new();
    for (file, text) in &files {
        if call_flow_key(text).is_none() {
            continue;
        }
        call_flows += 1;
        assert!(archy::is_archy(text), "{file} is Archy");
        let text = substituted(text, file);
        let flow = match archy::import(&text, file) {
            Ok(flow) => flow,
            Err(error) => {
                refused.push(error.to_string());
                continue;
            }
        };
        imported += 1;
        let exported = archy::export(&flow);
        let lost = lost_leaves(&text, &exported);
        assert!(lost.is_empty(), "{file}: export lost {lost:?}\n{exported}");
        let again = archy::import(&exported, "exported.yaml").unwrap_or_else(|error| panic!("{file}: re-import: {error}\n{exported}"));
        assert!(again == flow, "{file}: import → export → import changed the flow: {}\n{exported}", difference(&flow, &again));
        round_tripped += 1;
    }
    println!("corpus call flows: {call_flows}; imported: {imported}; round-tripped: {round_tripped}");
    for message in &refused {
        println!("refused: {message}");
    }
    assert_eq!(call_flows, 20, "the corpus has 20 call flows");
    assert_eq!(imported + refused.len(), call_flows);
    assert_eq!(imported, 20, "all 20 call flows import");
    assert_eq!(round_tripped, imported);
}

#[test]
fn other_flow_types_are_refused_naming_the_type() {
    let Some(files) = corpus_files() else { return };
    let mut others = 0;
    for (file, text) in &files {
        if call_flow_key(text).is_some() {
            continue;
        }
        others += 1;
        let text = substituted(text, file);
        let kind = text.lines().next().unwrap_or_default().trim_end_matches(':').trim().to_string();
        let error = match archy::import(&text, file) {
            Ok(_) => panic!("{file}: a {kind} flow was imported"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains(&format!("flow type `{kind}` is not supported")), "{file}: {error}");
        assert!(error.starts_with(&format!("{file}:1:1: {kind}:")), "{file}: {error}");
    }
    println!("corpus non-call flows refused: {others}");
    assert_eq!(others, 9);
}

/// The first parts two definitions differ in, for failure messages.
fn difference(left: &switchboard_model::flow::FlowDefinition, right: &switchboard_model::flow::FlowDefinition) -> String {
    let left = serde_json::to_value(left).unwrap_or_default();
    let right = serde_json::to_value(right).unwrap_or_default();
    let mut out = Vec::new();
    diff("", &left, &right, &mut out);
    out.into_iter().take(8).collect::<Vec<_>>().join("\n")
}

fn diff(path: &str, left: &serde_json::Value, right: &serde_json::Value, out: &mut Vec<String>) {
    match (left, right) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|key| !a.contains_key(*key))) {
                let null = serde_json::Value::Null;
                diff(&format!("{path}/{key}"), a.get(key).unwrap_or(&null), b.get(key).unwrap_or(&null), out);
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} ≠ {b}")),
        _ => {}
    }
}

/// The flow-format examples: flow format → Archy → flow format gives the same definition in
/// Architect's names (`archy::scoped`: scoped variables, Architect's spellings, a read of incoming
/// participant data), every `exp:` the export writes is Architect's, and exporting that again
/// writes the same document.
#[test]
fn flow_format_examples_round_trip_through_archy() {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/flows");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "yaml") {
            continue;
        }
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{file}: {error}"));
        let flow = switchboard_model::load::parse_flow_yaml(&text, &file).unwrap_or_else(|error| panic!("{error}"));
        // Without extras a definition serializes as it always has: no `archy` field.
        let serialized = serde_json::to_value(&flow).unwrap_or_default();
        assert!(serialized.get("archy").is_none() && serialized.get("name").is_some(), "{file}");
        let exported = archy::export(&flow);
        assert!(archy::is_archy(&exported), "{file}: export is an Archy document");
        let back = archy::import(&exported, "exported.yaml").unwrap_or_else(|error| panic!("{file}: {error}\n{exported}"));
        let scoped = archy::scoped(&flow);
        assert!(back == scoped, "{file}: {}\n{exported}", difference(&scoped, &back));
        assert_eq!(archy::export(&back), exported, "{file}: a second export writes the same document");
        assert_eq!(archy::scoped(&scoped), scoped, "{file}: scoping is idempotent");
        assert_architect_only(&file, &exported);
        checked += 1;
    }
    assert_eq!(checked, 3, "examples/flows holds three flow-format flows");
}

/// The hand-written fixtures of `examples/flows/archy`, by file name.
fn fixtures() -> Vec<(String, String)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/flows/archy");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "yaml"))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            std::fs::read_to_string(entry.path()).ok().map(|text| (name, text))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_import_round_trip_and_cover_every_block_type() {
    let fixtures = fixtures();
    assert_eq!(fixtures.len(), 5, "five Archy fixtures");
    let mut types = std::collections::BTreeSet::new();
    for (file, text) in &fixtures {
        assert!(archy::is_archy(text), "{file}");
        let flow = archy::import(text, file).unwrap_or_else(|error| panic!("{error}"));
        types.extend(flow.blocks.values().map(|block| block.type_name()));
        let exported = archy::export(&flow);
        let again = archy::import(&exported, file).unwrap_or_else(|error| panic!("{file}: {error}\n{exported}"));
        assert!(again == flow, "{file}: {}\n{exported}", difference(&flow, &again));
        // Nothing Switchboard-specific is needed to carry an Archy-authored flow.
        assert!(!exported.contains("Flow.SwitchboardBlocks"), "{file}: {exported}");
    }
    let every: Vec<&str> = vec![
        "set_variable", "play", "data_action", "decision", "switch", "datatable_lookup", "transfer_to_flow",
        "transfer_to_queue", "wait", "disconnect", "menu", "collect_input", "update_data", "set_participant_data",
        "get_participant_data", "transfer_to_voicemail", "find_queue", "call_common_module", "call_task", "end_task",
        "loop", "loop_next", "loop_exit", "hold_music", "play_estimated_wait_time", "evaluate_schedule_group",
    ];
    let missing: Vec<&&str> = every.iter().filter(|kind| !types.contains(**kind)).collect();
    assert!(missing.is_empty(), "block types no fixture produces: {missing:?}");
}

/// Every `key: scalar` leaf of the original YAML (with its key path, list positions left out) that
/// the export does not have; jump actions are edges and come back with names of export's choosing.
fn lost_leaves(original: &str, exported: &str) -> Vec<String> {
    let parse = |text: &str| serde_saphyr::from_str::<serde_json::Value>(text).unwrap_or_default();
    let mut before = std::collections::BTreeSet::new();
    leaves("", &parse(original), &mut before);
    let mut after = std::collections::BTreeSet::new();
    leaves("", &parse(exported), &mut after);
    before
        .difference(&after)
        .filter(|leaf| !leaf.contains("jumpToMenu/name=") && !leaf.contains("jumpToTask/name="))
        .cloned()
        .collect()
}

fn leaves(path: &str, value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                leaves(&format!("{path}/{key}"), value, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                leaves(path, item, out);
            }
        }
        scalar => {
            out.insert(format!("{path}={scalar}"));
        }
    }
}

/// The export of the Traffic Cop fixture, as `archy` would read it.
#[test]
fn traffic_cop_export_snapshot() {
    let fixtures = fixtures();
    let Some((file, text)) = fixtures.iter().find(|(file, _)| file == "traffic_cop.yaml") else {
        panic!("traffic_cop.yaml fixture is missing");
    };
    let flow = archy::import(text, file).unwrap_or_else(|error| panic!("{error}"));
    insta::assert_snapshot!("traffic_cop_export", archy::export(&flow));
}

/// A flow-format flow with a weighted split exports as Architect's nearest form (a switch drawing
/// `Random`) and carries the exact block in `Flow.SwitchboardBlocks`.
#[test]
fn flow_format_traffic_cop_export_snapshot() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/flows/traffic_cop.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{error}"));
    let flow = switchboard_model::load::parse_flow_yaml(&text, "traffic_cop.yaml").unwrap_or_else(|error| panic!("{error}"));
    insta::assert_snapshot!("flow_format_traffic_cop_export", archy::export(&flow));
}

/// Edits to an imported flow win over the kept Archy text: a changed prompt, a changed menu key
/// and a new block come back from export.
#[test]
fn edits_to_an_imported_flow_survive_export() {
    use switchboard_model::flow::{Block, Expression};
    let fixtures = fixtures();
    let Some((file, text)) = fixtures.iter().find(|(file, _)| file == "menu_ivr.yaml") else {
        panic!("menu_ivr.yaml fixture is missing");
    };
    let mut flow = archy::import(text, file).unwrap_or_else(|error| panic!("{error}"));
    match flow.blocks.get_mut("Closed") {
        Some(Block::Play { prompt, next, .. }) => {
            *prompt = "We are closed today.".to_string();
            *next = "Count closed calls".to_string();
        }
        other => panic!("Closed is {other:?}"),
    }
    flow.blocks.insert(
        "Count closed calls".to_string(),
        Block::SetVariable {
            variable: "Flow.Closed".to_string(),
            value: Expression::formula("true"),
            next: "After-hours voicemail".to_string(),
        },
    );
    match flow.blocks.get_mut("Main Menu") {
        Some(Block::Menu(menu)) => menu.choices[0].dtmf = Some("4".to_string()),
        other => panic!("Main Menu is {other:?}"),
    }
    let exported = archy::export(&flow);
    assert!(exported.contains("tts: We are closed today."), "{exported}");
    assert!(exported.contains("dtmf: digit_4"), "{exported}");
    let again = archy::import(&exported, file).unwrap_or_else(|error| panic!("{error}\n{exported}"));
    // The kept Archy text follows the edits; the definition is as edited.
    let (mut flow, mut again) = (flow, again);
    flow.archy = None;
    again.archy = None;
    assert!(again == flow, "{}\n{exported}", difference(&flow, &again));
}

/// A flow written in the flow format with the Architect blocks exports to Archy and comes back
/// identical, without extras.
#[test]
fn flow_format_with_architect_blocks_round_trips_without_extras() {
    let text = r##"
name: Voice Blocks
start: hours
variables:
  Flow.Account: {type: string}
  Flow.Tries: {type: integer, default: 0}
blocks:
  hours:
    type: evaluate_schedule_group
    schedule_group: Acme Hours
    on_open: menu
    on_closed: voicemail
    on_holiday: voicemail
    on_emergency: bye
  voicemail: {type: transfer_to_voicemail, target: Support, on_failure: bye}
  menu:
    type: menu
    prompt: Press 1 for your account, 2 for support, 9 to hang up.
    choices:
      - {dtmf: "1", speech: [account], next: account}
      - {dtmf: "2", next: support}
      - {dtmf: "9", next: bye}
    default: support
  account:
    type: loop
    count: 3
    index_variable: Flow.Tries
    body: collect
    next: support
  collect:
    type: collect_input
    prompt: Enter your account number.
    variable: Flow.Account
    min_digits: 6
    max_digits: 8
    terminator: "#"
    on_success: found
    on_failure: again
  again: {type: loop_next, loop_block: account}
  found: {type: loop_exit, loop_block: account, next: remember}
  remember:
    type: update_data
    statements:
      - {variable: Flow.Account, type: string, value: "=Trim(Flow.Account)"}
      - {variable: Flow.Tries, type: integer, value: 0}
    next: tell
  tell:
    type: set_participant_data
    attributes: [{name: Account, value: "=Flow.Account"}]
    next: check
  check: {type: call_task, task: lookup, next: support}
  lookup: {type: call_common_module, module: Acme Lookup, inputs: {Common.key: "=Flow.Account"}, next: done}
  done: {type: end_task}
  support: {type: transfer_to_queue, queue: Support}
  bye: {type: disconnect}
"##;
    let flow = switchboard_model::load::parse_flow_yaml(text, "voice.yaml").unwrap_or_else(|error| panic!("{error}"));
    let exported = archy::export(&flow);
    let back = archy::import(&exported, "voice.archy.yaml").unwrap_or_else(|error| panic!("{error}\n{exported}"));
    assert!(back == flow, "{}\n{exported}", difference(&flow, &back));
}

/// Every variable an exported document names is scoped, and every `exp:` is in Architect's
/// spelling (translating it again changes nothing).
fn assert_architect_only(file: &str, exported: &str) {
    let document = switchboard_model::load::parse_yaml_value(exported, file).unwrap_or_else(|error| panic!("{error}"));
    let mut expressions = Vec::new();
    let mut variables = Vec::new();
    walk(&document, &mut expressions, &mut variables);
    assert!(!expressions.is_empty(), "{file}: the export has expressions");
    for text in expressions {
        let renamed = switchboard_model::expr::to_architect(&text, &|name| archy::architect_name(name));
        assert_eq!(renamed, Ok(None), "{file}: `{text}` is not Architect's");
    }
    for name in variables {
        assert!(archy::architect_name(&name).is_none(), "{file}: variable `{name}` is not scoped");
    }
}

fn walk(value: &serde_json::Value, expressions: &mut Vec<String>, variables: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("exp", serde_json::Value::String(text)) => expressions.push(text.clone()),
                    ("var" | "variable", serde_json::Value::String(name)) => variables.push(name.clone()),
                    ("name", serde_json::Value::String(name)) if map.contains_key("initialValue") => variables.push(name.clone()),
                    _ => walk(inner, expressions, variables),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, expressions, variables)),
        _ => {}
    }
}

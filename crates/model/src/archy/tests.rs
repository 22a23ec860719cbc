use super::*;
use std::collections::BTreeMap;

/// Imports `text` and returns its diagnostics, one line each.
fn refusal(text: &str) -> Vec<String> {
    match import(text, "flow.yaml") {
        Ok(flow) => panic!("imported: {flow:?}"),
        Err(error) => error.to_string().lines().map(str::to_string).collect(),
    }
}

const HEAD: &str = "inboundCall:\n  name: T\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n";

#[test]
fn substitution_works_on_text_and_names_every_missing_value() {
    let values = BTreeMap::from([("prefix".to_string(), "Acme".to_string()), ("q".to_string(), "Support".to_string())]);
    let text = "a:\n  {{prefix}}-Lambda: {{ q }}\n  b: ${q}\n";
    assert_eq!(substitute(text, "f.yaml", &values).ok().as_deref(), Some("a:\n  Acme-Lambda: Support\n  b: Support\n"));
    let error = substitute("x: {{one}}\ny: ${two} {{q}}\n", "f.yaml", &values).map(|_| ()).unwrap_err();
    let lines: Vec<String> = error.to_string().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("f.yaml:1:4: {{one}}: no value for substitution `one`"), "{}", lines[0]);
    assert!(lines[1].starts_with("f.yaml:2:4: {{two}}: no value for substitution `two`"), "{}", lines[1]);
    assert_eq!(placeholders("{{a}} ${b} {{a}} {{ not a name }}"), vec!["a".to_string(), "b".to_string()]);
}

#[test]
fn is_archy_tells_the_formats_apart_before_substitution() {
    assert!(is_archy("# c\ninboundCall:\n  name: {{flow_name}}\n"));
    assert!(is_archy("\u{feff}InQueueCall:\n  name: x\n"));
    assert!(is_archy("workflow:\n  name: x\n"));
    assert!(!is_archy("name: Main_IVR\nstart: a\nblocks: {}\n"));
    assert!(!is_archy("inboundCall:\n  name: x\nother: 1\n"));
    assert!(!is_archy("{\"name\": \"x\"}"));
}

#[test]
fn unsupported_constructs_are_refused_with_file_line_and_path_all_at_once() {
    let text = format!(
        "{HEAD}          - playAudio:\n              audio:\n                tts: hi\n          - transferToUser:\n              name: X\n          - decision:\n              condition:\n                exp: A\n              outputs:\n                maybe:\n                  actions: []\n"
    );
    let lines = refusal(&text);
    assert_eq!(
        lines,
        vec![
            "flow.yaml:12:13: inboundCall.tasks[0].actions[1].transferToUser: action `transferToUser` is not supported",
            "flow.yaml:18:17: inboundCall.tasks[0].actions[2].decision.outputs.maybe: output `maybe` is not supported on `decision`",
        ]
    );
}

#[test]
fn bad_values_name_the_key_inside_the_action() {
    let text = format!("{HEAD}          - callData:\n              name: C\n              timeout:\n                lit: soon\n              category:\n                K:\n                  dataAction:\n                    A: {{}}\n");
    let lines = refusal(&text);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("flow.yaml:11:15: inboundCall.tasks[0].actions[0].callData.timeout: expected a duration"),
        "{}",
        lines[0]
    );
}

#[test]
fn unsupported_menu_choices_and_dangling_references_are_refused() {
    let text = "inboundCall:\n  name: T\n  startUpRef: /inboundCall/menus/menu[m]\n  menus:\n    - menu:\n        name: M\n        refId: m\n        choices:\n          - menuDialByExtension:\n              name: Ext\n          - menuJumpToTask:\n              name: J\n              dtmf: digit_2\n              targetTaskRef: /inboundCall/tasks/task[nowhere]\n";
    let lines = refusal(text);
    assert_eq!(
        lines,
        vec![
            "flow.yaml:9:13: inboundCall.menus[0].choices[0].menuDialByExtension: menu choice `menuDialByExtension` is not supported",
            "flow.yaml:14:15: inboundCall.menus[0].choices[1].menuJumpToTask.targetTaskRef: reference `/inboundCall/tasks/task[nowhere]` names no task or menu of this flow",
        ]
    );
}

#[test]
fn flow_types_other_than_calls_are_refused_by_name() {
    assert_eq!(
        refusal("botFlow:\n  name: B\n"),
        vec!["flow.yaml:1:1: botFlow: flow type `botFlow` is not supported: Switchboard runs call flows (inboundCall, inqueueCall, commonModule)"]
    );
    assert_eq!(refusal("start: x\n"), vec!["flow.yaml:1:1: start: `start` is not an Archy flow type (expected inboundCall, inqueueCall or commonModule)"]);
}

#[test]
fn parser_traps_yes_no_keys_any_case_names_crlf() {
    let text = "inboundCall:\r\n  name: T\r\n  startUpRef: ./tasks/task[t]\r\n  tasks:\r\n    - task:\r\n        name: Main\r\n        refId: t\r\n        actions:\r\n          - Decision:\r\n              condition:\r\n                exp: Call.ani == \"1\" OR call.Dnis == \"2\"\r\n              outputs:\r\n                yes:\r\n                  actions:\r\n                    - DISCONNECT:\r\n                        name: Bye\r\n                no:\r\n                  actions:\r\n                    - playaudio:\r\n                        name: Hi # a comment\r\n                        audio:\r\n                          tts: hello\r\n";
    let flow = import(text, "flow.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        flow.blocks.get("decision"),
        Some(&crate::flow::Block::Decision {
            condition: crate::flow::Expression::formula("Call.ani == \"1\" OR call.Dnis == \"2\""),
            on_true: "Bye".to_string(),
            on_false: "Hi".to_string(),
        })
    );
    // The no path falls through off the end of the task.
    assert!(matches!(flow.blocks.get("Main (end)"), Some(crate::flow::Block::EndTask { implicit: true })));
}

#[test]
fn load_flow_reads_both_formats_and_asks_for_substitutions() {
    let ours = "name: F\nstart: bye\nblocks:\n  bye:\n    type: disconnect\n";
    assert!(crate::load_flow(ours, "f.yaml").is_ok());
    let archy = format!("{HEAD}          - disconnect:\n              name: Bye\n");
    assert_eq!(crate::load_flow(&archy, "f.yaml").map(|flow| flow.start).ok().as_deref(), Some("Bye"));
    let template = "inboundCall:\n  name: {{flow_name}}\n";
    let error = crate::load_flow(template, "f.yaml").map(|_| ()).unwrap_err().to_string();
    assert!(error.starts_with("f.yaml:2:9: {{flow_name}}: no value for substitution `flow_name`"), "{error}");
    let broken = crate::load_flow("name: F\nstart: [\n", "f.yaml").map(|_| ()).unwrap_err().to_string();
    assert!(broken.starts_with("f.yaml:"), "{broken}");
}

use super::*;

const EXAMPLE: &str = include_str!("../../../examples/scenarios/contact-center-day.yaml");

/// The example day's Archy flow files, by the path the scenario gives.
fn example_flow_file(path: &str) -> Result<String, String> {
    match path {
        "flows/traffic-cop.yaml" => Ok(include_str!("../../../examples/scenarios/flows/traffic-cop.yaml").to_string()),
        "flows/main-ivr.yaml" => Ok(include_str!("../../../examples/scenarios/flows/main-ivr.yaml").to_string()),
        other => Err(format!("the example day has no flow file '{other}'")),
    }
}

#[test]
fn the_example_scenario_loads() {
    let scenario = load_scenario_with_files(EXAMPLE, "contact-center-day.yaml", &mut example_flow_file).expect("example is valid");
    assert_eq!(scenario.flows().len(), 3);
    // The flows are Archy YAML files: both IVR slots come from one template, differing only in
    // their substitutions (Green retries once more, with a shorter timeout).
    let loops: Vec<String> = scenario
        .spec
        .flows
        .iter()
        .filter_map(|flow| flow.definition.as_ref()?.blocks.get("CRM attempts").map(|block| format!("{block:?}")))
        .collect();
    assert_eq!(loops.len(), 2, "both IVR slots loop over the CRM look-up");
    assert!(loops[0].contains("Integer(3)") && loops[1].contains("Integer(4)"), "{loops:?}");
    assert!(scenario.spec.flows.iter().all(|flow| flow.definition.as_ref().is_some_and(|definition| definition.archy.is_some())));
    assert_eq!(scenario.spec.queues.len(), 3);
    let agents: u32 = scenario.agent_groups.iter().map(|(count, _)| count).sum();
    assert_eq!(agents, 200);
}

#[test]
fn syntax_errors_name_file_and_line() {
    let text = "name: x\nduration_minutes: 10\nflows: []\nqueues: []\ndids: []\nbogus: 1\n";
    let error = load_scenario(text, "bad.yaml").expect_err("unknown field");
    let ScenarioError::Syntax { file, line, .. } = &error else { panic!("{error}") };
    assert_eq!((file.as_str(), *line), ("bad.yaml", 6));
}

#[test]
fn unknown_references_name_the_field_and_line() {
    let text = "duration_minutes: 10\nflows: []\nqueues: []\ndids:\n  - number: '1'\n    flow: Nowhere\n    calls_per_hour: 1\n";
    let error = load_scenario(text, "s.yaml").expect_err("unknown flow");
    assert_eq!(error.to_string(), "s.yaml:6: dids[0].flow: no flow named 'Nowhere'");
    let mut misspelt = |path: &str| example_flow_file(path).map(|text| text.replace("name: Billing", "name: Bilig"));
    let error = load_scenario_with_files(EXAMPLE, "s.yaml", &mut misspelt).expect_err("unknown queue");
    assert!(error.to_string().contains("unknown queue 'Bilig'"), "{error}");
}

#[test]
fn flow_files_come_from_the_caller() {
    let text = "duration_minutes: 1\nflows:\n  - file: cop.yaml\nqueues: []\ndids: []\n";
    assert!(load_scenario(text, "s.yaml").is_err());
    let mut read = |path: &str| {
        assert_eq!(path, "cop.yaml");
        Ok("name: Cop\nstart: bye\nblocks:\n  bye: { type: disconnect }\n".to_string())
    };
    let scenario = load_scenario_with_files(text, "s.yaml", &mut read).expect("resolved");
    assert_eq!(&*scenario.flows()[0].name, "Cop");
}

const MENU_DAY: &str = r#"
name: menu-day
duration_minutes: 120
flows:
  - definition:
      name: IVR
      start: main
      blocks:
        main:
          type: menu
          prompt: "Sales 1, messages 2"
          choices:
            - { dtmf: "1", speech: [sales], next: sales }
            - { dtmf: "2", next: messages }
          default: bye
        sales: { type: transfer_to_queue, queue: Sales }
        messages: { type: transfer_to_voicemail, target: Sales }
        bye: { type: disconnect, reason: no_choice }
queues:
  - { name: Sales, agents: 5, handle: { type: constant, ms: 1000 } }
dids:
  - { number: "+1800", flow: IVR, calls_per_hour: 1200 }
callers:
  menus:
    main: { "1": 50, "2": 30, none: 20 }
"#;

#[test]
fn scenario_menu_weights_steer_callers_and_voicemails_are_counted() {
    let scenario = load_scenario(MENU_DAY, "menu-day.yaml").expect("valid");
    let report = crate::run(&scenario, 8, &mut crate::NullSink);
    let totals = report.totals.tally;
    let share = |count: u64| count as f64 / totals.entered as f64;
    // About 2,400 calls: 50/30/20 within 5 binomial sd (about 0.05 at most).
    assert!(totals.entered > 2_000, "{totals:?}");
    assert!((share(totals.offered) - 0.5).abs() < 0.05, "{totals:?}");
    assert!((share(totals.voicemails) - 0.3).abs() < 0.05, "{totals:?}");
    assert!((share(totals.flow_disconnects) - 0.2).abs() < 0.05, "{totals:?}");
    assert_eq!(totals.offered + totals.voicemails + totals.flow_disconnects, totals.entered);
}

#[test]
fn caller_weights_must_name_a_menu_and_its_choices() {
    let error = load_scenario(&MENU_DAY.replace("    main: {", "    mian: {"), "s.yaml").expect_err("unknown menu");
    assert_eq!(error.to_string(), "s.yaml:25: callers.menus.mian: no flow has a menu block named 'mian'");
    let error = load_scenario(&MENU_DAY.replace("\"2\": 30", "\"7\": 30"), "s.yaml").expect_err("unknown choice");
    assert!(error.to_string().contains("menu 'main' has no choice '7'"), "{error}");
    let typo = MENU_DAY.replace("callers:\n", "callers:\n  inputs: { Account: \"12\" }\n");
    let error = load_scenario(&typo, "s.yaml").expect_err("unknown prompt");
    assert!(error.to_string().contains("no flow has a collect_input block named 'Account'"), "{error}");
    let bad_key = MENU_DAY.replace("callers:\n", "callers:\n  dtmf: \"1 A\"\n");
    let error = load_scenario(&bad_key, "s.yaml").expect_err("bad key");
    assert!(error.to_string().contains("'A' is not a DTMF key"), "{error}");
}

const ARCHY_TEMPLATE: &str = "inboundCall:\n  name: \"{{flow_name}}\"\n  startUpRef: ./tasks/task[main]\n  tasks:\n    - task:\n        name: Main\n        refId: main\n        actions:\n          - disconnect:\n              name: Bye\n";

#[test]
fn flow_files_may_be_archy_templates_with_substitutions() {
    let text = "duration_minutes: 1\nflows:\n  - file: archy.yaml\n    substitutions: { flow_name: Archy Cop }\nqueues: []\ndids: []\n";
    let mut read = |_: &str| Ok(ARCHY_TEMPLATE.to_string());
    let scenario = load_scenario_with_files(text, "s.yaml", &mut read).expect("an Archy flow file loads");
    assert_eq!(&*scenario.flows()[0].name, "Archy Cop");
}

#[test]
fn a_missing_substitution_names_the_flow_file_and_line() {
    let text = "duration_minutes: 1\nflows:\n  - file: archy.yaml\nqueues: []\ndids: []\n";
    let mut read = |_: &str| Ok(ARCHY_TEMPLATE.to_string());
    let error = load_scenario_with_files(text, "s.yaml", &mut read).expect_err("flow_name is not given");
    let ScenarioError::Syntax { file, line, message, .. } = &error else { panic!("{error}") };
    assert_eq!((file.as_str(), *line), ("archy.yaml", 2), "{error}");
    assert!(message.contains("flow_name"), "{error}");
}

use super::*;

const EXAMPLE: &str = include_str!("../../../examples/scenarios/contact-center-day.yaml");

#[test]
fn the_example_scenario_loads() {
    let scenario = load_scenario(EXAMPLE, "contact-center-day.yaml").expect("example is valid");
    assert_eq!(scenario.flows().len(), 3);
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
    let queue_error = EXAMPLE.replace("queue: Billing }", "queue: Bilig }");
    let error = load_scenario(&queue_error, "s.yaml").expect_err("unknown queue");
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

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

use super::*;
use crate::flow::Value;
use crate::load::parse_yaml;

#[test]
fn resources_read_from_yaml_and_name_themselves() {
    let table: DataTable = parse_yaml(
        "name: Deployment_Control\ncolumns:\n  - {name: Active_Flow_ID, type: string, required: true}\n  - {name: Traffic_Weight, type: integer}\nrows:\n  - key: Environment_State\n    values: {Active_Flow_ID: Main_IVR_Blue, Traffic_Weight: 100}\n",
        "table.yaml",
    )
    .expect("valid table");
    assert_eq!((table.kind(), table.name(), table.version()), ("datatable", "Deployment_Control", None));
    let row = table.row("Environment_State").expect("row exists");
    assert_eq!(row.values.get("Traffic_Weight"), Some(&Value::Integer(100)));
    assert!(table.row_problems(row).is_empty());

    let did: Did = parse_yaml("number: '+13175550100'\nflow: Traffic_Cop\nversion: 4\n", "did.yaml").expect("valid did");
    assert_eq!((did.kind(), did.name(), did.version()), ("did", "+13175550100", Some(4)));

    let error = parse_yaml::<RoutingQueue>("name: Support\nnmae: x\n", "queues.yaml").expect_err("must fail");
    assert_eq!(error.line, Some(2), "{error}");
}

#[test]
fn row_problems_list_everything() {
    let table = DataTable {
        id: None,
        name: "T".into(),
        version: None,
        description: None,
        columns: vec![
            Column { name: "A".into(), column_type: ColumnType::String, required: true },
            Column { name: "N".into(), column_type: ColumnType::Number, required: false },
        ],
        rows: vec![],
    };
    let row = DataTableRow {
        key: "k".into(),
        values: [("N".to_string(), Value::String("x".into())), ("Z".to_string(), Value::Boolean(true))].into(),
    };
    let problems = table.row_problems(&row);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(ColumnType::Number.accepts(&Value::Integer(3)));
}

#[test]
fn agents_strategies_and_flows() {
    let agent: Agent =
        parse_yaml("name: Ada\nqueues: [Support]\npresence: available\non_queue: true\n", "a.yaml").expect("valid agent");
    assert!(agent.can_take_calls_from("Support"));
    assert!(!agent.can_take_calls_from("Sales"));

    let strategy: RoutingStrategy = parse_yaml(
        "name: Canary\ntargets:\n  - {target_type: flow, id: Blue, weight: 95, priority: 1}\n  - {target_type: flow, id: Green, weight: 5}\n",
        "s.yaml",
    )
    .expect("valid strategy");
    assert_eq!(strategy.total_weight(), 100.0);

    let flow: Flow = parse_yaml(
        "name: Main\nflow_type: inbound_call\nversions:\n  - {number: 1, state: published, definition: {name: Main, start: b, blocks: {b: {type: disconnect}}}}\n  - {number: 2, state: saved, definition: {name: Main, start: b, blocks: {b: {type: disconnect}}}}\n",
        "f.yaml",
    )
    .expect("valid flow");
    assert_eq!(flow.published().map(|version| version.number), Some(1));

    let integration: Integration =
        parse_yaml("name: CRM\nendpoint_url: http://127.0.0.1:9/x\nmethod: POST\n", "i.yaml").expect("valid integration");
    assert_eq!((integration.method, integration.timeout_ms), (HttpMethod::Post, 4_000));
}

use super::*;
use crate::flow::Block;

const MINIMAL: &str = "name: Minimal\nstart: bye\nblocks:\n  bye:\n    type: disconnect\n";

#[test]
fn parses_yaml_and_json_alike() {
    let from_yaml = parse_flow_yaml(MINIMAL, "minimal.yaml").expect("valid yaml");
    let json = serde_json::to_string(&from_yaml).expect("serializes");
    let from_json = parse_flow_json(&json, "minimal.json").expect("valid json");
    assert_eq!(from_yaml, from_json);
    assert!(matches!(from_yaml.blocks.get("bye"), Some(Block::Disconnect { .. })));
}

/// Each bad document must produce exactly this one-line message (file:line:column: what).
#[test]
fn errors_name_file_line_and_column() {
    let cases = [
        (
            "name: x\nstart: a\nblocks:\n  a:\n    type: disconnect\n    nxt: b\n",
            "flows/main.yaml:4:3: unknown field `nxt`, expected one of reason",
        ),
        ("name: x\nstart: [a\n", "flows/main.yaml:2:8: expected string scalar"),
        ("name: x\nblocks: {}\n", "flows/main.yaml:2:1: missing field `start`"),
    ];
    for (text, expected) in cases {
        let error = parse_flow_yaml(text, "flows/main.yaml").expect_err("must fail");
        let rendered = error.to_string();
        assert!(!rendered.contains('\n'), "one line: {rendered}");
        assert_eq!(rendered, expected);
    }
}

#[test]
fn json_errors_have_positions() {
    let error = parse_flow_json("{\"name\": \"x\",\n \"start\": 5}", "flow.json").expect_err("must fail");
    assert_eq!((error.line, error.column), (Some(2), Some(11)));
    assert!(error.to_string().starts_with("flow.json:2:11: invalid type: integer `5`"), "{error}");
}

#[test]
fn typed_errors_after_templates_name_the_field() {
    let value = parse_yaml_value("name: x\nstart: 7\nblocks: {}\n", "t.yaml").expect("valid yaml");
    let error = from_value::<FlowDefinition>(value, "t.yaml").expect_err("must fail");
    assert_eq!(error.line, None);
    assert!(error.to_string().starts_with("t.yaml: invalid type: integer `7`"), "{error}");
}

use super::*;
use crate::flow::{Block, Value};
use crate::load::{from_value, parse_flow_yaml, parse_yaml_value};
use serde_json::json;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

#[test]
fn finds_variables_in_nested_strings_only() {
    let document = json!({
        "name": "IVR_{{ENV_REGION}}",
        "blocks": {"q": {"queue": "{{ QUEUE }}-{{ENV_REGION}}", "n": 3}},
        "list": ["{{A.b-c}}", "{{ not valid }}", "{{unclosed"],
        "{{KEY}}": true
    });
    let found: Vec<String> = find_variables(&document).into_iter().collect();
    assert_eq!(found, vec!["A.b-c", "ENV_REGION", "QUEUE"]);
}

#[test]
fn resolves_every_occurrence() {
    let document = json!({"a": "{{X}}", "b": ["pre {{ X }} mid {{Y}} post"], "c": 5});
    let resolved = resolve(&document, &vars(&[("X", "1"), ("Y", "two")])).expect("all set");
    assert_eq!(resolved, json!({"a": "1", "b": ["pre 1 mid two post"], "c": 5}));
}

#[test]
fn errors_name_variable_and_path() {
    let document = json!({"blocks": {"main": {"branches": [{"next": "ok"}, {"next": "{{NEXT}}"}]}}});
    let error = resolve(&document, &vars(&[])).expect_err("must fail");
    assert_eq!(
        error,
        TemplateError::Unresolved { variable: "NEXT".into(), path: "blocks.main.branches[1].next".into() }
    );
    assert_eq!(error.to_string(), "template variable `NEXT` is not set (used at blocks.main.branches[1].next)");
    let malformed = resolve(&json!({"x": "a {{B C}} d"}), &vars(&[("B", "1")])).expect_err("must fail");
    assert_eq!(malformed, TemplateError::Malformed { text: "{{B C}}".into(), path: "x".into() });
}

#[test]
fn typed_flow_resolution() {
    let yaml = "name: IVR_{{REGION}}\nstart: q\nblocks:\n  q: {type: transfer_to_queue, queue: 'Support_{{REGION}}'}\n";
    let flow = parse_flow_yaml(yaml, "t.yaml").expect("parses with placeholders");
    let resolved = resolve_flow(&flow, &vars(&[("REGION", "eu")])).expect("resolves");
    assert_eq!(resolved.name, "IVR_eu");
    let Some(Block::TransferToQueue { queue, .. }) = resolved.blocks.get("q") else { panic!("queue block") };
    assert_eq!(queue.0, Value::String("Support_eu".into()));
    assert!(matches!(resolve_flow(&flow, &vars(&[])), Err(TemplateError::Unresolved { .. })));
}

/// A templated weight cannot be typed before resolution; after it, the numeric string is accepted.
#[test]
fn templated_weights_type_after_resolution() {
    let yaml = "name: Cop\nstart: r\nblocks:\n  r:\n    type: randomize\n    branches: [{weight: '{{CANARY}}', next: bye}]\n    default: bye\n  bye: {type: disconnect}\n";
    assert!(parse_flow_yaml(yaml, "cop.yaml").is_err());
    let document = parse_yaml_value(yaml, "cop.yaml").expect("yaml");
    let resolved = resolve(&document, &vars(&[("CANARY", "5")])).expect("resolves");
    let flow: FlowDefinition = from_value(resolved, "cop.yaml").expect("types");
    let Some(Block::Randomize { branches, .. }) = flow.blocks.get("r") else { panic!("randomize block") };
    assert_eq!(branches[0].weight, 5.0);
}

#[test]
fn text_templates_report_every_problem_with_its_line() {
    let text = "a: {{X}}\nb: {{MISSING}}\nc: {{ bad name }}\n";
    let Err(diagnostics) = resolve_text(text, &vars(&[("X", "1")])) else { panic!("expected errors") };
    let lines: Vec<usize> = diagnostics.iter().map(|diagnostic| diagnostic.line).collect();
    assert_eq!(lines, vec![2, 3]);
    assert!(matches!(&diagnostics[0].error, TemplateError::Unresolved { variable, .. } if variable == "MISSING"));
    assert_eq!(resolve_text("a: {{X}} and {{ X }}\n", &vars(&[("X", "1")])).ok().as_deref(), Some("a: 1 and 1\n"));
}

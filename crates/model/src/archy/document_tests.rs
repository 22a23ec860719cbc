use super::parse;
use serde_json::json;

#[test]
fn reads_yaml_1_2_scalars_so_yes_and_no_stay_text() {
    let text = "outputs:\n  yes: 1\n  no: \"2\"\n  on: true\n  n: ~\n  d: 1.5\n";
    let document = parse(text, "f.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(document.root, json!({"outputs": {"yes": 1, "no": "2", "on": true, "n": null, "d": 1.5}}));
}

#[test]
fn positions_name_the_key_line_and_column_through_crlf_and_comments() {
    let text = "# comment\r\ninboundCall:\r\n  tasks:\r\n    - task:\r\n        name: A # trailing\r\n";
    let document = parse(text, "f.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(document.position("/inboundCall"), (2, 1));
    assert_eq!(document.position("/inboundCall/tasks/0/task/name"), (5, 9));
    // An unknown pointer falls back to its nearest known ancestor.
    assert_eq!(document.position("/inboundCall/tasks/0/task/name/deeper"), (5, 9));
    assert_eq!(document.root, json!({"inboundCall": {"tasks": [{"task": {"name": "A"}}]}}));
}

#[test]
fn double_quoted_expressions_keep_their_escapes() {
    let text = "exp: \"If(\\n\\tContains(Task.EWT, \\\"H\\\"),\\n\\t\\\"0\\\"\\n)\"\n";
    let document = parse(text, "f.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(document.root, json!({"exp": "If(\n\tContains(Task.EWT, \"H\"),\n\t\"0\"\n)"}));
}

#[test]
fn refuses_anchors_duplicate_keys_and_bad_syntax_with_a_line() {
    let anchors = parse("a: &x 1\nb: *x\n", "f.yaml").map(|_| ()).unwrap_err().to_string();
    assert!(anchors.starts_with("f.yaml:1:7: YAML anchors"), "{anchors}");
    let duplicate = parse("a: 1\na: 2\n", "f.yaml").map(|_| ()).unwrap_err().to_string();
    assert!(duplicate.starts_with("f.yaml:2:1: duplicate key `a`"), "{duplicate}");
    let syntax = parse("a: [1\n", "f.yaml").map(|_| ()).unwrap_err().to_string();
    assert!(syntax.starts_with("f.yaml:1:4: YAML syntax: unclosed bracket"), "{syntax}");
}

//! Every limit is enforced by the parser that owns it, and each parser stays linear on input
//! shaped to hit its old quadratic path (inputs are generous but bounded, so a regression shows
//! as a test that runs for minutes, never as a wall-clock assertion).

use super::*;
use crate::archy::{placeholders, substitute};
use crate::expr::parse;
use crate::template::{TemplateError, resolve_text};
use proptest::prelude::*;
use std::collections::BTreeMap;

const HEAD: &str = "inboundCall:\n  name: T\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n";

fn unnamed_actions(count: usize) -> String {
    let mut text = HEAD.to_string();
    for _ in 0..count {
        text.push_str("          - playAudio:\n              audio:\n                tts: hi\n");
    }
    text.push_str("          - disconnect:\n              name: D\n");
    text
}

#[test]
fn thousands_of_unnamed_actions_import_with_distinct_names_in_order() {
    // The importer counted up from ` (2)` for every repeat: quadratic in the number of repeats.
    let count = FLOW_BLOCKS_MAX - 100;
    let flow = crate::load_flow(&unnamed_actions(count), "f.yaml").expect("a flow within the block limit imports");
    let audio = flow.blocks.keys().filter(|name| name.starts_with("Play Audio") || name.starts_with("playAudio")).count();
    assert_eq!(audio, count, "one block per action: {:?}", flow.blocks.keys().take(3).collect::<Vec<_>>());
}

#[test]
fn a_flow_over_the_block_limit_is_refused_naming_the_limit() {
    let error = crate::load_flow(&unnamed_actions(FLOW_BLOCKS_MAX + 1), "f.yaml").expect_err("over the limit");
    assert!(error.to_string().contains(&format!("at most {FLOW_BLOCKS_MAX} blocks")), "{error}");
    let mut blocks = String::from("name: F\nstart: b0\nblocks:\n");
    for index in 0..=FLOW_BLOCKS_MAX {
        blocks.push_str(&format!("  b{index}:\n    type: disconnect\n"));
    }
    let error = crate::load_flow(&blocks, "f.yaml").expect_err("over the limit");
    assert!(error.to_string().contains(&format!("at most {FLOW_BLOCKS_MAX} blocks")), "{error}");
}

#[test]
fn placeholders_are_counted_in_one_pass_and_capped() {
    // `{{` without any `${` made every search run to the end of the text: quadratic.
    let within = "{{p}}".repeat(PLACEHOLDERS_MAX);
    assert_eq!(placeholders(&within), vec!["p".to_string()]);
    let values = BTreeMap::from([("p".to_string(), "x".to_string())]);
    assert_eq!(substitute(&within, "f.yaml", &values).map(|text| text.len()).ok(), Some(PLACEHOLDERS_MAX));
    let over = "${p}".repeat(PLACEHOLDERS_MAX + 1);
    let error = substitute(&over, "f.yaml", &values).expect_err("over the limit");
    assert!(error.to_string().contains(&format!("more than {PLACEHOLDERS_MAX} substitution placeholders")), "{error}");
    let lines: String = (0..=PLACEHOLDERS_MAX).map(|_| "{{MISSING}}\n").collect();
    let diagnostics = resolve_text(&lines, &BTreeMap::new()).expect_err("over the limit");
    assert!(matches!(diagnostics.as_slice(), [only] if only.error == TemplateError::TooMany { limit: PLACEHOLDERS_MAX }));
}

#[test]
fn unresolved_template_variables_on_one_line_have_their_own_columns() {
    let diagnostics = resolve_text("a {{X}} b {{Y}}\n", &BTreeMap::new()).expect_err("unset");
    let columns: Vec<usize> = diagnostics.iter().map(|diagnostic| diagnostic.column).collect();
    assert_eq!(columns, vec![3, 11]);
}

#[test]
fn expressions_are_refused_past_their_length_and_name_limits() {
    let long = "1+".repeat(EXPRESSION_BYTES_MAX / 2) + "1";
    let error = parse(&long).expect_err("too long");
    assert!(error.message.contains(&format!("at most {EXPRESSION_BYTES_MAX} bytes")), "{error}");
    let parts = |count: usize| format!("Flow{}", ".a".repeat(count - 1));
    assert!(parse(&parts(NAME_PARTS_MAX)).is_ok());
    let error = parse(&parts(NAME_PARTS_MAX + 1)).expect_err("too many parts");
    assert!(error.message.contains(&format!("more than {NAME_PARTS_MAX} dotted parts")), "{error}");
    let deep = format!("{}1{}", "(".repeat(EXPRESSION_DEPTH_MAX + 1), ")".repeat(EXPRESSION_DEPTH_MAX + 1));
    assert!(parse(&deep).is_err());
}

/// Text made of the characters that matter to the parsers, so the interesting cases come often.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![Just("{{"), Just("}}"), Just("${"), Just("}"), Just("{"), Just("$"), Just("p"), Just(" "), Just("\n"), Just("."), Just("a"), Just("(")], 0..200)
        .prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn substitution_finds_exactly_what_it_replaces(text in hostile_text()) {
        let names = placeholders(&text);
        let values: BTreeMap<String, String> = names.iter().map(|name| (name.clone(), String::new())).collect();
        // Every placeholder the scan reports can be substituted, and with all of them given
        // nothing is left unresolved.
        prop_assert!(substitute(&text, "f.yaml", &values).is_ok());
        let _ = resolve_text(&text, &BTreeMap::new());
    }

    #[test]
    fn expression_parsing_never_panics_on_hostile_text(text in hostile_text()) {
        let _ = parse(&text);
    }
}

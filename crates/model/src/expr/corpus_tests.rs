//! Every `exp:` string of the real Archy flows in the shared corpus parses, and prints back stably.

use super::parse;
use std::path::PathBuf;

/// Templates write `{{name}}` placeholders (even in mapping keys); the name alone keeps the YAML valid.
fn substitute_placeholders(text: &str) -> String {
    text.replace("{{", "").replace("}}", "")
}

/// Every string under an `exp` key, with a path for messages.
fn collect_expressions(node: &serde_json::Value, path: &str, found: &mut Vec<(String, String)>) {
    match node {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let child = format!("{path}.{key}");
                match (key.as_str(), value) {
                    ("exp", serde_json::Value::String(text)) => found.push((child, text.clone())),
                    _ => collect_expressions(value, &child, found),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_expressions(item, &format!("{path}[{index}]"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_corpus_expression_parses() {
    let Some(folder) = switchboard_testkit::archy_corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("corpus folder is readable")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    files.sort();
    let mut expressions = Vec::new();
    let mut unreadable = Vec::new();
    for file in &files {
        let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("corpus file is readable");
        match serde_saphyr::from_str::<serde_json::Value>(&substitute_placeholders(&text)) {
            Ok(document) => collect_expressions(&document, &name, &mut expressions),
            Err(error) => unreadable.push(format!("{name}: {error}")),
        }
    }
    assert!(unreadable.is_empty(), "corpus files that are not YAML: {unreadable:#?}");
    let raw_count: usize = files
        .iter()
        .map(|file| std::fs::read_to_string(file).map(|text| text.matches("exp:").count()).unwrap_or(0))
        .sum();
    let mut failures = Vec::new();
    for (path, source) in &expressions {
        match parse(source) {
            Ok(tree) => {
                // With no data every variable is NOT_SET: evaluation may fail, but must not panic.
                let empty: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
                let _ = super::CompiledExpression::Expression(tree.clone()).evaluate(&empty);
                let printed = tree.to_string();
                if parse(&printed).as_ref() != Ok(&tree) {
                    failures.push(format!("{path}: `{source}` printed as `{printed}` reads back differently"));
                }
            }
            Err(error) => failures.push(format!("{path}: `{source}`: {error}")),
        }
    }
    let parsed = expressions.len() - failures.len();
    println!(
        "{parsed} of {} `exp:` strings in {} corpus files parse ({raw_count} `exp:` occurrences in the raw text)",
        expressions.len(),
        files.len()
    );
    assert_eq!(expressions.len(), raw_count, "every `exp:` in the text was found in the YAML");
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), expressions.len(), failures.join("\n"));
}

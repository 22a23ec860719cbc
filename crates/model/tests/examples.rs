//! Every flow in `examples/flows/` parses, resolves its template variables and validates with no
//! errors, so the documented examples cannot rot.

use std::collections::BTreeMap;
use switchboard_model::flow::FlowDefinition;
use switchboard_model::{load, template, validate};

#[test]
fn example_flows_are_valid() -> Result<(), Box<dyn std::error::Error>> {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flows");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&directory)? {
        let path = entry?.path();
        let is_flow = matches!(path.extension().and_then(|ext| ext.to_str()), Some("yaml" | "yml" | "json"));
        if !is_flow {
            continue;
        }
        let file_name = path.display().to_string();
        let text = std::fs::read_to_string(&path)?;
        let document = if file_name.ends_with(".json") {
            serde_json::from_str(&text)?
        } else {
            load::parse_yaml_value(&text, &file_name)?
        };
        // Give every template variable a stand-in value, as deploy would per org.
        let variables: BTreeMap<String, String> = template::find_variables(&document)
            .into_iter()
            .map(|name| (name.clone(), format!("resolved_{name}")))
            .collect();
        let resolved = template::resolve(&document, &variables)?;
        let flow: FlowDefinition = load::from_value(resolved, &file_name)?;
        let report = validate::validate_report(&flow, &validate::Catalog::default());
        assert!(report.errors.is_empty(), "{file_name}: {:#?}", report.errors);
        assert!(report.warnings.is_empty(), "{file_name}: {:#?}", report.warnings);
        checked.push(file_name);
    }
    assert!(checked.len() >= 3, "expected the documented examples, found {checked:?}");
    Ok(())
}

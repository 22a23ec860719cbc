//! Snapshot (insta) of the wire shapes the emulator serves: every resource, listing, error body,
//! token answer and notification event that `sdk_models` records, reduced to its keys and value
//! types (ids, times and counts change between runs; the shape must not change unnoticed).
//! Review a change with `cargo insta review` (or `INSTA_UPDATE=always`) and commit the `.snap`.

use super::sdk_models::record_samples;
use super::support::*;
use serde_json::{Map, Value};

/// Keys and value types: strings become `<str>` (`<datetime>` for RFC 3339 times), numbers
/// `<int>`/`<float>`, arrays the shape of their first element. Free-form maps (row values,
/// participant attributes) keep their keys, which are data, out of the shape.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::from("<null>"),
        Value::Bool(_) => Value::from("<bool>"),
        Value::Number(number) if number.is_f64() => Value::from("<float>"),
        Value::Number(_) => Value::from("<int>"),
        Value::String(text) if looks_like_datetime(text) => Value::from("<datetime>"),
        Value::String(_) => Value::from("<str>"),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| match key.as_str() {
                    "attributes" | "properties" | "values" | "counts" => (key.clone(), Value::from("<map>")),
                    _ => (key.clone(), shape(item)),
                })
                .collect::<Map<String, Value>>(),
        ),
    }
}

fn looks_like_datetime(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 20 && bytes.get(4) == Some(&b'-') && bytes.get(10) == Some(&b'T') && text.ends_with('Z')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wire_shapes_of_resources_and_events_are_pinned() {
    let emulator = start_default().await;
    let samples = record_samples(&emulator).await;
    let mut shapes = Map::new();
    for sample in &samples {
        let model = sample["model"].as_str().unwrap_or("unknown");
        let mut key = model.to_string();
        let mut n = 2;
        while shapes.contains_key(&key) {
            key = format!("{model} #{n}");
            n += 1;
        }
        shapes.insert(key, shape(&sample["body"]));
    }
    assert!(shapes.len() >= 40, "every resource and event recorded: {}", shapes.len());
    insta::assert_json_snapshot!("wire_shapes", Value::Object(shapes));
    emulator.shutdown().await;
}

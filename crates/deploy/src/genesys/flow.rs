//! Flows: listed with paging, content read through an Architect export job, written through an
//! Architect publish job (`Flows::publish`), the one real flow path. The platform takes the
//! flow's lock for the job; we compare the published version with what the engine saw first.

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use switchboard_platform::api::flow::Flow;
use switchboard_platform::{FlowSource, PlatformExt};

use super::{GenesysProvider, check_revision, invalid, wrap};
use crate::provider::{LiveObject, ProviderResult};

fn neutral(flow: &Flow, yaml: Option<String>) -> LiveObject {
    let mut body = json!({"name": flow.name});
    if let (Some(yaml), Value::Object(map)) = (yaml, &mut body) {
        map.insert("yaml".into(), Value::String(yaml));
    }
    LiveObject {
        kind: "flow".into(),
        name: flow.name.clone(),
        id: flow.id.clone(),
        body,
        revision: flow.published_version.as_ref().map(|version| version.id.clone()),
        enabled: flow.active || flow.published_version.is_some(),
        modified_by: flow.locked_user.as_ref().and_then(|user| user.name.clone()),
        modified_at: None,
        guard: None,
    }
}

async fn export(provider: &GenesysProvider, flow: &Flow) -> ProviderResult<Option<String>> {
    if flow.published_version.is_none() {
        return Ok(None);
    }
    provider.platform().flows().export(&flow.id, None, provider.flow_wait).await.map(Some).map_err(wrap(format!("flow {} export", flow.name)))
}

pub(super) async fn list(provider: &GenesysProvider, expand: &[String]) -> ProviderResult<Vec<LiveObject>> {
    let flows: Vec<Flow> = provider.platform().flows().list(None, None).try_collect().await.map_err(wrap("flows"))?;
    let mut out = Vec::new();
    for flow in flows.iter().filter(|flow| !flow.deleted && !flow.system) {
        let yaml = if expand.contains(&flow.name) { export(provider, flow).await? } else { None };
        out.push(neutral(flow, yaml));
    }
    Ok(out)
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let flow = provider.platform().flows().get(id).await.map_err(wrap(format!("flow {id}")))?.value;
    let yaml = export(provider, &flow).await?;
    Ok(neutral(&flow, yaml))
}

/// Publishes the body's Archy YAML (creating the flow or a new version of it).
pub(super) async fn publish(provider: &GenesysProvider, body: &Value, current: Option<&LiveObject>) -> ProviderResult<LiveObject> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let what = format!("flow {name}");
    let yaml = body.get("yaml").and_then(Value::as_str).ok_or_else(|| invalid(&what, "no Archy YAML"))?;
    let flows = provider.platform().flows();
    if let Some(current) = current {
        let fresh = flows.get(&current.id).await.map_err(wrap(what.clone()))?.value;
        check_revision(&what, current, fresh.published_version.as_ref().map(|version| version.id.as_str()))?;
    }
    let published = flows.publish(FlowSource::ArchyYaml(yaml), provider.flow_wait, |_| {}).await.map_err(wrap(what))?;
    read(provider, &published.flow.id).await
}

/// For diffs: Archy YAML becomes the flow it defines, so formatting and key order do not count.
pub(super) fn comparable(mut body: Value) -> Value {
    if let Value::Object(map) = &mut body {
        map.remove("type");
        if let Some(Value::String(yaml)) = map.remove("yaml") {
            let content = match switchboard_model::archy::import(&yaml, "flow") {
                Ok(flow) => serde_json::to_value(&flow).unwrap_or(Value::String(yaml)),
                Err(_) => Value::String(yaml),
            };
            map.insert("content".into(), content);
        }
    }
    body
}

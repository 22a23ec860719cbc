//! Queues and their members. Queues carry no body version: writes use `If-Match` when the
//! target serves ETags; otherwise (the real platform, `--strict`) read-compare-write: a fresh
//! read whose `dateModified` and managed fields (members included) must match what was seen.

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use switchboard_platform::PlatformExt;
use switchboard_platform::api::queue::Queue;

use super::{GenesysProvider, check_revision, id_ref, invalid, overlay, pick, wrap};
use crate::provider::{LiveObject, ProviderResult};

const KEYS: [&str; 5] = ["name", "description", "mediaSettings", "acwSettings", "skillEvaluationMethod"];

fn neutral(queue: &Queue, etag: Option<String>, members: Option<Vec<String>>) -> LiveObject {
    let wire = serde_json::to_value(queue).unwrap_or(Value::Null);
    let mut body = pick(&wire, &KEYS);
    if let Some(flow) = id_ref(wire.get("queueFlow")) {
        body.insert("queueFlow".into(), flow);
    }
    if let Some(members) = members {
        body.insert("members".into(), json!(members));
    }
    LiveObject {
        kind: "queue".into(),
        name: queue.name.clone(),
        id: queue.id.clone(),
        body: Value::Object(body),
        revision: etag.or_else(|| queue.date_modified.clone()),
        enabled: true,
        modified_by: None,
        modified_at: queue.date_modified.clone(),
    }
}

async fn members(provider: &GenesysProvider, id: &str) -> ProviderResult<Vec<String>> {
    let members: Vec<_> = provider.platform().queues().members(id).try_collect().await.map_err(wrap(format!("queue {id} members")))?;
    let mut ids: Vec<String> = members.into_iter().map(|member| member.user.map_or(member.id, |user| user.id)).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

pub(super) async fn list(provider: &GenesysProvider, expand: &[String]) -> ProviderResult<Vec<LiveObject>> {
    let queues = provider.platform().queues().list_all().await.map_err(wrap("queues"))?;
    let mut out = Vec::with_capacity(queues.len());
    for queue in queues {
        let members = if expand.contains(&queue.name) { Some(members(provider, &queue.id).await?) } else { None };
        out.push(neutral(&queue, None, members));
    }
    Ok(out)
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().queues().get(id).await.map_err(wrap(format!("queue {id}")))?;
    let members = members(provider, id).await?;
    Ok(neutral(&fresh.value, fresh.etag, Some(members)))
}

/// Read-compare-write without ETags: every managed field the caller saw must still hold, so a
/// hand edit landing within `dateModified`'s resolution (or on a platform that does not move it)
/// is still a conflict, never overwritten.
fn unchanged_fields(what: &str, seen: &LiveObject, fresh: &LiveObject) -> ProviderResult<()> {
    let Some(seen_fields) = seen.body.as_object() else { return Ok(()) };
    let moved: Vec<&str> = seen_fields.iter().filter(|(key, value)| fresh.body.get(key.as_str()) != Some(*value)).map(|(key, _)| key.as_str()).collect();
    if moved.is_empty() {
        return Ok(());
    }
    Err(crate::provider::ProviderError::Conflict { what: what.to_string(), message: format!("changed since read: {}", moved.join(", ")) })
}

fn wire_queue(body: &Value) -> ProviderResult<Queue> {
    let mut wire = body.clone();
    if let Value::Object(map) = &mut wire {
        map.remove("members");
    }
    serde_json::from_value(wire).map_err(|error| invalid("queue", error))
}

async fn set_members(provider: &GenesysProvider, id: &str, current: &[String], wanted: Option<&Value>) -> ProviderResult<()> {
    let Some(wanted) = wanted.and_then(Value::as_array) else { return Ok(()) };
    let wanted: Vec<&str> = wanted.iter().filter_map(Value::as_str).collect();
    let add: Vec<&str> = wanted.iter().copied().filter(|user| !current.iter().any(|member| member == user)).collect();
    let remove: Vec<&str> = current.iter().map(String::as_str).filter(|member| !wanted.contains(member)).collect();
    let queues = provider.platform().queues();
    // The platform takes at most 100 members per call.
    for chunk in add.chunks(100) {
        queues.set_members(id, chunk, false).await.map_err(wrap(format!("queue {id} members")))?;
    }
    for chunk in remove.chunks(100) {
        queues.set_members(id, chunk, true).await.map_err(wrap(format!("queue {id} members")))?;
    }
    Ok(())
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let queue = wire_queue(body)?;
    let created = provider.platform().queues().create(&queue).await.map_err(wrap(format!("queue {}", queue.name)))?;
    set_members(provider, &created.id, &[], body.get("members")).await?;
    read(provider, &created.id).await
}

pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("queue {}", current.name);
    let queues = provider.platform().queues();
    let fresh = queues.get(&current.id).await.map_err(wrap(what.clone()))?;
    check_revision(&what, current, fresh.etag.as_deref().or(fresh.value.date_modified.as_deref()))?;
    if fresh.etag.is_none() {
        let fresh_members = if current.body.get("members").is_some() { Some(members(provider, &current.id).await?) } else { None };
        unchanged_fields(&what, current, &neutral(&fresh.value, None, fresh_members))?;
    }
    let wire = serde_json::to_value(&fresh.value).map_err(|error| invalid(&what, error))?;
    let merged = overlay(wire, body, &["members"]);
    if merged != serde_json::to_value(&fresh.value).unwrap_or(Value::Null) {
        let queue: Queue = serde_json::from_value(merged).map_err(|error| invalid(&what, error))?;
        queues.update_with_etag(&current.id, &queue, fresh.etag.as_deref()).await.map_err(wrap(what.clone()))?;
    }
    let current_members: Vec<String> = current.body.get("members").and_then(Value::as_array).map(|members| members.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
    let current_members = if current.body.get("members").is_some() { current_members } else { members(provider, &current.id).await? };
    set_members(provider, &current.id, &current_members, body.get("members")).await?;
    read(provider, &current.id).await
}

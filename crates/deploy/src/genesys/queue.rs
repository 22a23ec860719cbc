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

/// A queue's change marker, the same from a listing and a read: `dateModified` (which a write
/// of the queue moves) and the member count (which a membership change moves; the platform
/// does not stamp the queue for it). A swap of members that keeps the count is not seen until
/// the queue itself changes.
fn revision(queue: &Queue, members: Option<usize>) -> Option<String> {
    let count = members.map(|count| count as u32).or(queue.member_count);
    queue.date_modified.as_ref().map(|stamp| match count {
        Some(count) => format!("{stamp}#{count}"),
        None => stamp.clone(),
    })
}

fn neutral(queue: &Queue, etag: Option<String>, members: Option<Vec<String>>) -> LiveObject {
    let wire = serde_json::to_value(queue).unwrap_or(Value::Null);
    let mut body = pick(&wire, &KEYS);
    if let Some(flow) = id_ref(wire.get("queueFlow")) {
        body.insert("queueFlow".into(), flow);
    }
    let revision = revision(queue, members.as_ref().map(Vec::len));
    if let Some(members) = members {
        body.insert("members".into(), json!(members));
    }
    LiveObject {
        kind: "queue".into(),
        name: queue.name.clone(),
        id: queue.id.clone(),
        body: Value::Object(body),
        revision,
        guard: etag,
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
    read_with(provider, id, true).await
}

/// The queue by id; its members only with `with_members`.
pub(super) async fn read_with(provider: &GenesysProvider, id: &str, with_members: bool) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().queues().get(id).await.map_err(wrap(format!("queue {id}")))?;
    let members = if with_members { Some(members(provider, id).await?) } else { None };
    Ok(neutral(&fresh.value, fresh.etag, members))
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

/// Adds and removes members so the queue has `wanted`; whether anything changed.
async fn set_members(provider: &GenesysProvider, id: &str, current: &[String], wanted: Option<&Value>) -> ProviderResult<bool> {
    let Some(wanted) = wanted.and_then(Value::as_array) else { return Ok(false) };
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
    Ok(!add.is_empty() || !remove.is_empty())
}

fn member_list(body: &Value) -> Option<Vec<String>> {
    let members: Vec<String> = body.get("members")?.as_array()?.iter().filter_map(Value::as_str).map(str::to_string).collect();
    Some(members)
}

/// The queue as written, from the write's answer instead of a read back, with `members` as we
/// set them. A membership write after the queue's changes what a GET answers (its counts), so
/// the write's ETag is stale then: one GET of the queue (not its members) takes a fresh one, so
/// the next update is still a single conditional write.
async fn written(provider: &GenesysProvider, queue: Queue, etag: Option<String>, members: Option<Vec<String>>, members_changed: bool) -> ProviderResult<LiveObject> {
    if !members_changed {
        return Ok(neutral(&queue, etag, members));
    }
    let fresh = provider.platform().queues().get(&queue.id).await.map_err(wrap(format!("queue {}", queue.name)))?;
    Ok(neutral(&fresh.value, fresh.etag, members))
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let queue = wire_queue(body)?;
    let created = provider.platform().queues().create_versioned(&queue).await.map_err(wrap(format!("queue {}", queue.name)))?;
    let changed = set_members(provider, &created.value.id, &[], body.get("members")).await?;
    written(provider, created.value, created.etag, member_list(body).or(Some(Vec::new())), changed).await
}

/// One conditional write when the engine holds a guard (the ETag of our last write, carried
/// through the plan): the queue is what the engine saw, so the write overlays the managed
/// fields on it. Without one: a fresh read, compared with what the engine saw (its revision,
/// and on a target without ETags its managed fields, members included), then the write.
pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("queue {}", current.name);
    let queues = provider.platform().queues();
    let (base, etag) = match &current.guard {
        Some(guard) => {
            let mut seen = wire_queue(&current.body)?;
            seen.id = current.id.clone();
            seen.date_modified = current.modified_at.clone();
            (seen, Some(guard.clone()))
        }
        None => {
            let fresh = queues.get(&current.id).await.map_err(wrap(what.clone()))?;
            let fresh_members = if current.body.get("members").is_some() { Some(members(provider, &current.id).await?) } else { None };
            let fresh_object = neutral(&fresh.value, None, fresh_members);
            check_revision(&what, current, fresh_object.revision.as_deref())?;
            if fresh.etag.is_none() {
                unchanged_fields(&what, current, &fresh_object)?;
            }
            (fresh.value, fresh.etag)
        }
    };
    let base_wire = serde_json::to_value(&base).map_err(|error| invalid(&what, error))?;
    let merged = overlay(base_wire.clone(), body, &["members"]);
    let (queue, etag) = if merged != base_wire {
        let queue: Queue = serde_json::from_value(merged).map_err(|error| invalid(&what, error))?;
        let answer = queues.update_with_etag(&current.id, &queue, etag.as_deref()).await.map_err(wrap(what.clone()))?;
        (answer.value, answer.etag)
    } else {
        (base, etag)
    };
    let current_members = match member_list(&current.body) {
        Some(members) => members,
        None if body.get("members").is_some() => members(provider, &current.id).await?,
        None => Vec::new(),
    };
    let changed = set_members(provider, &current.id, &current_members, body.get("members")).await?;
    let final_members = member_list(body).or_else(|| member_list(&current.body));
    written(provider, queue, etag, final_members, changed).await
}

//! One Archy action → one block, given where each of its output paths leads. Pure on the action's
//! mapping, so export can check that an action kept from the document still means the block.

use super::super::values::{self, describe, single_entry};
use super::parts::{call_common_module, call_data, collect_input, data_table_lookup, statements, switch};
use super::reader::Reader;
use crate::flow::*;
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// The actions Switchboard maps, with their output paths; names match in any letter case.
pub(crate) const ACTIONS: &[(&str, &[&str])] = &[
    ("playAudio", &[]),
    ("disconnect", &[]),
    ("callData", &["success", "failure", "timeout"]),
    ("decision", &["yes", "no"]),
    ("updateData", &[]),
    ("collectInput", &["success", "failure"]),
    ("transferToAcd", &["failure"]),
    ("holdMusic", &[]),
    ("setParticipantData", &[]),
    ("getParticipantData", &[]),
    ("transferToVoicemail", &["failure"]),
    ("findQueue", &["found", "notFound"]),
    ("transferToFlow", &["failure"]),
    ("transferToFlowSecure", &["failure"]),
    ("dataTableLookup", &["found", "notFound", "failure"]),
    ("evaluateScheduleGroup", &["open", "closed", "holiday", "emergency"]),
    ("endTask", &[]),
    ("playEstimatedWaitTime", &[]),
    ("switch", &[]),
    ("loop", &["loop"]),
    ("loopNext", &[]),
    ("loopExit", &[]),
    ("callTask", &[]),
    ("callCommonModule", &[]),
    ("wait", &[]),
    // Menu choices that are blocks of their own.
    ("menuDisconnect", &[]),
    ("menuTransferToAcd", &[]),
];

/// The canonical spelling of a supported action name, matched in any case.
pub(crate) fn canonical(kind: &str) -> Option<(&'static str, &'static [&'static str])> {
    ACTIONS.iter().copied().find(|(name, _)| name.eq_ignore_ascii_case(kind))
}

/// Where an action's paths lead: output path → block, `next` for paths not written (they fall
/// through to the action after), and the loop a `loopNext` / `loopExit` belongs to.
pub(crate) struct Targets<'a> {
    pub outputs: &'a BTreeMap<String, String>,
    pub next: &'a str,
    /// (loop block, the loop's next) of the innermost enclosing loop.
    pub enclosing_loop: Option<(&'a str, &'a str)>,
}

impl Targets<'_> {
    pub(super) fn path(&self, name: &str) -> String {
        self.outputs.get(name).cloned().unwrap_or_else(|| self.next.to_string())
    }

    pub(super) fn next(&self) -> String {
        self.next.to_string()
    }
}

/// A problem inside an action: the JSON pointer below the action's mapping, and the message.
pub(crate) type Problem = (String, String);

/// Builds the block of action `kind` (canonical) from its mapping. `None` with problems recorded
/// when the action uses something not supported.
pub(crate) fn build(kind: &str, body: &Map<String, Json>, targets: &Targets, problems: &mut Vec<Problem>) -> Option<Block> {
    let mut reader = Reader { body, problems };
    let block = match kind {
        "playAudio" => {
            let audio = reader.required("audio")?;
            Block::Play {
                prompt: reader.lift("/audio", values::audio(audio))?,
                duration_ms: values::prompt_duration_ms(audio),
                next: targets.next(),
            }
        }
        "disconnect" | "menuDisconnect" => Block::Disconnect { reason: None },
        "callData" => call_data(&mut reader, targets)?,
        "decision" => Block::Decision {
            condition: reader.expression("condition")?,
            on_true: targets.path("yes"),
            on_false: targets.path("no"),
        },
        "updateData" => {
            let mut statements = statements(&mut reader)?;
            if statements.len() == 1 {
                // One statement means the same as `set_variable`; its Archy type stays in the kept action.
                let statement = statements.remove(0);
                Block::SetVariable { variable: statement.variable, value: statement.value, next: targets.next() }
            } else {
                Block::UpdateData { statements, next: targets.next() }
            }
        }
        "collectInput" => collect_input(&mut reader, targets)?,
        "transferToAcd" | "menuTransferToAcd" => Block::TransferToQueue {
            queue: reader.expression("targetQueue")?,
            priority: match reader.optional("priority") {
                None => None,
                Some(form) => match values::expression(form) {
                    Ok(Expression(Value::Integer(priority))) => i32::try_from(priority).ok(),
                    Ok(expression) if expression.expression_text() == Some(values::NOT_SET) => None,
                    _ => return reader.refuse("/priority", "only a literal integer priority is supported"),
                },
            },
            on_failure: (kind == "transferToAcd").then(|| targets.path("failure")),
        },
        "holdMusic" => {
            let audio = reader.required("prompt")?;
            // `playStyle: {duration: ...}` plays for that long; the entire prompt takes the stand-in.
            let duration = match reader.optional("playStyle").and_then(|style| style.get("duration")) {
                Some(form) => values::duration_value_ms(form),
                None => Ok(crate::flow::default_hold_music_ms()),
            };
            Block::HoldMusic {
                prompt: reader.lift("/prompt", values::audio(audio))?,
                duration_ms: reader.lift("/playStyle/duration", duration)?,
                next: targets.next(),
            }
        }
        "setParticipantData" => {
            let mut attributes = Vec::new();
            for (index, attribute) in reader.items("attributes", "attribute")?.into_iter().enumerate() {
                let at = format!("/attributes/{index}/attribute");
                let name = reader.attribute_name(&at, attribute)?;
                let value = match attribute.get("value") {
                    Some(form) => reader.lift(&format!("{at}/value"), values::expression(form))?,
                    None => return reader.refuse(&at, "an attribute needs `value:`"),
                };
                attributes.push(AttributeWrite { name, value });
            }
            Block::SetParticipantData { attributes, next: targets.next() }
        }
        "getParticipantData" => {
            let mut attributes = Vec::new();
            for (index, attribute) in reader.items("attributes", "attribute")?.into_iter().enumerate() {
                let at = format!("/attributes/{index}/attribute");
                let name = reader.attribute_name(&at, attribute)?;
                let Some(Json::String(variable)) = attribute.get("variable") else {
                    return reader.refuse(&at, "an attribute needs `variable:` naming where the value goes");
                };
                attributes.push(AttributeRead { name, variable: variable.clone() });
            }
            Block::GetParticipantData { attributes, next: targets.next() }
        }
        "transferToVoicemail" => {
            let destination = reader.required("destination")?;
            let target = match single_entry(destination) {
                Some(("queue", Json::Object(queue))) => match queue.get("targetQueue") {
                    Some(form) => reader.lift("/destination/queue/targetQueue", values::expression(form))?,
                    None => return reader.refuse("/destination/queue", "needs `targetQueue:`"),
                },
                Some(("user", Json::Object(user))) => match user.get("targetUser") {
                    Some(form) => reader.lift("/destination/user/targetUser", values::expression(form))?,
                    None => return reader.refuse("/destination/user", "needs `targetUser:`"),
                },
                _ => return reader.refuse("/destination", "a voicemail destination is `queue:` or `user:`"),
            };
            Block::TransferToVoicemail { target, on_failure: Some(targets.path("failure")) }
        }
        "findQueue" => Block::FindQueue {
            queue_name: reader.expression("findName")?,
            variable: match reader.optional("findResult") {
                Some(form) => match single_entry(form) {
                    Some(("var", Json::String(variable))) => Some(variable.clone()),
                    Some(("noValue", _)) => None,
                    _ => return reader.refuse("/findResult", "`findResult:` must be `var: <variable>`"),
                },
                None => None,
            },
            on_found: targets.path("found"),
            on_not_found: targets.path("notFound"),
        },
        "transferToFlow" | "transferToFlowSecure" => {
            let flow = match reader.required("targetFlow")? {
                Json::Object(map) if map.len() == 1 && map.contains_key("name") => match map.get("name") {
                    Some(Json::String(name)) => Expression::from(Value::String(name.clone())),
                    _ => return reader.refuse("/targetFlow", "`targetFlow: {name: ...}` must name a flow"),
                },
                form => reader.lift("/targetFlow", values::expression(form))?,
            };
            Block::TransferToFlow { flow, on_failure: Some(targets.path("failure")) }
        }
        "dataTableLookup" => data_table_lookup(&mut reader, targets)?,
        "evaluateScheduleGroup" => Block::EvaluateScheduleGroup(ScheduleGroupBlock {
            schedule_group: reader.expression("scheduleGroup")?,
            emergency_group: match reader.optional("emergencyGroup") {
                // Archy writes the group's name beside `lit:` too (`{lit: {name: X}, name: X}`).
                Some(Json::Object(map)) => match map.get("lit").or_else(|| map.get("exp")).or_else(|| map.get("noValue")) {
                    Some(_) => {
                        let form: Map<String, Json> =
                            map.iter().filter(|(key, _)| *key != "name").map(|(k, v)| (k.clone(), v.clone())).collect();
                        Some(reader.lift("/emergencyGroup", values::expression(&Json::Object(form)))?)
                    }
                    None => return reader.refuse("/emergencyGroup", "expected a value form"),
                },
                Some(other) => return reader.refuse("/emergencyGroup", &format!("expected a value form, found {}", describe(other))),
                None => None,
            },
            on_open: targets.path("open"),
            on_closed: targets.path("closed"),
            on_holiday: targets.path("holiday"),
            on_emergency: targets.path("emergency"),
        }),
        "endTask" => Block::EndTask { implicit: false },
        "playEstimatedWaitTime" => {
            Block::PlayEstimatedWaitTime { duration_ms: crate::flow::default_play_ms(), next: targets.next() }
        }
        "switch" => switch(&mut reader, targets)?,
        "loop" => {
            let count = reader.expression("loopCount")?;
            let index_variable = match reader.optional("currentIndex") {
                Some(form) => match single_entry(form) {
                    Some(("var", Json::String(variable))) => Some(variable.clone()),
                    Some(("noValue", _)) => None,
                    _ => return reader.refuse("/currentIndex", "`currentIndex:` must be `var: <variable>`"),
                },
                None => None,
            };
            Block::Loop(LoopBlock { count, index_variable, body: targets.path("loop"), next: targets.next() })
        }
        "loopNext" | "loopExit" => {
            let Some((loop_block, loop_next)) = targets.enclosing_loop else {
                return reader.refuse("", &format!("`{kind}` is only allowed inside a loop"));
            };
            if kind == "loopNext" {
                Block::LoopNext { loop_block: loop_block.to_string() }
            } else {
                Block::LoopExit { loop_block: loop_block.to_string(), next: loop_next.to_string() }
            }
        }
        "callTask" => match (reader.required("targetTaskRef")?, targets.outputs.get("task")) {
            (Json::String(_), Some(task)) => Block::CallTask { task: task.clone(), next: targets.next() },
            (other, _) => return reader.refuse("/targetTaskRef", &format!("expected a task reference, found {}", describe(other))),
        },
        "callCommonModule" => call_common_module(&mut reader, targets)?,
        "wait" => {
            let duration = values::duration_value_ms(reader.required("duration")?);
            Block::Wait { duration_ms: Some(reader.lift("/duration", duration)?), duration_from: None, next: targets.next() }
        }
        other => return reader.refuse("", &format!("action `{other}` is not supported")),
    };
    Some(block)
}

/// `digit_1` → `1`, `digit_star` → `*`, `digit_pound` → `#`.
pub(crate) fn dtmf_key(digit: &str) -> String {
    match digit.strip_prefix("digit_").unwrap_or(digit) {
        "star" => "*".to_string(),
        "pound" | "hash" => "#".to_string(),
        other => other.to_string(),
    }
}

/// The inverse of [`dtmf_key`].
pub(crate) fn dtmf_name(key: &str) -> String {
    match key {
        "*" => "digit_star".to_string(),
        "#" => "digit_pound".to_string(),
        other => format!("digit_{other}"),
    }
}

pub(super) fn pointer(key: &str) -> String {
    super::super::document::pointer_segment(key)
}

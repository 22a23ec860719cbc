//! One Archy action → one block, given where each of its output paths leads. Pure on the action's
//! mapping, so export can check that an action kept from the document still means the block.

use super::super::values::{self, describe, single_entry};
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
    fn path(&self, name: &str) -> String {
        self.outputs.get(name).cloned().unwrap_or_else(|| self.next.to_string())
    }

    fn next(&self) -> String {
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
            Block::HoldMusic {
                prompt: reader.lift("/prompt", values::audio(audio))?,
                duration_ms: crate::flow::default_play_ms(),
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

fn call_data(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let category = reader.required("category")?;
    let Some((_category, Json::Object(inner))) = single_entry(category) else {
        return reader.refuse("/category", "expected `<integration category>: {dataAction: {<name>: {...}}}`");
    };
    let Some(Json::Object(actions)) = inner.get("dataAction") else {
        return reader.refuse("/category", "expected `dataAction:` under the category");
    };
    let Some((action_name, Json::Object(action))) = actions.iter().next().filter(|_| actions.len() == 1).map(|(k, v)| (k.clone(), v.clone())) else {
        return reader.refuse("/category", "expected exactly one data action under `dataAction:`");
    };
    let base = format!("/category/{}/dataAction/{}", pointer(_category), pointer(&action_name));
    let mut inputs = BTreeMap::new();
    if let Some(Json::Object(map)) = action.get("inputs") {
        for (input, form) in map {
            inputs.insert(input.clone(), reader.lift(&format!("{base}/inputs/{}", pointer(input)), values::expression(form))?);
        }
    }
    let mut outputs = BTreeMap::new();
    if let Some(Json::Object(map)) = action.get("successOutputs") {
        for (field, form) in map {
            match single_entry(form) {
                Some(("var", Json::String(variable))) => {
                    outputs.insert(field.clone(), variable.clone());
                }
                Some(("noValue", _)) => {}
                _ => return reader.refuse(&format!("{base}/successOutputs/{}", pointer(field)), "an output must be `var:` or `noValue:`"),
            }
        }
    }
    let timeout_ms = match reader.optional("timeout") {
        Some(form) => reader.lift("/timeout", values::duration_value_ms(form))?,
        None => 5_000,
    };
    let on_error = targets.path("failure");
    let on_timeout = targets.path("timeout");
    Some(Block::DataAction(DataActionBlock {
        integration: action_name,
        inputs,
        outputs,
        timeout_ms,
        retry: None,
        on_success: targets.path("success"),
        on_timeout: (on_timeout != on_error).then_some(on_timeout),
        on_error,
    }))
}

fn statements(reader: &mut Reader) -> Option<Vec<Assignment>> {
    let Some(Json::Array(items)) = reader.optional("statements").cloned() else {
        return reader.refuse("", "`updateData` needs a `statements:` list");
    };
    let mut statements = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("/statements/{index}");
        let Some((value_type, Json::Object(statement))) = single_entry(item) else {
            return reader.refuse(&at, "a statement is `- <type>: {variable: ..., value: ...}`");
        };
        let Some(Json::String(variable)) = statement.get("variable") else {
            return reader.refuse(&at, "a statement needs `variable:`");
        };
        let Some(form) = statement.get("value") else {
            return reader.refuse(&at, "a statement needs `value:`");
        };
        let value = reader.lift(&format!("{at}/{value_type}/value"), values::expression(form))?;
        statements.push(Assignment { variable: variable.clone(), value_type: value_type.to_string(), value });
    }
    Some(statements)
}

fn collect_input(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let variable = match reader.required("inputData")? {
        form => match single_entry(form) {
            Some(("var", Json::String(variable))) => variable.clone(),
            _ => return reader.refuse("/inputData", "`inputData:` must be `var: <variable>`"),
        },
    };
    let prompt = match reader.optional("inputAudio") {
        Some(audio) => reader.lift("/inputAudio", values::audio(audio))?,
        None => String::new(),
    };
    let digits = reader.required("digits")?.clone();
    let (min_digits, max_digits, terminator) = match single_entry(&digits) {
        Some(("exact", count)) => match count.as_u64().and_then(|count| u32::try_from(count).ok()) {
            Some(count) => (count, count, None),
            None => return reader.refuse("/digits/exact", "expected a digit count"),
        },
        Some(("range", Json::Object(range))) => {
            let bound = |key: &str| range.get(key).and_then(Json::as_u64).and_then(|value| u32::try_from(value).ok());
            let terminator = match range.get("terminatingDtmf") {
                Some(Json::String(digit)) => Some(dtmf_key(digit)),
                _ => None,
            };
            match (bound("min"), bound("max")) {
                (Some(min), Some(max)) => (min, max, terminator),
                _ => return reader.refuse("/digits/range", "a digit range needs `min:` and `max:`"),
            }
        }
        _ => return reader.refuse("/digits", "`digits:` is `exact: N` or `range: {min, max}`"),
    };
    Some(Block::CollectInput(CollectInputBlock {
        prompt,
        variable,
        min_digits,
        max_digits,
        terminator,
        on_success: targets.path("success"),
        on_failure: targets.path("failure"),
    }))
}

fn data_table_lookup(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let key = reader.expression("lookupValue")?;
    let table = reader.required("dataTable")?.clone();
    let Some((datatable, Json::Object(inner))) = single_entry(&table) else {
        return reader.refuse("/dataTable", "expected `<table name>: {foundOutputs: {...}}`");
    };
    let mut outputs = BTreeMap::new();
    if let Some(Json::Object(found)) = inner.get("foundOutputs") {
        for (column, form) in found {
            match single_entry(form) {
                Some(("var", Json::String(variable))) => {
                    outputs.insert(column.clone(), variable.clone());
                }
                Some(("noValue", _)) => {}
                _ => {
                    let at = format!("/dataTable/{}/foundOutputs/{}", pointer(datatable), pointer(column));
                    return reader.refuse(&at, "an output must be `var:` or `noValue:`");
                }
            }
        }
    }
    Some(Block::DatatableLookup {
        datatable: datatable.to_string(),
        key,
        outputs,
        on_found: targets.path("found"),
        on_not_found: targets.path("notFound"),
        on_error: Some(targets.path("failure")),
    })
}

/// `switch` with `firstTrue` (cases are conditions) or `firstMatch` (cases are values compared
/// with one value: case `C` of value `V` becomes the condition `(V) == (C)`).
fn switch(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let evaluate = reader.required("evaluate")?.clone();
    let (mode, inner) = match single_entry(&evaluate) {
        Some(("firstTrue", Json::Object(inner))) => ("firstTrue", inner.clone()),
        Some(("firstMatch", Json::Object(typed))) => match typed.values().next().filter(|_| typed.len() == 1) {
            Some(Json::Object(inner)) => ("firstMatch", inner.clone()),
            _ => return reader.refuse("/evaluate/firstMatch", "expected `<type>: {value, cases, default}`"),
        },
        _ => return reader.refuse("/evaluate", "`evaluate:` is `firstTrue:` or `firstMatch:`"),
    };
    let matched = if mode == "firstMatch" {
        match inner.get("value").map(values::expression) {
            Some(Ok(value)) => Some(value),
            _ => return reader.refuse("/evaluate", "`firstMatch` needs `value:`"),
        }
    } else {
        None
    };
    let mut cases = Vec::new();
    for (index, case) in inner.get("cases").and_then(Json::as_array).into_iter().flatten().enumerate() {
        let Some(Json::Object(case)) = case.get("case") else {
            return reader.refuse("/evaluate", "a case is `- case: {value: ..., actions: [...]}`");
        };
        let Some(Ok(value)) = case.get("value").map(values::expression) else {
            return reader.refuse("/evaluate", &format!("case {index} needs a `value:`"));
        };
        let condition = match &matched {
            None => value,
            Some(matched) => Expression::formula(&format!("({}) == ({})", operand(matched), operand(&value))),
        };
        cases.push(SwitchCase { condition, next: targets.path(&format!("case{index}")) });
    }
    Some(Block::Switch { cases, default: targets.path("default") })
}

/// An expression as an operand in Architect syntax (literals quoted as strings or numbers).
fn operand(expression: &Expression) -> String {
    match (expression.expression_text(), &expression.0) {
        (Some(text), _) => text.to_string(),
        (None, Value::String(text)) => format!("\"{}\"", text.replace('"', "\\\"")),
        (None, value) => value.to_attribute_string(),
    }
}

fn call_common_module(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let module = reader.required("commonModule")?.clone();
    let Some((name, Json::Object(versions))) = single_entry(&module) else {
        return reader.refuse("/commonModule", "expected `<module name>: {ver_latestPublished: {...}}`");
    };
    let Some(Json::Object(version)) = versions.values().next().filter(|_| versions.len() == 1) else {
        return reader.refuse("/commonModule", "expected one version under the module name");
    };
    let mut inputs = BTreeMap::new();
    for (input, form) in version.get("inputs").and_then(Json::as_object).into_iter().flatten() {
        inputs.insert(input.clone(), reader.lift("/commonModule", values::expression(form))?);
    }
    let mut outputs = BTreeMap::new();
    for (output, form) in version.get("outputs").and_then(Json::as_object).into_iter().flatten() {
        if let Some(("var", Json::String(variable))) = single_entry(form) {
            outputs.insert(output.clone(), variable.clone());
        }
    }
    Some(Block::CallCommonModule(CallCommonModuleBlock { module: name.to_string(), inputs, outputs, next: targets.next() }))
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

fn pointer(key: &str) -> String {
    super::super::document::pointer_segment(key)
}

/// Reads an action's keys, recording problems with their pointer.
struct Reader<'a> {
    body: &'a Map<String, Json>,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    fn refuse<T>(&mut self, at: &str, message: &str) -> Option<T> {
        self.problems.push((at.to_string(), message.to_string()));
        None
    }

    fn optional(&self, key: &str) -> Option<&'a Json> {
        self.body.get(key)
    }

    fn required(&mut self, key: &str) -> Option<&'a Json> {
        match self.body.get(key) {
            Some(value) => Some(value),
            None => self.refuse("", &format!("missing `{key}:`")),
        }
    }

    fn lift<T>(&mut self, at: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => self.refuse(at, &message),
        }
    }

    fn expression(&mut self, key: &str) -> Option<Expression> {
        let form = self.required(key)?;
        self.lift(&format!("/{}", pointer(key)), values::expression(form))
    }

    /// The mappings of a list of one-key items (`- attribute: {...}`).
    fn items(&mut self, key: &str, item_key: &str) -> Option<Vec<&'a Map<String, Json>>> {
        let Some(Json::Array(items)) = self.body.get(key) else {
            return self.refuse("", &format!("needs a `{key}:` list"));
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.get(item_key) {
                Some(Json::Object(map)) => out.push(map),
                _ => return self.refuse(&format!("/{key}/{index}"), &format!("expected `- {item_key}: {{...}}`")),
            }
        }
        Some(out)
    }

    /// A participant-data attribute name: `name: {lit: key}` (or a plain string).
    fn attribute_name(&mut self, at: &str, attribute: &Map<String, Json>) -> Option<String> {
        match attribute.get("name") {
            Some(Json::String(name)) => Some(name.clone()),
            Some(form) => match values::expression(form) {
                Ok(Expression(Value::String(name))) => Some(name),
                _ => self.refuse(&format!("{at}/name"), "only a literal attribute name (`lit: <name>`) is supported"),
            },
            None => self.refuse(at, "an attribute needs `name:`"),
        }
    }
}

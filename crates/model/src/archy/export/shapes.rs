//! Each block as the Archy action export derives from its fields alone: the action's kind, its
//! keys, where its output paths lead and where it goes on (for actions that do not branch).

use super::super::import::dtmf_name;
use super::super::values::{self, Shape, audio_form, duration_form, form};
use crate::flow::*;
use serde_json::{Map, Value as Json, json};

pub(crate) struct ActionShape {
    pub kind: &'static str,
    pub body: Map<String, Json>,
    /// Output path → target, in Archy's order.
    pub outputs: Vec<(String, String)>,
    /// Where the list goes on after this action; `None` ends the list (terminal or branching).
    pub next: Option<String>,
}

impl ActionShape {
    fn new(kind: &'static str, name: &str) -> ActionShape {
        let mut body = Map::new();
        body.insert("name".to_string(), json!(name));
        ActionShape { kind, body, outputs: Vec::new(), next: None }
    }

    fn key(mut self, key: &str, value: Json) -> ActionShape {
        self.body.insert(key.to_string(), value);
        self
    }

    fn output(mut self, path: &str, target: &str) -> ActionShape {
        self.outputs.push((path.to_string(), target.to_string()));
        self
    }

    fn then(mut self, next: &str) -> ActionShape {
        self.next = Some(next.to_string());
        self
    }
}

/// The derived action of a block (never called for menus and implicit ends, which are structure).
pub(crate) fn shape(name: &str, block: &Block, flow: &FlowDefinition) -> ActionShape {
    match block {
        Block::SetVariable { variable, value, next } => ActionShape::new("updateData", name)
            .key("statements", json!([{ statement_type(flow, variable): { "variable": variable, "value": form(value, Shape::Scalar) } }]))
            .then(next),
        Block::Play { prompt, next, .. } => ActionShape::new("playAudio", name).key("audio", audio_form(prompt)).then(next),
        Block::DataAction(action) => {
            let inputs: Map<String, Json> =
                action.inputs.iter().map(|(input, value)| (input.clone(), form(value, Shape::Scalar))).collect();
            let outputs: Map<String, Json> =
                action.outputs.iter().map(|(field, variable)| (field.clone(), json!({ "var": variable }))).collect();
            let mut data_action = Map::new();
            if !inputs.is_empty() {
                data_action.insert("inputs".to_string(), Json::Object(inputs));
            }
            if !outputs.is_empty() {
                data_action.insert("successOutputs".to_string(), Json::Object(outputs));
            }
            ActionShape::new("callData", name)
                .key("category", json!({ &action.integration: { "dataAction": { &action.integration: data_action } } }))
                .key("timeout", json!({ "lit": duration_form(action.timeout_ms) }))
                .output("success", &action.on_success)
                .output("failure", &action.on_error)
                .output("timeout", action.on_timeout.as_deref().unwrap_or(&action.on_error))
        }
        Block::Decision { condition, on_true, on_false } => ActionShape::new("decision", name)
            .key("condition", form(condition, Shape::Scalar))
            .output("yes", on_true)
            .output("no", on_false),
        Block::Switch { cases, default } => {
            let mut shape = ActionShape::new("switch", name);
            let written: Vec<Json> =
                cases.iter().map(|case| json!({ "case": { "value": form(&case.condition, Shape::Scalar) } })).collect();
            shape = shape.key("evaluate", json!({ "firstTrue": { "cases": written, "default": {} } }));
            for (index, case) in cases.iter().enumerate() {
                shape = shape.output(&format!("case{index}"), &case.next);
            }
            shape.output("default", default)
        }
        Block::Randomize { branches, default } => {
            // Architect has no weighted split: each case draws anew, so case k takes the share
            // of what the cases before it left (w_k / (100 - w_1 - ... - w_(k-1))). The exact block
            // travels in the patch variable.
            let mut left = 100.0;
            let mut shape = ActionShape::new("switch", name);
            let mut written = Vec::new();
            for (index, branch) in branches.iter().enumerate() {
                let percent = if left > 0.0 { (branch.weight / left * 100.0).round() } else { 0.0 };
                left -= branch.weight;
                // Random(99) draws one of 100 integers (0 to 99), so `< p` holds p% of the time.
                written.push(json!({ "case": { "value": { "exp": format!("Random(99) < {percent}") } } }));
                shape = shape.output(&format!("case{index}"), &branch.next);
            }
            shape = shape.key("evaluate", json!({ "firstTrue": { "cases": written, "default": {} } }));
            shape.output("default", default)
        }
        Block::DatatableLookup { datatable, key, outputs, on_found, on_not_found, on_error } => {
            let found: Map<String, Json> =
                outputs.iter().map(|(column, variable)| (column.clone(), json!({ "var": variable }))).collect();
            let mut shape = ActionShape::new("dataTableLookup", name)
                .key("lookupValue", form(key, Shape::Scalar))
                .key("dataTable", json!({ datatable: { "foundOutputs": found } }))
                .output("found", on_found)
                .output("notFound", on_not_found);
            if let Some(error) = on_error {
                shape = shape.output("failure", error);
            }
            shape
        }
        Block::TransferToFlow { flow: target, on_failure } => {
            let target = match target.literal_value() {
                Some(Value::String(name)) => json!({ "name": name }),
                _ => form(target, Shape::Entity),
            };
            with_failure(ActionShape::new("transferToFlow", name).key("targetFlow", target), on_failure)
        }
        Block::TransferToQueue { queue, priority, on_failure } => {
            let mut shape = ActionShape::new("transferToAcd", name).key("targetQueue", form(queue, Shape::Entity));
            if let Some(priority) = priority {
                shape = shape.key("priority", json!({ "lit": priority }));
            }
            with_failure(shape, on_failure)
        }
        Block::Wait { duration_ms, next, .. } => ActionShape::new("wait", name)
            .key("duration", json!({ "lit": duration_form(duration_ms.unwrap_or(0)) }))
            .then(next),
        Block::Disconnect { .. } => ActionShape::new("disconnect", name),
        Block::Menu(_) => ActionShape::new("jumpToMenu", name),
        Block::CollectInput(collect) => {
            let digits = if collect.min_digits == collect.max_digits && collect.terminator.is_none() {
                json!({ "exact": collect.min_digits })
            } else {
                let mut range = json!({ "min": collect.min_digits, "max": collect.max_digits });
                if let (Some(terminator), Json::Object(map)) = (&collect.terminator, &mut range) {
                    map.insert("terminatingDtmf".to_string(), json!(dtmf_name(terminator)));
                }
                json!({ "range": range })
            };
            let mut shape = ActionShape::new("collectInput", name)
                .key("inputData", json!({ "var": collect.variable }))
                .key("digits", digits);
            if !collect.prompt.is_empty() {
                shape = shape.key("inputAudio", audio_form(&collect.prompt));
            }
            shape.output("success", &collect.on_success).output("failure", &collect.on_failure)
        }
        Block::UpdateData { statements, next } => {
            let written: Vec<Json> = statements
                .iter()
                .map(|statement| {
                    json!({ &statement.value_type: { "variable": statement.variable, "value": form(&statement.value, Shape::Scalar) } })
                })
                .collect();
            ActionShape::new("updateData", name).key("statements", Json::Array(written)).then(next)
        }
        Block::SetParticipantData { attributes, next } => {
            let written: Vec<Json> = attributes
                .iter()
                .map(|attribute| json!({ "attribute": { "name": { "lit": attribute.name }, "value": form(&attribute.value, Shape::Scalar) } }))
                .collect();
            ActionShape::new("setParticipantData", name).key("attributes", Json::Array(written)).then(next)
        }
        Block::GetParticipantData { attributes, next } => {
            let written: Vec<Json> = attributes
                .iter()
                .map(|attribute| json!({ "attribute": { "name": { "lit": attribute.name }, "variable": attribute.variable } }))
                .collect();
            ActionShape::new("getParticipantData", name).key("attributes", Json::Array(written)).then(next)
        }
        Block::TransferToVoicemail { target, on_failure } => with_failure(
            ActionShape::new("transferToVoicemail", name)
                .key("destination", json!({ "queue": { "targetQueue": form(target, Shape::Entity) } })),
            on_failure,
        ),
        Block::FindQueue { queue_name, variable, on_found, on_not_found } => {
            let mut shape = ActionShape::new("findQueue", name).key("findName", form(queue_name, Shape::Scalar));
            if let Some(variable) = variable {
                shape = shape.key("findResult", json!({ "var": variable }));
            }
            shape.output("found", on_found).output("notFound", on_not_found)
        }
        Block::CallCommonModule(call) => {
            let inputs: Map<String, Json> =
                call.inputs.iter().map(|(input, value)| (input.clone(), form(value, Shape::Scalar))).collect();
            let outputs: Map<String, Json> =
                call.outputs.iter().map(|(output, variable)| (output.clone(), json!({ "var": variable }))).collect();
            ActionShape::new("callCommonModule", name)
                .key("commonModule", json!({ &call.module: { "ver_latestPublished": { "inputs": inputs, "outputs": outputs } } }))
                .then(&call.next)
        }
        // `targetTaskRef` is written from the graph by the caller, which knows the task's refId.
        Block::CallTask { next, .. } => ActionShape::new("callTask", name).then(next),
        Block::EndTask { .. } => ActionShape::new("endTask", name),
        Block::Loop(looping) => {
            let mut shape = ActionShape::new("loop", name).key("loopCount", form(&looping.count, Shape::Scalar));
            if let Some(variable) = &looping.index_variable {
                shape = shape.key("currentIndex", json!({ "var": variable }));
            }
            shape.output("loop", &looping.body).then(&looping.next)
        }
        Block::LoopNext { .. } => ActionShape::new("loopNext", name),
        Block::LoopExit { .. } => ActionShape::new("loopExit", name),
        Block::HoldMusic { prompt, duration_ms, next } => {
            let style = if *duration_ms == crate::flow::default_hold_music_ms() {
                json!({ "entirePrompt": true })
            } else {
                json!({ "duration": { "lit": duration_form(*duration_ms) } })
            };
            ActionShape::new("holdMusic", name).key("prompt", audio_form(prompt)).key("playStyle", style).then(next)
        }
        Block::PlayEstimatedWaitTime { next, .. } => ActionShape::new("playEstimatedWaitTime", name).then(next),
        Block::EvaluateScheduleGroup(schedule) => {
            let mut shape = ActionShape::new("evaluateScheduleGroup", name)
                .key("scheduleGroup", form(&schedule.schedule_group, Shape::Entity))
                .key("evaluate", json!({ "now": true }));
            if let Some(group) = &schedule.emergency_group {
                shape = shape.key("emergencyGroup", form(group, Shape::Entity));
            }
            shape
                .output("open", &schedule.on_open)
                .output("closed", &schedule.on_closed)
                .output("holiday", &schedule.on_holiday)
                .output("emergency", &schedule.on_emergency)
        }
    }
}

fn with_failure(shape: ActionShape, on_failure: &Option<String>) -> ActionShape {
    match on_failure {
        Some(target) => shape.output("failure", target),
        None => shape,
    }
}

/// The Architect statement type of an assignment to `variable`, from its declaration.
fn statement_type(flow: &FlowDefinition, variable: &str) -> &'static str {
    match flow.variables.get(variable).map(|declaration| declaration.variable_type) {
        Some(VariableType::Integer) => "integer",
        Some(VariableType::Decimal) => "decimal",
        Some(VariableType::Boolean) => "boolean",
        _ => "string",
    }
}

/// A variable declaration as Archy writes it.
pub(crate) fn variable_item(name: &str, declaration: &VariableDeclaration) -> Json {
    let kind = match declaration.variable_type {
        VariableType::String => "stringVariable",
        VariableType::Integer => "integerVariable",
        VariableType::Decimal => "decimalVariable",
        VariableType::Boolean => "booleanVariable",
    };
    let initial = match &declaration.default {
        Some(value) => json!({ "lit": values::scalar(value) }),
        None => json!({ "noValue": true }),
    };
    let mut body = Map::new();
    body.insert("name".to_string(), json!(name));
    body.insert("initialValue".to_string(), initial);
    if let Some(description) = &declaration.description {
        body.insert("description".to_string(), json!(description));
    }
    json!({ kind: body })
}

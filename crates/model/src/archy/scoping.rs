//! Flow-format names → Architect's, the flow-level half of the translation export applies (the
//! expression half is `expr::to_architect`). Our format reads and writes participant data by bare
//! names (`Customer_Tier`, `ANI`); Architect names every variable with its scope. So a bare name
//! becomes a flow variable `Flow.<name>`, `ANI`/`DNIS` become `Call.Ani`/`Call.Dnis`, and because
//! Architect reads participant data only through Get Participant Data, a flow that reads bare names
//! it does not give a default starts with one `get_participant_data` block copying each attribute
//! into its `Flow.` variable (the attribute a Traffic Cop or the runtime's `Flow_Version` stamp
//! left). Writes stay flow variables, as in Architect; handing a value on needs
//! `set_participant_data`. Names that are already scoped are kept, so an Archy flow is unchanged.

use crate::expr::to_architect;
use crate::flow::{AttributeRead, Block, Expression, FlowDefinition, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The block `scoped` puts first to read incoming participant data.
const READ_BLOCK: &str = "Read participant data";

/// Architect's name for a flow-format variable name, or `None` when it is already scoped.
pub fn architect_name(name: &str) -> Option<String> {
    if name.contains('.') || name.is_empty() {
        return None;
    }
    Some(match name {
        "ANI" => "Call.Ani".to_string(),
        "DNIS" => "Call.Dnis".to_string(),
        _ => format!("Flow.{name}"),
    })
}

/// The flow in Architect's names and spellings (see the module comment); export writes this.
/// Idempotent, and the identity on a flow that already uses Architect's names.
pub fn scoped(flow: &FlowDefinition) -> FlowDefinition {
    let mut scoped = flow.clone();
    let incoming: Vec<String> = fields_by_block(flow)
        .values()
        .flat_map(|(reads, _)| reads.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .filter(|name| architect_name(name).is_some_and(|scoped| scoped.starts_with("Flow.")))
        .filter(|name| flow.variables.get(name).is_none_or(|declaration| declaration.default.is_none()))
        .filter(|name| read_before_written(flow, name))
        .collect();
    for block in scoped.blocks.values_mut() {
        visit(block, &mut |field| match field {
            Field::Expression(text) => {
                if let Ok(Some(translated)) = to_architect(text, &architect_name) {
                    *text = translated;
                }
            }
            Field::Variable(name) => {
                if let Some(renamed) = architect_name(name) {
                    *name = renamed;
                }
            }
        });
    }
    scoped.variables = std::mem::take(&mut scoped.variables)
        .into_iter()
        .map(|(name, declaration)| (architect_name(&name).unwrap_or(name), declaration))
        .collect();
    if !incoming.is_empty() {
        let mut name = READ_BLOCK.to_string();
        let mut counter = 1;
        while scoped.blocks.contains_key(&name) {
            counter += 1;
            name = format!("{READ_BLOCK} ({counter})");
        }
        let attributes = incoming
            .iter()
            .map(|attribute| AttributeRead { name: attribute.clone(), variable: format!("Flow.{attribute}") })
            .collect();
        let next = std::mem::replace(&mut scoped.start, name.clone());
        scoped.blocks.insert(name, Block::GetParticipantData { attributes, next });
    }
    scoped
}

/// Per block: the variables its expressions read and the variables it writes.
fn fields_by_block(flow: &FlowDefinition) -> BTreeMap<&str, (BTreeSet<String>, BTreeSet<String>)> {
    let mut fields = BTreeMap::new();
    for (name, block) in &flow.blocks {
        let (mut reads, mut writes) = (BTreeSet::new(), BTreeSet::new());
        let mut copy = block.clone();
        visit(&mut copy, &mut |field| match field {
            Field::Expression(text) => {
                if let Ok(ast) = crate::expr::parse(text) {
                    reads.extend(crate::expr::CompiledExpression::Expression(ast).referenced_variables());
                }
            }
            Field::Variable(variable) => {
                writes.insert(variable.clone());
            }
        });
        fields.insert(name.as_str(), (reads, writes));
    }
    fields
}

/// Whether some path from the start reaches a block reading `variable` before any block writes it
/// (a block that reads and writes it, `X = coalesce(X, ...)`, reads first): then the value comes
/// from participant data set before the flow, and Architect needs it read explicitly.
fn read_before_written(flow: &FlowDefinition, variable: &str) -> bool {
    let fields = fields_by_block(flow);
    let mut seen = BTreeSet::new();
    let mut pending = vec![flow.start.as_str()];
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some((reads, writes)) = fields.get(name) else { continue };
        if reads.contains(variable) {
            return true;
        }
        if writes.contains(variable) {
            continue;
        }
        if let Some(block) = flow.blocks.get(name) {
            pending.extend(block.successors());
        }
    }
    false
}

/// A field of a block that names a variable or holds expression text (without its `=`).
enum Field<'a> {
    Expression(&'a mut String),
    Variable(&'a mut String),
}

fn visit(block: &mut Block, each: &mut dyn FnMut(Field)) {
    let expression = |value: &mut Expression, each: &mut dyn FnMut(Field)| {
        if let Value::String(text) = &mut value.0 {
            prompt(text, each);
        }
    };
    match block {
        Block::SetVariable { variable, value, .. } => {
            each(Field::Variable(variable));
            expression(value, each);
        }
        Block::Play { prompt: text, .. } | Block::HoldMusic { prompt: text, .. } => prompt(text, each),
        Block::DataAction(action) => {
            action.inputs.values_mut().for_each(|value| expression(value, each));
            action.outputs.values_mut().for_each(|variable| each(Field::Variable(variable)));
        }
        Block::Decision { condition, .. } => expression(condition, each),
        Block::Switch { cases, .. } => cases.iter_mut().for_each(|case| expression(&mut case.condition, each)),
        Block::DatatableLookup { key, outputs, .. } => {
            expression(key, each);
            outputs.values_mut().for_each(|variable| each(Field::Variable(variable)));
        }
        Block::TransferToFlow { flow, .. } => expression(flow, each),
        Block::TransferToQueue { queue, .. } => expression(queue, each),
        Block::Wait { duration_from, .. } => duration_from.iter_mut().for_each(|variable| each(Field::Variable(variable))),
        Block::Menu(menu) => prompt(&mut menu.prompt, each),
        Block::CollectInput(collect) => {
            prompt(&mut collect.prompt, each);
            each(Field::Variable(&mut collect.variable));
        }
        Block::UpdateData { statements, .. } => statements.iter_mut().for_each(|statement| {
            each(Field::Variable(&mut statement.variable));
            expression(&mut statement.value, each);
        }),
        Block::SetParticipantData { attributes, .. } => attributes.iter_mut().for_each(|attribute| expression(&mut attribute.value, each)),
        Block::GetParticipantData { attributes, .. } => attributes.iter_mut().for_each(|attribute| each(Field::Variable(&mut attribute.variable))),
        Block::TransferToVoicemail { target, .. } => expression(target, each),
        Block::FindQueue { queue_name, variable, .. } => {
            expression(queue_name, each);
            variable.iter_mut().for_each(|variable| each(Field::Variable(variable)));
        }
        Block::CallCommonModule(call) => {
            call.inputs.values_mut().for_each(|value| expression(value, each));
            call.outputs.values_mut().for_each(|variable| each(Field::Variable(variable)));
        }
        Block::Loop(looping) => {
            expression(&mut looping.count, each);
            looping.index_variable.iter_mut().for_each(|variable| each(Field::Variable(variable)));
        }
        Block::EvaluateScheduleGroup(schedule) => {
            expression(&mut schedule.schedule_group, each);
            schedule.emergency_group.iter_mut().for_each(|group| expression(group, each));
        }
        Block::Randomize { .. }
        | Block::Disconnect { .. }
        | Block::CallTask { .. }
        | Block::EndTask { .. }
        | Block::LoopNext { .. }
        | Block::LoopExit { .. }
        | Block::PlayEstimatedWaitTime { .. } => {}
    }
}

/// A prompt or expression field: only text after `=` is an expression.
fn prompt(text: &mut String, each: &mut dyn FnMut(Field)) {
    if let Some(source) = text.strip_prefix('=') {
        let mut source = source.to_string();
        each(Field::Expression(&mut source));
        *text = format!("={source}");
    }
}

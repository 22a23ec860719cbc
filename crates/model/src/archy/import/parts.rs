//! The actions with more to read than a key or two: data actions, typed statements, digit
//! collection, data-table lookups, switches and common-module calls.

use super::super::values::{self, single_entry};
use super::actions::{Targets, dtmf_key, pointer};
use super::reader::Reader;
use crate::flow::*;
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub(super) fn call_data(reader: &mut Reader, targets: &Targets) -> Option<Block> {
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

pub(super) fn statements(reader: &mut Reader) -> Option<Vec<Assignment>> {
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

pub(super) fn collect_input(reader: &mut Reader, targets: &Targets) -> Option<Block> {
    let variable = match single_entry(reader.required("inputData")?) {
        Some(("var", Json::String(variable))) => variable.clone(),
        _ => return reader.refuse("/inputData", "`inputData:` must be `var: <variable>`"),
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

pub(super) fn data_table_lookup(reader: &mut Reader, targets: &Targets) -> Option<Block> {
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
pub(super) fn switch(reader: &mut Reader, targets: &Targets) -> Option<Block> {
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
pub(super) fn operand(expression: &Expression) -> String {
    match (expression.expression_text(), &expression.0) {
        (Some(text), _) => text.to_string(),
        (None, Value::String(text)) => format!("\"{}\"", text.replace('"', "\\\"")),
        (None, value) => value.to_attribute_string(),
    }
}

pub(super) fn call_common_module(reader: &mut Reader, targets: &Targets) -> Option<Block> {
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

//! Checks of a flow version body beyond what its serde types hold. Fields typed as expressions
//! accept any literal, but a block that names a queue or a flow needs a name or id (a string,
//! literal or `=` formula) and a condition needs a boolean or a formula: `queue: 12345` or
//! `condition: 7` is a 400 naming the block and the field, before anything is stored.

use crate::error::ApiError;
use switchboard_model::flow::{Block, Expression, FlowDefinition, Value};

/// What an expression field must hold when it is a literal.
#[derive(Clone, Copy)]
enum Wanted {
    /// A name or id, or a formula.
    Text,
    /// `true`/`false`, or a formula.
    Boolean,
}

fn check(block: &str, field: &str, expression: &Expression, wanted: Wanted) -> Result<(), ApiError> {
    let fits = matches!((&expression.0, wanted), (Value::String(_), _) | (Value::Boolean(_), Wanted::Boolean));
    if fits {
        return Ok(());
    }
    let expected = match wanted {
        Wanted::Text => "a name or id (a string) or an `=` expression",
        Wanted::Boolean => "true, false or an `=` expression",
    };
    Err(ApiError::invalid_value(format!("blocks.{block}.{field}: expected {expected}, got {}", expression.source())))
}

/// Checks every block's typed-as-expression fields.
pub fn check_blocks(definition: &FlowDefinition) -> Result<(), ApiError> {
    crate::limits::flow_blocks(definition.blocks.len())?;
    for (name, block) in &definition.blocks {
        match block {
            Block::TransferToQueue { queue, .. } => check(name, "queue", queue, Wanted::Text)?,
            Block::TransferToFlow { flow, .. } => check(name, "flow", flow, Wanted::Text)?,
            Block::Decision { condition, .. } => check(name, "condition", condition, Wanted::Boolean)?,
            Block::Switch { cases, .. } => {
                for (index, case) in cases.iter().enumerate() {
                    check(name, &format!("cases[{index}].condition"), &case.condition, Wanted::Boolean)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

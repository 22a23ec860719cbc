//! Prints an `Ast` back to expression text that parses to the same tree (fully parenthesised).

use super::parser::{Ast, BinaryOperator};
use crate::flow::Value;
use std::fmt;

impl fmt::Display for Ast {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ast::Literal(value) => write_literal(formatter, value),
            Ast::NotSet => formatter.write_str("NOT_SET"),
            Ast::Variable(name) => formatter.write_str(name),
            Ast::Not(operand) => write!(formatter, "not ({operand})"),
            Ast::Negate(operand) => write!(formatter, "-({operand})"),
            Ast::Binary { operator, left, right } => write!(formatter, "({left} {} {right})", operator.symbol()),
            Ast::Call { function, arguments } => {
                write!(formatter, "{}(", function.name())?;
                for (position, argument) in arguments.iter().enumerate() {
                    if position > 0 {
                        formatter.write_str(", ")?;
                    }
                    write!(formatter, "{argument}")?;
                }
                formatter.write_str(")")
            }
            // A variable target needs parentheses, or `Flow.x` `.y` would read back as the name `Flow.x.y`.
            Ast::Member { target, name } => write!(formatter, "({target}).{name}"),
            Ast::Index { target, index } => write!(formatter, "({target})[{index}]"),
        }
    }
}

fn write_literal(formatter: &mut fmt::Formatter<'_>, value: &Value) -> fmt::Result {
    match value {
        Value::Boolean(flag) => write!(formatter, "{flag}"),
        Value::Integer(number) => write!(formatter, "{number}"),
        Value::Decimal(number) => {
            // Display never uses exponents; a whole decimal keeps its `.0` so it reads back as decimal.
            let text = number.to_string();
            if text.contains('.') { formatter.write_str(&text) } else { write!(formatter, "{text}.0") }
        }
        Value::String(text) => {
            formatter.write_str("\"")?;
            for character in text.chars() {
                match character {
                    '"' => formatter.write_str("\\\"")?,
                    '\\' => formatter.write_str("\\\\")?,
                    '\n' => formatter.write_str("\\n")?,
                    '\t' => formatter.write_str("\\t")?,
                    '\r' => formatter.write_str("\\r")?,
                    other => write!(formatter, "{other}")?,
                }
            }
            formatter.write_str("\"")
        }
    }
}

impl BinaryOperator {
    /// The canonical spelling of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOperator::Or => "or",
            BinaryOperator::And => "and",
            BinaryOperator::Equal => "==",
            BinaryOperator::NotEqual => "!=",
            BinaryOperator::Less => "<",
            BinaryOperator::LessEqual => "<=",
            BinaryOperator::Greater => ">",
            BinaryOperator::GreaterEqual => ">=",
            BinaryOperator::Add => "+",
            BinaryOperator::Subtract => "-",
            BinaryOperator::Multiply => "*",
            BinaryOperator::Divide => "/",
            BinaryOperator::Modulo => "%",
        }
    }
}

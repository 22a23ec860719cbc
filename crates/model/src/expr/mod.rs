//! The expression language of flow blocks: parse, evaluate and inspect `Expression` fields.
//!
//! The rule: a string that starts with `=` is an expression (`"=Call.Attempts >= 3"`); anything else,
//! and every non-string value, is a literal that evaluates to itself. The language has identifiers
//! (participant-data names: letters, digits, `_`, `.`), quoted strings, integers, decimals,
//! `true`/`false`, `== != < <= > >= && || ! + - * /`, parentheses and the functions `len`, `lower`,
//! `upper`, `contains`, `coalesce`.
//!
//! Coercions follow the platform, where participant data is string-typed: a string that reads as a
//! number compares numerically with a number (`"3" == 3`), and `"true"`/`"false"` act as booleans.
//! Reading a variable that is not set is an error ([`EvalError::UndefinedVariable`]); the runtime
//! sends the call down the block's error path. `coalesce(x, default)` is the way to read data that
//! may be absent.

mod eval;
mod lexer;
mod parser;

pub use parser::{Ast, BinaryOperator, Function};

use crate::flow::{Expression, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A syntax error, with the 1-based column in the field as written (the `=` is column 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(column: usize, message: impl Into<String>) -> ParseError {
        ParseError { column, message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("cannot parse expression: {0}")]
    Parse(#[from] ParseError),
    #[error("variable `{name}` is not set")]
    UndefinedVariable { name: String },
    #[error("type error: {message}")]
    Type { message: String },
    #[error("division by zero")]
    DivisionByZero,
    #[error("integer overflow")]
    Overflow,
}

/// Where expressions read variables from (a call's participant data, a test map).
pub trait Variables {
    fn get(&self, name: &str) -> Option<Value>;
}

impl Variables for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<Value> {
        BTreeMap::get(self, name).map(|text| Value::String(text.clone()))
    }
}

impl Variables for BTreeMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        BTreeMap::get(self, name).cloned()
    }
}

impl Variables for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).map(|text| Value::String(text.clone()))
    }
}

impl Variables for HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).cloned()
    }
}

/// An expression field after parsing, ready to evaluate many times (the runtime compiles once
/// per flow version, not once per call).
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledExpression {
    Literal(Value),
    Expression(Ast),
}

impl CompiledExpression {
    pub fn evaluate(&self, variables: &dyn Variables) -> Result<Value, EvalError> {
        match self {
            CompiledExpression::Literal(value) => Ok(value.clone()),
            CompiledExpression::Expression(ast) => eval::evaluate(ast, variables),
        }
    }

    /// Variable names the expression reads, sorted and without duplicates.
    pub fn referenced_variables(&self) -> Vec<String> {
        let mut names = BTreeSet::new();
        if let CompiledExpression::Expression(ast) = self {
            collect_variables(ast, &mut names);
        }
        names.into_iter().collect()
    }
}

/// Parses expression text written without the leading `=`. Columns count from 2, as if the `=` were there.
pub fn parse(source: &str) -> Result<Ast, ParseError> {
    let tokens = lexer::tokenize(source, 1)?;
    parser::Parser::new(tokens).parse_all()
}

/// Applies the `=` rule and parses what needs parsing.
pub fn compile(expression: &Expression) -> Result<CompiledExpression, ParseError> {
    match expression.expression_text() {
        Some(text) => parse(text).map(CompiledExpression::Expression),
        None => Ok(CompiledExpression::Literal(expression.0.clone())),
    }
}

/// Parses and evaluates in one step; prefer [`compile`] when evaluating repeatedly.
pub fn evaluate(expression: &Expression, variables: &dyn Variables) -> Result<Value, EvalError> {
    compile(expression)?.evaluate(variables)
}

/// Variable names an expression reads, sorted; empty for literals and for text that does not parse
/// (validation reports the parse error separately).
pub fn referenced_variables(expression: &Expression) -> Vec<String> {
    compile(expression).map(|compiled| compiled.referenced_variables()).unwrap_or_default()
}

fn collect_variables(ast: &Ast, names: &mut BTreeSet<String>) {
    match ast {
        Ast::Literal(_) => {}
        Ast::Variable(name) => {
            names.insert(name.clone());
        }
        Ast::Not(operand) | Ast::Negate(operand) => collect_variables(operand, names),
        Ast::Binary { left, right, .. } => {
            collect_variables(left, names);
            collect_variables(right, names);
        }
        Ast::Call { arguments, .. } => arguments.iter().for_each(|argument| collect_variables(argument, names)),
    }
}

#[cfg(test)]
mod tests;

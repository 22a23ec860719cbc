//! The expression language of flow blocks: parse, evaluate and inspect `Expression` fields.
//!
//! The rule: a string that starts with `=` is an expression (`"=Call.Attempts >= 3"`); anything else,
//! and every non-string value, is a literal that evaluates to itself. The language is Architect's
//! expression language (what Archy YAML writes in `exp:`) and keeps our earlier spellings (`&&`, `||`,
//! `!`, `len`, `lower`, `upper`, `contains`, `coalesce`): operators, `and`/`or`/`not` and function
//! names in any letter case, member access and indexing, `NOT_SET`, multi-line text. The full
//! language, its functions and its stand-ins are in docs/flow-format.md, section "Expressions".
//!
//! Coercions follow the platform, where participant data is string-typed: a string that reads as a
//! number compares numerically with a number (`"3" == 3`), and `"true"`/`"false"` act as booleans.
//! Reading a variable that is not set yields NOT_SET (`IsSet(Flow.x)` is false); using NOT_SET in
//! arithmetic, ordering or logic is [`EvalError::UndefinedVariable`] naming the variable, which the
//! runtime turns into the block's error path. Time and randomness come from an [`EvalContext`].

mod architect;
mod builtins;
mod coerce;
mod context;
mod eval;
mod functions;
mod lexer;
mod parser;
mod phone;
mod printer;
mod time;
mod value;

pub use architect::to_architect;
pub use context::{EvalContext, RandomSource, SeededRandom, fixed_now};
pub use functions::{Arity, Function};
pub use parser::{Ast, BinaryOperator};
pub use phone::PhoneNumber;
pub use value::{Audio, AudioPart, EntityKind, ExprValue, KeyField};

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

    /// The variable whose name equals `name` ignoring ASCII case; Architect's names are
    /// case-insensitive (`Call.ani` is `Call.Ani`). Asked only after an exact `get` missed.
    fn get_ignore_case(&self, _name: &str) -> Option<Value> {
        None
    }
}

fn find_ignore_case<'a, V: 'a>(entries: impl Iterator<Item = (&'a String, &'a V)>, name: &str) -> Option<&'a V> {
    entries.into_iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value)
}

impl Variables for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<Value> {
        BTreeMap::get(self, name).map(|text| Value::String(text.clone()))
    }

    fn get_ignore_case(&self, name: &str) -> Option<Value> {
        find_ignore_case(self.iter(), name).map(|text| Value::String(text.clone()))
    }
}

impl Variables for BTreeMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        BTreeMap::get(self, name).cloned()
    }

    fn get_ignore_case(&self, name: &str) -> Option<Value> {
        find_ignore_case(self.iter(), name).cloned()
    }
}

impl Variables for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).map(|text| Value::String(text.clone()))
    }

    fn get_ignore_case(&self, name: &str) -> Option<Value> {
        find_ignore_case(self.iter(), name).map(|text| Value::String(text.clone()))
    }
}

impl Variables for HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).cloned()
    }

    fn get_ignore_case(&self, name: &str) -> Option<Value> {
        find_ignore_case(self.iter(), name).cloned()
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
    /// Evaluates with the fixed context ([`fixed_now`], a random source seeded with 0): for callers
    /// without a clock, and for expressions that use neither time nor `Random`.
    pub fn evaluate(&self, variables: &dyn Variables) -> Result<Value, EvalError> {
        let mut random = SeededRandom::new(0);
        self.evaluate_with(variables, &mut EvalContext::new(fixed_now(), &mut random))
    }

    /// Evaluates to the flow format's value. A NOT_SET result has none, so it is the error naming the
    /// unset variable (or `NOT_SET`); use [`Self::evaluate_value`] to see NOT_SET itself.
    pub fn evaluate_with(&self, variables: &dyn Variables, context: &mut EvalContext<'_>) -> Result<Value, EvalError> {
        let value = self.evaluate_value(variables, context)?;
        match value.to_flow_value() {
            Some(result) => Ok(result),
            None => coerce::require_set(value).map(|_| Value::String(String::new())),
        }
    }

    /// Evaluates to the full expression value (lists, audio, NOT_SET...).
    pub fn evaluate_value(&self, variables: &dyn Variables, context: &mut EvalContext<'_>) -> Result<ExprValue, EvalError> {
        match self {
            CompiledExpression::Literal(value) => Ok(ExprValue::from(value.clone())),
            CompiledExpression::Expression(ast) => eval::Evaluator { variables, context }.evaluate(ast),
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
    let limit = crate::limits::EXPRESSION_BYTES_MAX;
    if source.len() > limit {
        return Err(ParseError::new(1, format!("an expression is at most {limit} bytes, this one has {}", source.len())));
    }
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

/// Parses and evaluates in one step with the fixed context; prefer [`compile`] when evaluating repeatedly.
pub fn evaluate(expression: &Expression, variables: &dyn Variables) -> Result<Value, EvalError> {
    compile(expression)?.evaluate(variables)
}

/// Variable names an expression reads, sorted; empty for literals and for text that does not parse
/// (validation reports the parse error separately).
pub fn referenced_variables(expression: &Expression) -> Vec<String> {
    compile(expression).map(|compiled| compiled.referenced_variables()).unwrap_or_default()
}

/// A variable name and the dotted prefixes it may be read through, longest first:
/// `Task.Queue.id` → `Task.Queue.id`, `Task.Queue`, `Task` (the evaluator reads the longest that is set
/// and the rest as members, so a validator accepts the name when any of these is declared).
pub fn name_and_prefixes(name: &str) -> impl Iterator<Item = &str> {
    let cuts = name.char_indices().filter(|(_, character)| *character == '.').map(|(index, _)| index);
    let mut ends: Vec<usize> = cuts.collect();
    ends.push(name.len());
    ends.into_iter().rev().map(move |end| &name[..end])
}

/// Variables are named in full (`Task.Result.Field`); a member read after a call or an index
/// (`ToPhoneNumber(Call.Ani).e164`, `Flow.list[0].name`) is not a variable, its base is.
fn collect_variables(ast: &Ast, names: &mut BTreeSet<String>) {
    match ast {
        Ast::Literal(_) | Ast::NotSet => {}
        Ast::Variable(name) => {
            names.insert(name.clone());
        }
        Ast::Not(operand) | Ast::Negate(operand) => collect_variables(operand, names),
        Ast::Member { target, .. } => collect_variables(target, names),
        Ast::Binary { left, right, .. } | Ast::Index { target: left, index: right } => {
            collect_variables(left, names);
            collect_variables(right, names);
        }
        Ast::Call { arguments, .. } => arguments.iter().for_each(|argument| collect_variables(argument, names)),
    }
}

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod tests;

//! Property tests: the parser never panics on any text, and printing a tree then parsing the text
//! gives the same tree back.

use super::parser::{Ast, BinaryOperator};
use super::{Function, compile, parse};
use crate::flow::{Expression, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;

const OPERATORS: [BinaryOperator; 13] = [
    BinaryOperator::Or,
    BinaryOperator::And,
    BinaryOperator::Equal,
    BinaryOperator::NotEqual,
    BinaryOperator::Less,
    BinaryOperator::LessEqual,
    BinaryOperator::Greater,
    BinaryOperator::GreaterEqual,
    BinaryOperator::Add,
    BinaryOperator::Subtract,
    BinaryOperator::Multiply,
    BinaryOperator::Divide,
    BinaryOperator::Modulo,
];

fn is_keyword(word: &str) -> bool {
    ["and", "or", "not", "true", "false", "not_set"].contains(&word.to_ascii_lowercase().as_str())
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,6}".prop_filter("keywords are not names", |word| !is_keyword(word))
}

fn variable() -> impl Strategy<Value = Ast> {
    proptest::collection::vec(name(), 1..4)
        .prop_filter("Format.* is a constant", |parts| parts.len() == 1 || !parts[0].eq_ignore_ascii_case("Format"))
        .prop_map(|parts| Ast::Variable(parts.join(".")))
}

fn leaf() -> impl Strategy<Value = Ast> {
    prop_oneof![
        (0i64..100_000).prop_map(|number| Ast::Literal(Value::Integer(number))),
        (0u32..1_000_000).prop_map(|hundredths| Ast::Literal(Value::Decimal(f64::from(hundredths) / 100.0))),
        any::<String>().prop_map(|text| Ast::Literal(Value::String(text))),
        any::<bool>().prop_map(|flag| Ast::Literal(Value::Boolean(flag))),
        Just(Ast::NotSet),
        variable(),
    ]
}

fn function_call(inner: BoxedStrategy<Ast>) -> impl Strategy<Value = Ast> {
    let functions: Vec<Function> = Function::names().filter_map(Function::from_name).collect();
    proptest::sample::select(functions).prop_flat_map(move |function| {
        let arity = function.arity();
        let most = arity.maximum.unwrap_or(arity.minimum + 2).min(arity.minimum + 2);
        proptest::collection::vec(inner.clone(), arity.minimum..=most)
            .prop_map(move |arguments| Ast::Call { function, arguments })
    })
}

fn tree() -> impl Strategy<Value = Ast> {
    leaf().prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|operand| Ast::Not(Box::new(operand))),
            inner.clone().prop_map(|operand| Ast::Negate(Box::new(operand))),
            (proptest::sample::select(OPERATORS.to_vec()), inner.clone(), inner.clone()).prop_map(
                |(operator, left, right)| Ast::Binary { operator, left: Box::new(left), right: Box::new(right) }
            ),
            function_call(inner.clone().boxed()),
            (inner.clone(), name()).prop_map(|(target, name)| Ast::Member { target: Box::new(target), name }),
            (inner.clone(), inner).prop_map(|(target, index)| Ast::Index { target: Box::new(target), index: Box::new(index) }),
        ]
    })
}

proptest! {
    #[test]
    fn parser_never_panics_on_any_text(source in any::<String>()) {
        let _ = parse(&source);
    }

    /// Text made of the language's own characters reaches deep into the parser and the evaluator.
    #[test]
    fn parser_and_evaluator_never_panic_on_expression_like_text(
        source in "[a-zA-Z0-9_. ()\\[\\],+*/%<>=!&|\"'\\\\\r\n\t-]{0,60}"
    ) {
        if let Ok(tree) = parse(&source) {
            let printed = tree.to_string();
            prop_assert_eq!(parse(&printed), Ok(tree), "printed as {}", printed);
            let variables: BTreeMap<String, String> = BTreeMap::new();
            if let Ok(compiled) = compile(&Expression::formula(&source)) {
                let _ = compiled.evaluate(&variables);
            }
        }
    }

    #[test]
    fn printing_then_parsing_gives_the_same_tree(tree in tree()) {
        let printed = tree.to_string();
        prop_assert_eq!(parse(&printed), Ok(tree), "printed as {}", printed);
    }
}

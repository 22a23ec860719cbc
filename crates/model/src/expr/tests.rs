use super::*;
use crate::flow::literal;

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

fn eval_with(source: &str, variables: &BTreeMap<String, String>) -> Result<Value, EvalError> {
    evaluate(&Expression::from(Value::String(source.to_string())), variables)
}

/// Table-driven: each case is (field text, expected value) over one fixed set of participant data.
#[test]
fn evaluates_the_language() {
    let variables = data(&[
        ("Call.Attempts", "3"),
        ("Region", "eu"),
        ("Name", "Ada"),
        ("Vip", "true"),
        ("Score", "9.5"),
        ("Empty", ""),
        ("Ten", "10"),
        ("Nine", "9"),
    ]);
    let cases: Vec<(&str, Value)> = vec![
        ("=Call.Attempts >= 3", Value::Boolean(true)),
        ("=Call.Attempts == 3", Value::Boolean(true)),
        ("=Call.Attempts + 1", Value::Integer(4)),
        ("=Call.Attempts * 2 - 1", Value::Integer(5)),
        ("=1 + 2 * 3", Value::Integer(7)),
        ("=(1 + 2) * 3", Value::Integer(9)),
        ("=10 - 4 - 3", Value::Integer(3)),
        ("=7 / 2", Value::Decimal(3.5)),
        ("=8 / 2", Value::Integer(4)),
        ("=-Call.Attempts", Value::Integer(-3)),
        ("=Score > 9", Value::Boolean(true)),
        ("=Score + 0.5", Value::Decimal(10.0)),
        ("=Ten > Nine", Value::Boolean(true)),
        ("=Region == 'eu' && Call.Attempts < 5", Value::Boolean(true)),
        ("=Region == \"us\" || !Vip", Value::Boolean(false)),
        ("=Vip == true", Value::Boolean(true)),
        ("=Name != 'Ada'", Value::Boolean(false)),
        ("=Name + '-' + Region", Value::String("Ada-eu".into())),
        ("=len(Name)", Value::Integer(3)),
        ("=upper(Region)", Value::String("EU".into())),
        ("=lower('MiXed')", Value::String("mixed".into())),
        ("=contains(Name, 'd')", Value::Boolean(true)),
        ("=coalesce(Missing, 'fallback')", Value::String("fallback".into())),
        ("=coalesce(Empty, 'fallback')", Value::String("fallback".into())),
        ("=coalesce(Name, 'fallback')", Value::String("Ada".into())),
        ("='it\\'s'", Value::String("it's".into())),
        // `||` short-circuits, so the unset variable on its right is never read.
        ("=true || Missing == 1", Value::Boolean(true)),
        ("Main_IVR_Blue", Value::String("Main_IVR_Blue".into())),
        ("Region == 'eu'", Value::String("Region == 'eu'".into())),
    ];
    for (source, expected) in cases {
        assert_eq!(eval_with(source, &variables), Ok(expected), "evaluating {source}");
    }
}

#[test]
fn non_string_values_are_literals() {
    let empty = data(&[]);
    assert_eq!(evaluate(&Expression::from(Value::Integer(42)), &empty), Ok(Value::Integer(42)));
    assert_eq!(evaluate(&Expression::from(Value::Boolean(true)), &empty), Ok(Value::Boolean(true)));
    assert_eq!(evaluate(&literal("x"), &empty), Ok(Value::String("x".into())));
}

#[test]
fn undefined_variable_is_an_error_naming_it() {
    let error = eval_with("=Missing == 1 && true", &data(&[])).expect_err("must fail");
    assert_eq!(error, EvalError::UndefinedVariable { name: "Missing".into() });
    assert_eq!(error.to_string(), "variable `Missing` is not set");
}

#[test]
fn runtime_errors() {
    let variables = data(&[("Name", "Ada")]);
    assert_eq!(eval_with("=1 / 0", &variables), Err(EvalError::DivisionByZero));
    assert_eq!(eval_with("=9223372036854775807 + 1", &variables), Err(EvalError::Overflow));
    assert!(matches!(eval_with("=Name - 1", &variables), Err(EvalError::Type { .. })));
    assert!(matches!(eval_with("=Name < 3", &variables), Err(EvalError::Type { .. })));
    assert!(matches!(eval_with("=Name && true", &variables), Err(EvalError::Type { .. })));
    // Unequal types compare unequal rather than failing.
    assert_eq!(eval_with("=Name == 3", &variables), Ok(Value::Boolean(false)));
}

#[test]
fn parse_errors_carry_the_column() {
    // Columns count the `=` as column 1.
    let cases = [
        ("=1 +", 5, "expected a value"),
        ("=(1 + 2", 8, "expected `)`"),
        ("=a = b", 4, "single `=`"),
        ("='open", 2, "unterminated"),
        ("=foo(1)", 2, "unknown function `foo`"),
        ("=len(1, 2)", 2, "takes 1 argument"),
        ("=1 2", 4, "unexpected `2`"),
        ("=a # b", 4, "unexpected character `#`"),
    ];
    for (source, column, fragment) in cases {
        let Err(EvalError::Parse(error)) = eval_with(source, &data(&[])) else {
            panic!("{source} should not parse");
        };
        assert_eq!(error.column, column, "column of {source}: {error}");
        assert!(error.message.contains(fragment), "{source}: {error}");
    }
}

#[test]
fn referenced_variables_are_sorted_and_unique() {
    let expression = Expression::formula("coalesce(B.x, A) == A && len(C_1) > 0");
    assert_eq!(referenced_variables(&expression), vec!["A", "B.x", "C_1"]);
    assert!(referenced_variables(&literal("A == B")).is_empty());
    assert!(referenced_variables(&Expression::formula("A ==")).is_empty());
}

#[test]
fn typed_variables_map_works() {
    let mut variables: BTreeMap<String, Value> = BTreeMap::new();
    variables.insert("Weight".into(), Value::Decimal(2.5));
    let compiled = compile(&Expression::formula("Weight * 2")).expect("parses");
    assert_eq!(compiled.evaluate(&variables), Ok(Value::Decimal(5.0)));
}

//! Our expression spellings → Architect's: the one place that translates. `&&`/`||`/`!` become
//! `and`/`or`/`not`, single-quoted strings double-quoted, our aliases (`len`, `lower`, `upper`)
//! Architect's functions (`Length`, `ToLower`, `ToUpper`), `coalesce(x, d)` becomes
//! `If(IsNotSetOrEmpty(x), d, x)`, and variables are renamed by the caller's rule (the flow-level
//! rule is `archy::architect_name`). Text already in Architect's spelling with nothing to rename is
//! kept verbatim, so Archy flows round-trip byte for byte.

use super::parser::Ast;
use super::{Function, ParseError, parse};

/// Our function aliases that Architect does not have (matched in any case, as the parser does).
const ALIASES: &[&str] = &["len", "lower", "upper", "coalesce"];

/// The expression `source` (without the leading `=`) in Architect's spelling with variables renamed
/// by `rename` (`None` keeps a name). `Ok(None)` when the text needs no change.
pub fn to_architect(source: &str, rename: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>, ParseError> {
    let ast = parse(source)?;
    let mut changed = uses_our_spelling(source);
    let ast = rewrite(ast, rename, &mut changed);
    if !changed {
        return Ok(None);
    }
    let printed = ast.to_string();
    // The printer parenthesises every operation; the outermost pair says nothing.
    let trimmed = match &ast {
        Ast::Binary { .. } => printed.strip_prefix('(').and_then(|inner| inner.strip_suffix(')')).map(str::to_string),
        _ => None,
    };
    Ok(Some(trimmed.unwrap_or(printed)))
}

fn rewrite(ast: Ast, rename: &dyn Fn(&str) -> Option<String>, changed: &mut bool) -> Ast {
    let mut again = |ast: Box<Ast>| Box::new(rewrite(*ast, rename, changed));
    match ast {
        Ast::Variable(name) => match rename(&name) {
            Some(renamed) if renamed != name => {
                *changed = true;
                Ast::Variable(renamed)
            }
            _ => Ast::Variable(name),
        },
        Ast::Literal(_) | Ast::NotSet => ast,
        Ast::Not(operand) => Ast::Not(again(operand)),
        Ast::Negate(operand) => Ast::Negate(again(operand)),
        Ast::Binary { operator, left, right } => Ast::Binary { operator, left: again(left), right: again(right) },
        Ast::Member { target, name } => Ast::Member { target: again(target), name },
        Ast::Index { target, index } => Ast::Index { target: again(target), index: again(index) },
        Ast::Call { function, arguments } => {
            let arguments: Vec<Ast> = arguments.into_iter().map(|argument| rewrite(argument, rename, changed)).collect();
            match (function, <[Ast; 2]>::try_from(arguments)) {
                // Same meaning: the default when the value is NOT_SET or empty.
                (Function::Coalesce, Ok([value, default])) => {
                    *changed = true;
                    let test = Ast::Call { function: Function::IsNotSetOrEmpty, arguments: vec![value.clone()] };
                    Ast::Call { function: Function::If, arguments: vec![test, default, value] }
                }
                (function, Ok(pair)) => Ast::Call { function, arguments: pair.into() },
                (function, Err(arguments)) => Ast::Call { function, arguments },
            }
        }
    }
}

/// Whether the text, outside its string literals, uses a spelling only our language has.
fn uses_our_spelling(source: &str) -> bool {
    let chars: Vec<char> = source.chars().collect();
    let mut index = 0;
    while let Some(&current) = chars.get(index) {
        let next = chars.get(index + 1).copied();
        match current {
            '"' => {
                index += 1;
                while let Some(&inside) = chars.get(index) {
                    index += if inside == '\\' { 2 } else { 1 };
                    if inside == '"' {
                        break;
                    }
                }
                continue;
            }
            '\'' => return true,
            '&' | '|' if next == Some(current) => return true,
            '!' if next != Some('=') => return true,
            character if character.is_alphabetic() || character == '_' => {
                let start = index;
                while chars.get(index).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.') {
                    index += 1;
                }
                let word: String = chars[start..index].iter().collect();
                let mut after = index;
                while chars.get(after).is_some_and(|c| c.is_whitespace()) {
                    after += 1;
                }
                if chars.get(after) == Some(&'(') && ALIASES.iter().any(|alias| alias.eq_ignore_ascii_case(&word)) {
                    return true;
                }
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow_scope(name: &str) -> Option<String> {
        (!name.contains('.')).then(|| format!("Flow.{name}"))
    }

    fn translate(source: &str) -> String {
        match to_architect(source, &flow_scope) {
            Ok(Some(text)) => text,
            Ok(None) => source.to_string(),
            Err(error) => panic!("{source}: {error}"),
        }
    }

    #[test]
    fn our_spellings_become_architects() {
        assert_eq!(translate("Attempts >= 3 && Vip"), "(Flow.Attempts >= 3) and Flow.Vip");
        assert_eq!(translate("a || !b"), "Flow.a or not (Flow.b)");
        assert_eq!(translate("lower(Customer_Tier) == 'vip'"), r#"ToLower(Flow.Customer_Tier) == "vip""#);
        assert_eq!(translate("len(Call.Ani) > 3"), "Length(Call.Ani) > 3");
        assert_eq!(
            translate("coalesce(Flow_Version, 'Blue')"),
            r#"If(IsNotSetOrEmpty(Flow.Flow_Version), "Blue", Flow.Flow_Version)"#
        );
    }

    #[test]
    fn architect_text_is_kept_verbatim() {
        for source in [
            "Flow.Found and ToLower(Flow.Tier) == \"vip\"",
            "IsSet(Task.x) OR Call.Ani != \"it's && fine\"",
            "ToPhoneNumber(Call.Ani).e164",
            "Random(99) < Flow.CanaryWeight",
        ] {
            assert_eq!(to_architect(source, &flow_scope), Ok(None), "{source}");
        }
    }

    #[test]
    fn the_translation_means_the_same() {
        use crate::flow::Value;
        use std::collections::BTreeMap;
        let ours = BTreeMap::from([("Tier".to_string(), "VIP".to_string()), ("Count".to_string(), "4".to_string())]);
        let scoped: BTreeMap<String, String> = ours.iter().map(|(k, v)| (format!("Flow.{k}"), v.clone())).collect();
        for source in ["lower(Tier) == 'vip' && Count >= 3", "coalesce(Missing, 'x') + coalesce(Tier, 'y')", "!(Count > 5) || len(Tier) == 2"] {
            let translated = translate(source);
            let evaluate = |text: &str, variables: &BTreeMap<String, String>| {
                let ast = parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
                let compiled = crate::expr::CompiledExpression::Expression(ast);
                compiled.evaluate(variables)
            };
            let (before, after) = (evaluate(source, &ours), evaluate(&translated, &scoped));
            assert_eq!(before, after, "{source} → {translated}");
            assert!(matches!(before, Ok(Value::Boolean(_) | Value::String(_))), "{before:?}");
        }
    }
}

//! Tokenizer for the flow expression language: turns `Call.Attempts >= 3` into tokens with columns.
//!
//! Keywords (`and`, `or`, `not`, `true`, `false`, `NOT_SET`) are matched in any letter case, as
//! Architect does; whitespace of any kind (newlines, tabs, CRLF) separates tokens.

use super::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    Identifier(String),
    String(String),
    Integer(i64),
    Decimal(f64),
    True,
    False,
    NotSet,
    EqualEqual,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    End,
}

/// A token and the 1-based column (in characters) where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub column: usize,
}

/// Splits `source` into tokens. `column_offset` is added to every column so errors point into the
/// field as the user wrote it (after the leading `=`).
pub(crate) fn tokenize(source: &str, column_offset: usize) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let current = chars[index];
        let column = index + 1 + column_offset;
        if current.is_whitespace() {
            index += 1;
            continue;
        }
        let next = chars.get(index + 1).copied();
        let two = |kind: TokenKind| (kind, 2);
        let (kind, width) = match (current, next) {
            ('=', Some('=')) => two(TokenKind::EqualEqual),
            ('!', Some('=')) => two(TokenKind::NotEqual),
            ('<', Some('>')) => two(TokenKind::NotEqual),
            ('<', Some('=')) => two(TokenKind::LessEqual),
            ('>', Some('=')) => two(TokenKind::GreaterEqual),
            ('&', Some('&')) => two(TokenKind::And),
            ('|', Some('|')) => two(TokenKind::Or),
            ('<', _) => (TokenKind::Less, 1),
            ('>', _) => (TokenKind::Greater, 1),
            ('!', _) => (TokenKind::Not, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('(', _) => (TokenKind::LeftParen, 1),
            (')', _) => (TokenKind::RightParen, 1),
            ('[', _) => (TokenKind::LeftBracket, 1),
            (']', _) => (TokenKind::RightBracket, 1),
            (',', _) => (TokenKind::Comma, 1),
            ('.', Some(digit)) if digit.is_ascii_digit() => number(&chars[index..], column)?,
            ('.', _) => (TokenKind::Dot, 1),
            ('=', _) => return Err(ParseError::new(column, "single `=`; use `==` to compare")),
            ('&', _) => return Err(ParseError::new(column, "single `&`; use `&&` or `and`")),
            ('|', _) => return Err(ParseError::new(column, "single `|`; use `||` or `or`")),
            ('\'' | '"', _) => {
                let (text, width) = string_literal(&chars[index..], column)?;
                (TokenKind::String(text), width)
            }
            (digit, _) if digit.is_ascii_digit() => number(&chars[index..], column)?,
            (letter, _) if letter.is_alphabetic() || letter == '_' => {
                let width = identifier_width(&chars[index..]);
                let word: String = chars[index..index + width].iter().collect();
                (keyword(&word).unwrap_or(TokenKind::Identifier(word)), width)
            }
            (other, _) => {
                return Err(ParseError::new(column, format!("unexpected character `{other}`")));
            }
        };
        tokens.push(Token { kind, column });
        index += width;
    }
    tokens.push(Token { kind: TokenKind::End, column: chars.len() + 1 + column_offset });
    Ok(tokens)
}

/// A dotted name (`Task.Result.Field`): letters, digits, `_`, and a `.` only when a name part follows,
/// so `Flow.list[0].x` and `f(x).e164` leave the `.` to the parser's member access.
fn identifier_width(chars: &[char]) -> usize {
    let is_part = |c: char| c.is_alphanumeric() || c == '_';
    let mut width = 0;
    while width < chars.len() {
        let c = chars[width];
        let dotted_part = c == '.' && chars.get(width + 1).is_some_and(|next| next.is_alphabetic() || *next == '_');
        if is_part(c) || dotted_part {
            width += 1;
        } else {
            break;
        }
    }
    width
}

fn keyword(word: &str) -> Option<TokenKind> {
    let lower = word.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        "not_set" => TokenKind::NotSet,
        "and" => TokenKind::And,
        "or" => TokenKind::Or,
        "not" => TokenKind::Not,
        _ => return None,
    };
    Some(kind)
}

/// Reads a quoted string starting at `chars[0]`. Backslash escapes: `\n`, `\t`, `\r`, and any other
/// character stands for itself (`\"`, `\'`, `\\`).
fn string_literal(chars: &[char], column: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[0];
    let mut text = String::new();
    let mut index = 1;
    while index < chars.len() {
        match chars[index] {
            '\\' if index + 1 < chars.len() => {
                text.push(match chars[index + 1] {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    other => other,
                });
                index += 2;
            }
            c if c == quote => return Ok((text, index + 1)),
            c => {
                text.push(c);
                index += 1;
            }
        }
    }
    Err(ParseError::new(column, "unterminated string literal"))
}

fn number(chars: &[char], column: usize) -> Result<(TokenKind, usize), ParseError> {
    let integer_width = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let has_fraction = chars.get(integer_width) == Some(&'.')
        && chars.get(integer_width + 1).is_some_and(|c| c.is_ascii_digit());
    let width = if has_fraction {
        integer_width + 1 + chars[integer_width + 1..].iter().take_while(|c| c.is_ascii_digit()).count()
    } else {
        integer_width
    };
    let text: String = chars[..width].iter().collect();
    if has_fraction {
        text.parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(|value| (TokenKind::Decimal(value), width))
            .ok_or(())
            .map_err(|_| ParseError::new(column, format!("invalid decimal `{text}`")))
    } else {
        text.parse::<i64>()
            .map(|value| (TokenKind::Integer(value), width))
            .map_err(|_| ParseError::new(column, format!("integer `{text}` is out of range")))
    }
}

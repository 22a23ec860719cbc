//! Tokenizer for the flow expression language: turns `Call.Attempts >= 3` into tokens with columns.

use super::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    Identifier(String),
    String(String),
    Integer(i64),
    Decimal(f64),
    True,
    False,
    EqualEqual,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    AndAnd,
    OrOr,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    LeftParen,
    RightParen,
    Comma,
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
            ('<', Some('=')) => two(TokenKind::LessEqual),
            ('>', Some('=')) => two(TokenKind::GreaterEqual),
            ('&', Some('&')) => two(TokenKind::AndAnd),
            ('|', Some('|')) => two(TokenKind::OrOr),
            ('<', _) => (TokenKind::Less, 1),
            ('>', _) => (TokenKind::Greater, 1),
            ('!', _) => (TokenKind::Bang, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('(', _) => (TokenKind::LeftParen, 1),
            (')', _) => (TokenKind::RightParen, 1),
            (',', _) => (TokenKind::Comma, 1),
            ('=', _) => return Err(ParseError::new(column, "single `=`; use `==` to compare")),
            ('&', _) => return Err(ParseError::new(column, "single `&`; use `&&`")),
            ('|', _) => return Err(ParseError::new(column, "single `|`; use `||`")),
            ('\'' | '"', _) => {
                let (text, width) = string_literal(&chars[index..], column)?;
                (TokenKind::String(text), width)
            }
            (digit, _) if digit.is_ascii_digit() => number(&chars[index..], column)?,
            (letter, _) if letter.is_alphabetic() || letter == '_' => {
                let width = chars[index..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_' || **c == '.')
                    .count();
                let word: String = chars[index..index + width].iter().collect();
                let kind = match word.as_str() {
                    "true" => TokenKind::True,
                    "false" => TokenKind::False,
                    _ => TokenKind::Identifier(word),
                };
                (kind, width)
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

/// Reads a quoted string starting at `chars[0]`; backslash escapes the quote and itself.
fn string_literal(chars: &[char], column: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[0];
    let mut text = String::new();
    let mut index = 1;
    while index < chars.len() {
        match chars[index] {
            '\\' if index + 1 < chars.len() => {
                text.push(chars[index + 1]);
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
            .map(|value| (TokenKind::Decimal(value), width))
            .map_err(|_| ParseError::new(column, format!("invalid decimal `{text}`")))
    } else {
        text.parse::<i64>()
            .map(|value| (TokenKind::Integer(value), width))
            .map_err(|_| ParseError::new(column, format!("integer `{text}` is out of range")))
    }
}

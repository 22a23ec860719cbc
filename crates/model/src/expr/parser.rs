//! Pratt parser for flow expressions: tokens → `Ast`, with the column of the first bad token.

use super::ParseError;
use super::lexer::{Token, TokenKind};
use crate::flow::Value;

/// The syntax tree of one expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Literal(Value),
    Variable(String),
    Not(Box<Ast>),
    Negate(Box<Ast>),
    Binary { operator: BinaryOperator, left: Box<Ast>, right: Box<Ast> },
    Call { function: Function, arguments: Vec<Ast> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOperator {
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// The built-in functions. The set is closed so an unknown name is a parse error, caught by validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Len,
    Lower,
    Upper,
    Contains,
    Coalesce,
}

impl Function {
    fn from_name(name: &str) -> Option<Function> {
        match name {
            "len" => Some(Function::Len),
            "lower" => Some(Function::Lower),
            "upper" => Some(Function::Upper),
            "contains" => Some(Function::Contains),
            "coalesce" => Some(Function::Coalesce),
            _ => None,
        }
    }

    fn arity(self) -> usize {
        match self {
            Function::Len | Function::Lower | Function::Upper => 1,
            Function::Contains | Function::Coalesce => 2,
        }
    }
}

/// Binding power of an infix operator; higher binds tighter. `None` means "not an infix operator".
fn infix(kind: &TokenKind) -> Option<(BinaryOperator, u8)> {
    let pair = match kind {
        TokenKind::OrOr => (BinaryOperator::Or, 1),
        TokenKind::AndAnd => (BinaryOperator::And, 2),
        TokenKind::EqualEqual => (BinaryOperator::Equal, 3),
        TokenKind::NotEqual => (BinaryOperator::NotEqual, 3),
        TokenKind::Less => (BinaryOperator::Less, 4),
        TokenKind::LessEqual => (BinaryOperator::LessEqual, 4),
        TokenKind::Greater => (BinaryOperator::Greater, 4),
        TokenKind::GreaterEqual => (BinaryOperator::GreaterEqual, 4),
        TokenKind::Plus => (BinaryOperator::Add, 5),
        TokenKind::Minus => (BinaryOperator::Subtract, 5),
        TokenKind::Star => (BinaryOperator::Multiply, 6),
        TokenKind::Slash => (BinaryOperator::Divide, 6),
        _ => return None,
    };
    Some(pair)
}

const PREFIX_POWER: u8 = 7;

pub(crate) struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    pub(crate) fn new(tokens: Vec<Token>) -> Parser {
        Parser { tokens, position: 0 }
    }

    /// Parses the whole token stream as one expression.
    pub(crate) fn parse_all(mut self) -> Result<Ast, ParseError> {
        let ast = self.expression(0)?;
        let token = self.peek();
        if token.kind != TokenKind::End {
            return Err(ParseError::new(token.column, format!("unexpected {}", describe(&token.kind))));
        }
        Ok(ast)
    }

    fn peek(&self) -> Token {
        // The lexer always ends the stream with `End`, so the last token is a safe fallback.
        self.tokens
            .get(self.position)
            .or_else(|| self.tokens.last())
            .cloned()
            .unwrap_or(Token { kind: TokenKind::End, column: 1 })
    }

    fn advance(&mut self) -> Token {
        let token = self.peek();
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    fn expression(&mut self, minimum_power: u8) -> Result<Ast, ParseError> {
        let mut left = self.prefix()?;
        while let Some((operator, power)) = infix(&self.peek().kind) {
            if power <= minimum_power {
                break;
            }
            self.advance();
            // Left-associative: the right side only takes operators that bind tighter.
            let right = self.expression(power)?;
            left = Ast::Binary { operator, left: Box::new(left), right: Box::new(right) };
        }
        Ok(left)
    }

    fn prefix(&mut self) -> Result<Ast, ParseError> {
        let token = self.advance();
        match token.kind {
            TokenKind::Integer(value) => Ok(Ast::Literal(Value::Integer(value))),
            TokenKind::Decimal(value) => Ok(Ast::Literal(Value::Decimal(value))),
            TokenKind::String(text) => Ok(Ast::Literal(Value::String(text))),
            TokenKind::True => Ok(Ast::Literal(Value::Boolean(true))),
            TokenKind::False => Ok(Ast::Literal(Value::Boolean(false))),
            TokenKind::Bang => Ok(Ast::Not(Box::new(self.expression(PREFIX_POWER)?))),
            TokenKind::Minus => Ok(Ast::Negate(Box::new(self.expression(PREFIX_POWER)?))),
            TokenKind::LeftParen => {
                let inner = self.expression(0)?;
                self.expect(TokenKind::RightParen, "`)`")?;
                Ok(inner)
            }
            TokenKind::Identifier(name) if self.peek().kind == TokenKind::LeftParen => {
                self.call(name, token.column)
            }
            TokenKind::Identifier(name) => Ok(Ast::Variable(name)),
            other => Err(ParseError::new(token.column, format!("expected a value, found {}", describe(&other)))),
        }
    }

    fn call(&mut self, name: String, column: usize) -> Result<Ast, ParseError> {
        let function = Function::from_name(&name).ok_or_else(|| {
            ParseError::new(
                column,
                format!("unknown function `{name}` (known: len, lower, upper, contains, coalesce)"),
            )
        })?;
        self.advance(); // the `(`
        let mut arguments = Vec::new();
        if self.peek().kind != TokenKind::RightParen {
            loop {
                arguments.push(self.expression(0)?);
                if self.peek().kind == TokenKind::Comma {
                    self.advance();
                } else {
                    break;
                }
            }
        }
        self.expect(TokenKind::RightParen, "`)` or `,`")?;
        if arguments.len() != function.arity() {
            return Err(ParseError::new(
                column,
                format!("`{name}` takes {} argument(s), got {}", function.arity(), arguments.len()),
            ));
        }
        Ok(Ast::Call { function, arguments })
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<(), ParseError> {
        let token = self.advance();
        if token.kind == kind {
            Ok(())
        } else {
            Err(ParseError::new(token.column, format!("expected {what}, found {}", describe(&token.kind))))
        }
    }
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::End => "end of expression".to_string(),
        TokenKind::Identifier(name) => format!("`{name}`"),
        TokenKind::String(text) => format!("string '{text}'"),
        TokenKind::Integer(value) => format!("`{value}`"),
        TokenKind::Decimal(value) => format!("`{value}`"),
        other => format!("`{}`", symbol(other)),
    }
}

fn symbol(kind: &TokenKind) -> &'static str {
    match kind {
        TokenKind::True => "true",
        TokenKind::False => "false",
        TokenKind::EqualEqual => "==",
        TokenKind::NotEqual => "!=",
        TokenKind::Less => "<",
        TokenKind::LessEqual => "<=",
        TokenKind::Greater => ">",
        TokenKind::GreaterEqual => ">=",
        TokenKind::AndAnd => "&&",
        TokenKind::OrOr => "||",
        TokenKind::Bang => "!",
        TokenKind::Plus => "+",
        TokenKind::Minus => "-",
        TokenKind::Star => "*",
        TokenKind::Slash => "/",
        TokenKind::LeftParen => "(",
        TokenKind::RightParen => ")",
        TokenKind::Comma => ",",
        _ => "?",
    }
}

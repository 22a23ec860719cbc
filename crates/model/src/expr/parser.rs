//! Pratt parser for flow expressions: tokens → `Ast`, with the column of the first bad token.
//!
//! Precedence, loosest first: `or`/`||`; `and`/`&&`; `==` `!=` `<>`; `<` `<=` `>` `>=`; `+` `-`;
//! `*` `/` `%`; prefix `not`/`!` and `-`; postfix calls, `.member` and `[index]`.

use super::ParseError;
use super::functions::Function;
use super::lexer::{Token, TokenKind};
use crate::flow::Value;

/// The syntax tree of one expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Literal(Value),
    /// Architect's `NOT_SET` constant.
    NotSet,
    /// A variable by its full dotted name (`Call.Ani`, `Task.Result.Field`); the evaluator resolves
    /// the longest set prefix and reads the rest as members.
    Variable(String),
    Not(Box<Ast>),
    Negate(Box<Ast>),
    Binary { operator: BinaryOperator, left: Box<Ast>, right: Box<Ast> },
    Call { function: Function, arguments: Vec<Ast> },
    /// `value.name` after a call, an index or parentheses (`ToPhoneNumber(Call.Ani).e164`).
    Member { target: Box<Ast>, name: String },
    /// `value[index]`, zero-based (`Flow.list[0]`).
    Index { target: Box<Ast>, index: Box<Ast> },
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
    Modulo,
}

/// Binding power of an infix operator; higher binds tighter. `None` means "not an infix operator".
fn infix(kind: &TokenKind) -> Option<(BinaryOperator, u8)> {
    let pair = match kind {
        TokenKind::Or => (BinaryOperator::Or, 1),
        TokenKind::And => (BinaryOperator::And, 2),
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
        TokenKind::Percent => (BinaryOperator::Modulo, 6),
        _ => return None,
    };
    Some(pair)
}

const PREFIX_POWER: u8 = 7;

/// A tree deeper than this is refused rather than risking the stack on hostile input (evaluation,
/// printing and dropping recurse over the tree). Operator chains and postfix chains count too, since
/// `1+1+1...` nests to the left.
const MAXIMUM_DEPTH: usize = crate::limits::EXPRESSION_DEPTH_MAX;

pub(crate) struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

impl Parser {
    pub(crate) fn new(tokens: Vec<Token>) -> Parser {
        Parser { tokens, position: 0, depth: 0 }
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

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAXIMUM_DEPTH {
            return Err(ParseError::new(self.peek().column, format!("nested more than {MAXIMUM_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn expression(&mut self, minimum_power: u8) -> Result<Ast, ParseError> {
        let entry_depth = self.depth;
        self.deeper()?;
        let mut left = self.prefix()?;
        while let Some((operator, power)) = infix(&self.peek().kind) {
            if power <= minimum_power {
                break;
            }
            self.advance();
            self.deeper()?;
            // Left-associative: the right side only takes operators that bind tighter.
            let right = self.expression(power)?;
            left = Ast::Binary { operator, left: Box::new(left), right: Box::new(right) };
        }
        self.depth = entry_depth;
        Ok(left)
    }

    fn prefix(&mut self) -> Result<Ast, ParseError> {
        let token = self.advance();
        let primary = match token.kind {
            TokenKind::Integer(value) => Ast::Literal(Value::Integer(value)),
            TokenKind::Decimal(value) => Ast::Literal(Value::Decimal(value)),
            TokenKind::String(text) => Ast::Literal(Value::String(text)),
            TokenKind::True => Ast::Literal(Value::Boolean(true)),
            TokenKind::False => Ast::Literal(Value::Boolean(false)),
            TokenKind::NotSet => Ast::NotSet,
            TokenKind::Not => return Ok(Ast::Not(Box::new(self.expression(PREFIX_POWER)?))),
            TokenKind::Minus => return Ok(Ast::Negate(Box::new(self.expression(PREFIX_POWER)?))),
            TokenKind::LeftParen => {
                let inner = self.expression(0)?;
                self.expect(TokenKind::RightParen, "`)`")?;
                inner
            }
            TokenKind::Identifier(name) if self.peek().kind == TokenKind::LeftParen => self.call(name, token.column)?,
            // Architect's format constants (`Format.Date.shortYear`) are names, not variables.
            TokenKind::Identifier(name) if is_format_constant(&name) => Ast::Literal(Value::String(name)),
            TokenKind::Identifier(name) => {
                // The lexer keeps `a.b.c` together; a name of many parts would make every prefix
                // lookup (validation, evaluation) quadratic, so it is refused here.
                if name.split('.').count() > crate::limits::NAME_PARTS_MAX {
                    let limit = crate::limits::NAME_PARTS_MAX;
                    return Err(ParseError::new(token.column, format!("a variable name has more than {limit} dotted parts")));
                }
                Ast::Variable(name)
            }
            other => {
                return Err(ParseError::new(token.column, format!("expected a value, found {}", describe(&other))));
            }
        };
        self.postfix(primary)
    }

    /// Member access and indexing bind tighter than any operator: `-Flow.list[0]` negates the item.
    fn postfix(&mut self, mut target: Ast) -> Result<Ast, ParseError> {
        let entry_depth = self.depth;
        loop {
            if matches!(self.peek().kind, TokenKind::Dot | TokenKind::LeftBracket) {
                self.deeper()?;
            }
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    let token = self.advance();
                    let TokenKind::Identifier(name) = token.kind else {
                        return Err(ParseError::new(
                            token.column,
                            format!("expected a member name after `.`, found {}", describe(&token.kind)),
                        ));
                    };
                    // The lexer keeps `a.b.c` together; each part is one member step.
                    for part in name.split('.') {
                        self.deeper()?;
                        target = Ast::Member { target: Box::new(target), name: part.to_string() };
                    }
                }
                TokenKind::LeftBracket => {
                    self.advance();
                    let index = self.expression(0)?;
                    self.expect(TokenKind::RightBracket, "`]`")?;
                    target = Ast::Index { target: Box::new(target), index: Box::new(index) };
                }
                _ => {
                    self.depth = entry_depth;
                    return Ok(target);
                }
            }
        }
    }

    fn call(&mut self, name: String, column: usize) -> Result<Ast, ParseError> {
        let function = Function::from_name(&name)
            .ok_or_else(|| ParseError::new(column, format!("unknown function `{name}`")))?;
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
        let arity = function.arity();
        if !arity.accepts(arguments.len()) {
            return Err(ParseError::new(
                column,
                format!("`{name}` takes {}, got {}", arity.describe(), arguments.len()),
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

fn is_format_constant(name: &str) -> bool {
    name.split_once('.').is_some_and(|(scope, _)| scope.eq_ignore_ascii_case("Format"))
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
        TokenKind::NotSet => "NOT_SET",
        TokenKind::EqualEqual => "==",
        TokenKind::NotEqual => "!=",
        TokenKind::Less => "<",
        TokenKind::LessEqual => "<=",
        TokenKind::Greater => ">",
        TokenKind::GreaterEqual => ">=",
        TokenKind::And => "and",
        TokenKind::Or => "or",
        TokenKind::Not => "not",
        TokenKind::Plus => "+",
        TokenKind::Minus => "-",
        TokenKind::Star => "*",
        TokenKind::Slash => "/",
        TokenKind::Percent => "%",
        TokenKind::LeftParen => "(",
        TokenKind::RightParen => ")",
        TokenKind::LeftBracket => "[",
        TokenKind::RightBracket => "]",
        TokenKind::Comma => ",",
        TokenKind::Dot => ".",
        _ => "?",
    }
}

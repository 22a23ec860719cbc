//! The few value kinds the journal stores (integers, nullable text) and typed reads of result rows,
//! so every query is written once for both backends.

use crate::error::{JournalError, JournalResult};

/// A bound parameter. JSON is stored as text in both dialects so one schema serves both.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(i64),
    Text(Option<String>),
}

pub fn int(value: i64) -> Param {
    Param::Int(value)
}

pub fn text(value: impl Into<String>) -> Param {
    Param::Text(Some(value.into()))
}

pub fn optional_text(value: Option<impl Into<String>>) -> Param {
    Param::Text(value.map(Into::into))
}

/// A value read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One result row, with the query it came from for error messages.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, index: usize, what: &str) -> JournalResult<&Cell> {
        self.cells.get(index).ok_or_else(|| JournalError::Corrupt {
            what: what.to_string(),
            detail: format!("column {index} missing"),
        })
    }

    pub fn int(&self, index: usize, what: &str) -> JournalResult<i64> {
        match self.cell(index, what)? {
            Cell::Int(value) => Ok(*value),
            other => Err(corrupt(what, "an integer", other)),
        }
    }

    pub fn text(&self, index: usize, what: &str) -> JournalResult<String> {
        match self.cell(index, what)? {
            Cell::Text(value) => Ok(value.clone()),
            other => Err(corrupt(what, "text", other)),
        }
    }

    pub fn optional_text(&self, index: usize, what: &str) -> JournalResult<Option<String>> {
        match self.cell(index, what)? {
            Cell::Text(value) => Ok(Some(value.clone())),
            Cell::Null => Ok(None),
            other => Err(corrupt(what, "text or null", other)),
        }
    }

    /// A JSON document stored as text.
    pub fn json(&self, index: usize, what: &str) -> JournalResult<serde_json::Value> {
        parse_json(&self.text(index, what)?, what)
    }

    pub fn optional_json(
        &self,
        index: usize,
        what: &str,
    ) -> JournalResult<Option<serde_json::Value>> {
        self.optional_text(index, what)?
            .map(|body| parse_json(&body, what))
            .transpose()
    }
}

fn corrupt(what: &str, expected: &str, found: &Cell) -> JournalError {
    JournalError::Corrupt {
        what: what.to_string(),
        detail: format!("expected {expected}, found {found:?}"),
    }
}

fn parse_json(body: &str, what: &str) -> JournalResult<serde_json::Value> {
    serde_json::from_str(body).map_err(|error| JournalError::Corrupt {
        what: what.to_string(),
        detail: format!("not JSON: {error}"),
    })
}

pub fn json_text(value: &serde_json::Value) -> Param {
    // Serialising a `Value` cannot fail (its map keys are strings).
    Param::Text(Some(value.to_string()))
}

/// A statement and its parameters, for running several in one transaction.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Param>,
}

pub fn statement(sql: &'static str, params: Vec<Param>) -> Statement {
    Statement { sql, params }
}

//! One index of a flow that every check shares: blocks by position (in name order, so output order
//! is unchanged), successors as positions, and each expression field parsed once.
//!
//! Why: each check used to walk `BTreeMap<String, Block>` by name, rebuild successor lists and
//! re-parse the same expressions; at 1,000 flows of 200 blocks that string bookkeeping was most of
//! the validator's time. Built once per flow in `validate_with`.

use super::checks::expressions;
use crate::expr::{self, CompiledExpression, ParseError};
use crate::flow::{Block, Expression, FlowDefinition};

/// One expression field of a block, parsed once.
pub(super) struct ParsedField<'a> {
    /// The field as written in the file (`inputs.phone`, `cases[0].condition`).
    pub field: String,
    pub expression: &'a Expression,
    pub compiled: Result<CompiledExpression, ParseError>,
    /// Variables it reads, sorted; empty when it does not parse (reported separately).
    pub reads: Vec<String>,
}

pub(super) struct FlowIndex<'a> {
    pub flow: &'a FlowDefinition,
    pub names: Vec<&'a str>,
    pub blocks: Vec<&'a Block>,
    /// Each block's successor names as written, in `Block::successors` order.
    pub successor_names: Vec<Vec<&'a str>>,
    /// The defined ones among them, as positions (same order, duplicates kept).
    pub successors: Vec<Vec<usize>>,
    /// The same edges with the name each was written with (a data action's `on_success` or `on_error`).
    pub edges: Vec<Vec<(usize, &'a str)>>,
    pub start: Option<usize>,
    pub fields: Vec<Vec<ParsedField<'a>>>,
}

impl<'a> FlowIndex<'a> {
    pub fn new(flow: &'a FlowDefinition) -> FlowIndex<'a> {
        let names: Vec<&str> = flow.blocks.keys().map(String::as_str).collect();
        let blocks: Vec<&Block> = flow.blocks.values().collect();
        let successor_names: Vec<Vec<&str>> = blocks.iter().map(|block| block.successors()).collect();
        // Names come sorted from the BTreeMap: a binary search finds a position without hashing.
        let position = |name: &str| names.binary_search(&name).ok();
        let edges: Vec<Vec<(usize, &str)>> = successor_names
            .iter()
            .map(|next| next.iter().filter_map(|name| position(name).map(|target| (target, *name))).collect())
            .collect();
        let successors = edges.iter().map(|out| out.iter().map(|(target, _)| *target).collect()).collect();
        let start = position(flow.start.as_str());
        let fields = blocks
            .iter()
            .map(|block| {
                expressions(block)
                    .into_iter()
                    .map(|(field, expression)| {
                        let compiled = expr::compile(expression);
                        let reads = compiled.as_ref().map(CompiledExpression::referenced_variables).unwrap_or_default();
                        ParsedField { field, expression, compiled, reads }
                    })
                    .collect()
            })
            .collect();
        FlowIndex { flow, names, blocks, successor_names, successors, edges, start, fields }
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.binary_search(&name).ok()
    }

    /// Which blocks are reachable from `roots` (names that are not blocks are ignored).
    pub fn reachable_from_names<'n>(&self, roots: impl IntoIterator<Item = &'n str>) -> Vec<bool> {
        self.reachable(roots.into_iter().filter_map(|name| self.position(name)))
    }

    /// Which blocks are reachable from the `roots` positions, the roots included.
    pub fn reachable(&self, roots: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut seen = vec![false; self.blocks.len()];
        let mut stack: Vec<usize> = roots.into_iter().collect();
        while let Some(node) = stack.pop() {
            if !std::mem::replace(&mut seen[node], true) {
                stack.extend(self.successors[node].iter().copied());
            }
        }
        seen
    }

    /// The parse of one of block `position`'s expression fields (found by identity).
    pub fn compiled(&self, position: usize, expression: &Expression) -> Option<&Result<CompiledExpression, ParseError>> {
        self.fields[position]
            .iter()
            .find(|field| std::ptr::eq(field.expression, expression))
            .map(|field| &field.compiled)
    }
}

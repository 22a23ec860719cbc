//! One index of a flow that every check shares: blocks by position (in name order, so output order
//! is unchanged), successors as positions, and each expression field parsed once.
//!
//! Why: each check used to walk `BTreeMap<String, Block>` by name, rebuild successor lists and
//! re-parse the same expressions; at 1,000 flows of 200 blocks that string bookkeeping was most of
//! the validator's time. Built once per flow in `validate_with`.

use super::checks::expressions;
use crate::expr::{self, CompiledExpression, ParseError};
use crate::flow::{Block, Expression, FlowDefinition};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: block names are short, and SipHash's DoS resistance buys nothing for a flow's own
/// names; a binary search over them was a tenth of a 1,000-flow run in string comparisons.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Positions<'a> = HashMap<&'a str, usize, BuildHasherDefault<Fnv>>;

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
    positions: Positions<'a>,
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
        let mut positions = Positions::default();
        positions.reserve(names.len());
        positions.extend(names.iter().enumerate().map(|(position, name)| (*name, position)));
        let position = |name: &str| positions.get(name).copied();
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
        FlowIndex { flow, names, blocks, positions, successor_names, successors, edges, start, fields }
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.positions.get(name).copied()
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

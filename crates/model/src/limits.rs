//! Size limits of flow documents, enforced by the model's own parsers, so every caller (the CLI's
//! `flow validate`, the review, the emulator's Architect jobs) refuses the same oversized input
//! with a message naming the limit, and every parse stays linear in the size of its input.
//! Documented in docs/flow-format.md ("Limits"); the emulator re-exports them in `emulator::limits`.

/// Blocks in one flow: each Archy action is one block, as are implicit task ends and menus.
/// The largest flow of the Archy corpus has a few hundred.
pub const FLOW_BLOCKS_MAX: usize = 10_000;
/// `{{name}}` / `${name}` placeholders in one Archy file, and `{{NAME}}` template variables in
/// one document or component file.
pub const PLACEHOLDERS_MAX: usize = 10_000;
/// One expression's text, in bytes.
pub const EXPRESSION_BYTES_MAX: usize = 16 * 1024;
/// How deeply an expression nests: parentheses, calls, operators (`1+1+1` nests to the left),
/// member and index steps. Evaluation, printing and dropping recurse over the tree.
pub const EXPRESSION_DEPTH_MAX: usize = 256;
/// Dotted parts of one variable name (`Task.Result.Field` has three); the evaluator and the
/// validator try every prefix of a name, so the count bounds their work per name.
pub const NAME_PARTS_MAX: usize = 64;

#[cfg(test)]
mod tests;

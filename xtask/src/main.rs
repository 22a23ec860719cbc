//! Chores in Rust, not shell: `cargo xtask test` (everything CI runs), `cargo xtask tidy` (the
//! invariants, read from the source), `cargo xtask bench` and `cargo xtask package` (the image
//! and the compose stack on a real Docker engine).

mod bench;
mod package;
mod test;
mod tidy;

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match arguments.first().map(String::as_str) {
        Some("test") => test::run(&arguments[1..]),
        Some("bench") => bench::run(&arguments[1..]),
        Some("tidy") => tidy::run(&arguments[1..]),
        Some("package") => package::run(&arguments[1..]),
        _ => bail!("usage: cargo xtask <test|tidy|bench|package> [args]"),
    }
}

//! What the tests of every crate share (a dev-dependency only). The first piece: finding a test
//! group's prerequisite, which fails the test when it is missing unless the runner declared the
//! group unavailable (`SWITCHBOARD_UNAVAILABLE`, set by `cargo xtask test` for what it could not
//! find and named at the end of its run) — never a silent pass.

use std::path::{Path, PathBuf};

/// The runner says this group's prerequisite is missing on purpose (`SWITCHBOARD_UNAVAILABLE`,
/// a comma-separated list of groups).
pub fn declared_unavailable(group: &str) -> bool {
    std::env::var("SWITCHBOARD_UNAVAILABLE").is_ok_and(|groups| groups.split(',').any(|listed| listed.trim() == group))
}

/// The shared Archy corpus: `SWITCHBOARD_ARCHY_CORPUS`, else `shared/archy-corpus` in a folder
/// above the workspace (CI has it at `../shared`). `None` only when the runner declared the
/// `corpus` group unavailable; otherwise a missing corpus panics, failing the test.
pub fn archy_corpus() -> Option<PathBuf> {
    if let Some(folder) = std::env::var_os("SWITCHBOARD_ARCHY_CORPUS").map(PathBuf::from) {
        assert!(folder.is_dir(), "SWITCHBOARD_ARCHY_CORPUS={} is not a folder", folder.display());
        return Some(folder);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = manifest.ancestors().map(|folder| folder.join("shared/archy-corpus")).find(|folder| folder.is_dir());
    if found.is_none() && declared_unavailable("corpus") {
        println!("skipped: no Archy corpus, declared unavailable by SWITCHBOARD_UNAVAILABLE");
        return None;
    }
    Some(found.unwrap_or_else(|| {
        panic!("no Archy corpus: set SWITCHBOARD_ARCHY_CORPUS or place shared/archy-corpus above {} (CI has it)", manifest.display())
    }))
}

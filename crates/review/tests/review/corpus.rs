//! The real Archy corpus through the static check: every call flow (inbound, in-queue, secure)
//! runs through it without a panic; what each triggers is printed (the record of how the rules
//! meet real flows; docs/review.md summarises it). A flow the importer refuses is reported as
//! `unloadable-flow`, as the review would.

use std::path::PathBuf;
use switchboard_review::static_checks::{self, FlowText, StaticPolicy};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SWITCHBOARD_ARCHY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/archy-corpus"));
    dir.is_dir().then_some(dir)
}

#[test]
fn the_corpus_call_flows_run_through_the_review() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: no Archy corpus (set SWITCHBOARD_ARCHY_CORPUS)");
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    paths.sort();
    let mut call_flows = 0;
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("corpus file");
        let is_call_flow = ["inboundCall:", "inqueueCall:", "secureCall:"].iter().any(|kind| text.trim_start().starts_with(kind));
        if !is_call_flow {
            continue;
        }
        call_flows += 1;
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_string();
        // Corpus templates keep placeholders; substitute each with a neutral value first.
        let values = switchboard_model::archy::placeholders(&text).into_iter().map(|name| (name, "x".to_string())).collect();
        let text = switchboard_model::archy::substitute(&text, &name, &values).unwrap_or(text);
        let (loaded, mut findings) = static_checks::load(&[FlowText { origin: name.clone(), text }]);
        let (_, found) = static_checks::run(&loaded, &StaticPolicy::default());
        findings.extend(found);
        let mut codes: Vec<String> = findings.iter().map(|finding| format!("{:?} {}", finding.severity, finding.code)).collect();
        codes.sort();
        codes.dedup();
        println!("{name}: {}", if codes.is_empty() { "clean".to_string() } else { codes.join(", ") });
    }
    assert_eq!(call_flows, 20, "the corpus has 20 call flows");
}

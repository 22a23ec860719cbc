//! Each check catches a violation in a few lines of fixture text, and lets the right shape
//! through; then the whole repository passes tidy (this is how the tests run it in CI).

use super::source::SourceFile;
use super::{allow, check_sources, checks, graph};

fn file(path: &str, text: &str) -> Vec<SourceFile> {
    vec![SourceFile::new(path, text)]
}

fn checks_of(path: &str, text: &str) -> Vec<&'static str> {
    check_sources(&file(path, text)).into_iter().map(|violation| violation.check).collect()
}

#[test]
fn unseeded_randomness_is_caught_outside_tests_only() {
    let text = "fn jitter() {\n    let mut rng = rand::rngs::StdRng::from_os_rng();\n}\n";
    let found = checks::unseeded_randomness(&file("crates/gateway/src/backoff.rs", text));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 2);
    assert!(checks::unseeded_randomness(&file("crates/gateway/src/backoff.rs", "let rng = StdRng::seed_from_u64(config.seed);\n")).is_empty());
    assert!(checks::unseeded_randomness(&file("crates/gateway/tests/gateway/main.rs", text)).is_empty(), "tests may draw");
    let inline = "fn f() {}\n#[cfg(test)]\nmod tests {\n    fn g() { rand::rng(); }\n}\n";
    assert!(checks::unseeded_randomness(&file("crates/gateway/src/a.rs", inline)).is_empty(), "inline test modules may draw");
    assert!(checks::unseeded_randomness(&file("crates/gateway/src/a.rs", "// rand::rng() would be wrong\n")).is_empty(), "comments are prose");
}

#[test]
fn raw_http_client_is_caught_in_engines_not_in_the_client() {
    let text = "async fn probe() { let client = reqwest::Client::new(); }\n";
    assert_eq!(checks_of("crates/review/src/drills.rs", text), ["raw-http-client"]);
    assert_eq!(checks_of("crates/cli/src/commands/rollout/smoke.rs", "use reqwest::Client;\n"), ["raw-http-client"]);
    assert!(checks::raw_http_client(&file("crates/platform/src/client.rs", text)).is_empty(), "the client is where HTTP lives");
    assert!(checks::raw_http_client(&file("crates/review/tests/review/support.rs", text)).is_empty());
}

#[test]
fn wire_shapes_are_caught_outside_api() {
    let body = "fn body() -> Value { json!({\"name\": name}) }\n";
    assert_eq!(checks_of("crates/bridge/src/job.rs", body), ["wire-shape"]);
    assert_eq!(checks_of("crates/emulator/src/routes/flows.rs", "#[derive(Debug, Deserialize)]\nstruct Query { a: u32 }\n"), ["wire-shape"]);
    assert!(checks::wire_shape(&file("crates/api/src/flow.rs", body)).is_empty(), "api is their home");
    assert!(checks::wire_shape(&file("crates/emulator/src/topology.rs", "#[derive(Deserialize)]\nstruct Topology {}\n")).is_empty(), "our own formats");
}

#[test]
fn public_flow_version_writes_are_caught() {
    let public = "    pub async fn save_version(self, id: &str) -> Result<()> {\n";
    assert_eq!(checks_of("crates/platform/src/resources/flows.rs", public), ["flow-version-write"]);
    let publish = "    pub fn publish_version(self) {}\n";
    assert_eq!(checks_of("crates/platform/src/resources/flows.rs", publish), ["flow-version-write"]);
    let private = "    pub(crate) async fn save_version(self, id: &str) -> Result<()> {\n";
    assert!(checks::flow_version_write(&file("crates/platform/src/resources/flows.rs", private)).is_empty());
}

#[test]
fn debug_on_a_plain_secret_is_caught() {
    let text = "#[derive(Debug, Clone)]\npub struct Credentials {\n    pub client_id: String,\n    pub client_secret: String,\n}\n";
    let found = checks::secret_debug(&file("crates/api/src/credentials.rs", text));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 4);
    let attributes = "#[derive(Debug)]\n#[serde(rename_all = \"camelCase\")]\npub struct Token {\n    pub access_token: Option<String>,\n}\n";
    assert_eq!(checks::secret_debug(&file("crates/api/src/auth.rs", attributes)).len(), 1, "attributes between derive and struct");
    let wrapped = "#[derive(Debug)]\npub struct Config {\n    pub client_secret: Secret,\n    pub token_type: String,\n}\n";
    assert!(checks::secret_debug(&file("crates/bridge/src/config.rs", wrapped)).is_empty(), "a Secret prints ***");
    let by_hand = "#[derive(Clone)]\npub struct Credentials {\n    pub client_secret: String,\n}\n";
    assert!(checks::secret_debug(&file("crates/api/src/credentials.rs", by_hand)).is_empty(), "Debug written by hand");
}

#[test]
fn a_test_that_skips_silently_is_caught() {
    let silent = "fn corpus() {\n    if !dir.exists() {\n        println!(\"skipped: no corpus\");\n        return;\n    }\n}\n";
    assert_eq!(checks_of("crates/model/tests/archy.rs", silent), ["silent-skip"]);
    let declared = "fn corpus() {\n    if declared_unavailable(\"corpus\") {\n        println!(\"skipped: no corpus\");\n        return;\n    }\n}\n";
    assert!(checks::silent_skip(&file("crates/model/tests/archy.rs", declared)).is_empty(), "declared by the runner");
    assert!(checks::silent_skip(&file("crates/model/src/load.rs", silent)).is_empty(), "product code is not a test");
}

#[test]
fn the_crate_graph_allows_only_its_arrows() {
    let emulator = "[dependencies]\nswitchboard-api.workspace = true\nswitchboard-platform.workspace = true\n\n[dev-dependencies]\ninsta = \"1\"\n";
    let found = graph::check_manifest("emulator", "crates/emulator/Cargo.toml", emulator);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("`emulator` → `platform`"));
    let engine_tests = "[dependencies]\nswitchboard-platform.workspace = true\n[dev-dependencies]\nswitchboard-emulator.workspace = true\n";
    assert!(graph::check_manifest("review", "crates/review/Cargo.toml", engine_tests).is_empty(), "tests may start an emulator");
    let engine = "[dependencies]\nswitchboard-emulator = { path = \"../emulator\" }\n";
    assert_eq!(graph::check_manifest("deploy", "crates/deploy/Cargo.toml", engine).len(), 1);
    let pure = "[dependencies]\ntokio.workspace = true # runtime\nserde = \"1\"\n";
    let found = graph::check_manifest("model", "crates/model/Cargo.toml", pure);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("does no I/O"));
    assert_eq!(graph::check_manifest("gateway", "crates/gateway/Cargo.toml", "[dev-dependencies]\nswitchboard-cli.workspace = true\n").len(), 1);
    assert_eq!(graph::check_manifest("newcrate", "crates/newcrate/Cargo.toml", "[dependencies]\nswitchboard-api.workspace = true\n").len(), 1);
}

#[test]
fn the_allow_list_needs_reasons_and_reports_stale_entries() {
    assert!(allow::parse("raw-http-client crates/bridge/src/crm.rs\n").is_err(), "no reason");
    assert!(allow::parse("raw-http-client crates/bridge/src/crm.rs #   \n").is_err(), "empty reason");
    let entries = allow::parse("# header\nraw-http-client crates/bridge/src/crm.rs  # the CRM is not the platform\nwire-shape crates/gone.rs # fixed since\n")
        .unwrap_or_else(|error| panic!("{error}"));
    let violations = checks::raw_http_client(&file("crates/bridge/src/crm.rs", "let c = reqwest::Client::new();\n"));
    let (remaining, stale) = allow::apply(&entries, violations);
    assert!(remaining.is_empty(), "{remaining:?}");
    assert_eq!(stale.iter().map(|entry| entry.path.as_str()).collect::<Vec<_>>(), ["crates/gone.rs"]);
}

/// The repository itself: every invariant holds, or its exception is reviewed in the allow-list.
#[test]
fn the_repository_is_tidy() {
    let root = crate::test::workspace_root();
    let problems = super::problems(&root).unwrap_or_else(|error| panic!("{error:#}"));
    assert!(problems.is_empty(), "cargo xtask tidy:\n{}", problems.join("\n"));
}

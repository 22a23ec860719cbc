//! The source checks. Each is a function from files to violations, so its unit tests run it on a
//! few lines of fixture text. What each one matches is stated on it: they read text, not types,
//! so they are deliberately narrow, and the allow-list names every reviewed exception.

use super::Violation;
use super::source::SourceFile;

/// Crates that reach the platform only through `platform::Platform`.
pub const ENGINES: &[&str] = &["deploy", "rollout", "review", "gateway", "bridge"];

/// Randomness seeded from the operating system, or from a generator that is.
const UNSEEDED: &[&str] = &["from_os_rng", "thread_rng", "rand::rng()", "OsRng", "from_entropy", "rand::random", "RandomState::new()"];

/// Field names that hold a credential (an exact name, or a name ending with one of the suffixes).
const SECRET_NAMES: &[&str] = &["secret", "password", "token", "presigned_url", "download_url", "upload_url", "api_key", "private_key"];
const SECRET_SUFFIXES: &[&str] = &["_secret", "_password", "_token", "_api_key", "_private_key"];
/// Plain types that print their content under `Debug`.
const PLAIN_TYPES: &[&str] = &["String", "Option<String>", "Vec<u8>", "Option<Vec<u8>>"];

/// `unseeded-randomness`: a source of randomness seeded by the OS in non-test code of any crate.
/// Anything random takes a seed; only the CLI's edge may draw one from the OS.
pub fn unseeded_randomness(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files {
        for (line, code) in file.product_lines() {
            if let Some(found) = UNSEEDED.iter().find(|pattern| code.contains(*pattern)) {
                violations.push(Violation::new("unseeded-randomness", &file.path, line, format!("`{found}`: take a seed from configuration instead")));
            }
        }
    }
    violations
}

/// `raw-http-client`: `reqwest` named in the non-test code of an engine crate or the CLI. They
/// reach the platform through `Platform`; other HTTP peers (a CRM, an integration's endpoint)
/// are allow-listed file by file.
pub fn raw_http_client(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files.iter().filter(|file| ENGINES.contains(&file.krate.as_str()) || file.krate == "cli") {
        for (line, code) in file.product_lines() {
            if code.contains("reqwest::") || code.contains("use reqwest") {
                violations.push(Violation::new("raw-http-client", &file.path, line, "raw `reqwest`: reach the platform through `platform::Platform`".into()));
            }
        }
    }
    violations
}

/// `wire-shape`: a JSON body written by hand (`json!`) in the non-test code of the client, the
/// emulator or an engine, or a serde type declared in the client's typed calls or the emulator's
/// routes.
/// The platform's shapes are typed once, in `api`.
pub fn wire_shape(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files {
        let hand_written = ENGINES.contains(&file.krate.as_str()) || file.krate == "platform" || file.krate == "emulator";
        let typed_here = file.path.starts_with("crates/platform/src/resources/") || file.path.starts_with("crates/emulator/src/routes/");
        for (line, code) in file.product_lines() {
            if hand_written && code.contains("json!(") {
                violations.push(Violation::new("wire-shape", &file.path, line, "`json!` body: type it in `api`".into()));
            }
            if typed_here && code.trim_start().starts_with("#[derive(") && (code.contains("Serialize") || code.contains("Deserialize")) {
                violations.push(Violation::new("wire-shape", &file.path, line, "serde type outside `api`: move it there".into()));
            }
        }
    }
    violations
}

/// `flow-version-write`: the client offers saving or publishing a flow version as public API.
/// Flow content reaches a platform only through Architect jobs (`Flows::publish`).
pub fn flow_version_write(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files.iter().filter(|file| file.krate == "platform") {
        for (line, code) in file.product_lines() {
            let code = code.trim_start();
            let public = code.starts_with("pub fn ") || code.starts_with("pub async fn ");
            let name = ["save_version", "publish_version", "publish_and_wait"].into_iter().find(|name| code.contains(&format!("fn {name}")));
            if let (true, Some(name)) = (public, name) {
                violations.push(Violation::new("flow-version-write", &file.path, line, format!("`{name}` is public: flow content goes only through Architect jobs")));
            }
        }
    }
    violations
}

/// `secret-debug`: `#[derive(Debug)]` on a struct with a plain-typed credential field (named
/// `secret`, `*_token`, `presigned_url`, ...). Such a struct writes its `Debug` by hand, or
/// holds the value in `platform::Secret`.
pub fn secret_debug(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files {
        let lines: Vec<(usize, &str)> = file.product_lines().collect();
        let mut derives_debug = false;
        let mut index = 0;
        while index < lines.len() {
            let code = lines[index].1.trim();
            if code.starts_with("#[derive(") {
                derives_debug |= code.contains("Debug");
            } else if let Some(name) = struct_name(code).filter(|_| derives_debug && code.ends_with('{')) {
                let mut field_index = index + 1;
                while field_index < lines.len() && lines[field_index].1.trim() != "}" {
                    if let Some(field) = secret_field(lines[field_index].1) {
                        violations.push(Violation::new(
                            "secret-debug",
                            &file.path,
                            lines[field_index].0,
                            format!("`{name}` derives Debug and `{field}` is a plain credential: redact it"),
                        ));
                    }
                    field_index += 1;
                }
                derives_debug = false;
                index = field_index;
            } else if !code.starts_with("#[") && !code.is_empty() {
                derives_debug = false;
            }
            index += 1;
        }
    }
    violations
}

fn struct_name(code: &str) -> Option<&str> {
    let rest = code.strip_prefix("pub ").or_else(|| code.strip_prefix("pub(crate) ")).unwrap_or(code);
    let rest = rest.strip_prefix("struct ")?;
    rest.split(|c: char| !c.is_alphanumeric() && c != '_').next()
}

/// The field's name when it is a credential of a plain type.
fn secret_field(code: &str) -> Option<String> {
    let code = code.trim();
    let code = code.strip_prefix("pub ").or_else(|| code.strip_prefix("pub(crate) ")).unwrap_or(code);
    let (name, kind) = code.split_once(':')?;
    let name = name.trim();
    let kind = kind.trim().trim_end_matches(',').trim();
    let secret = SECRET_NAMES.contains(&name) || SECRET_SUFFIXES.iter().any(|suffix| name.ends_with(suffix));
    (secret && PLAIN_TYPES.contains(&kind)).then(|| name.to_string())
}

/// `silent-skip`: test code that prints it skipped and returns, unless the runner declared the
/// prerequisite absent (`SWITCHBOARD_UNAVAILABLE`, which `cargo xtask test` sets and then names
/// in its summary). Anything else must fail: a test that passes without testing hides a gap.
pub fn silent_skip(files: &[SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in files {
        let lines: Vec<(usize, &str)> = file.test_lines().collect();
        for (index, (line, code)) in lines.iter().enumerate() {
            let lower = code.to_lowercase();
            let prints = lower.contains("println!(") || lower.contains("eprintln!(");
            // The message may sit on the line after the macro's opening parenthesis.
            let message = lines.get(index + 1).map(|(_, next)| format!("{lower} {}", next.to_lowercase())).unwrap_or(lower);
            if !prints || !message.contains("skip") {
                continue;
            }
            let returns = lines[index..lines.len().min(index + 4)].iter().any(|(_, code)| code.contains("return"));
            let declared = lines[index.saturating_sub(8)..index].iter().any(|(_, code)| code.contains("SWITCHBOARD_UNAVAILABLE") || code.contains("declared_unavailable("));
            if returns && !declared {
                violations.push(Violation::new("silent-skip", &file.path, *line, "returns early on a missing prerequisite: fail instead".into()));
            }
        }
    }
    violations
}

//! Snapshots (insta) of the CLI's text output: `switchboard orgs` against the embedded emulator
//! and `switchboard flow validate` on a good and a broken fixture. Ids and ports are redacted,
//! so a snapshot changes only when what the user reads changes.

use crate::switchboard;

/// Replaces UUID-shaped words with `[id]` and `127.0.0.1:PORT` with `127.0.0.1:[port]`.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if is_uuid(word) { "[id]" } else { word });
        word.clear();
    };
    for character in text.chars() {
        if character.is_ascii_hexdigit() || character == '-' {
            word.push(character);
        } else {
            flush(&mut word, &mut out);
            out.push(character);
        }
    }
    flush(&mut word, &mut out);
    redact_ports(&out)
}

fn is_uuid(word: &str) -> bool {
    let groups: Vec<usize> = word.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12]
}

fn redact_ports(text: &str) -> String {
    let marker = "127.0.0.1:";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = rest[at + marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("[port]");
    }
    out.push_str(rest);
    out
}

#[test]
fn orgs_text_output() {
    let output = switchboard(&["orgs"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = redact(&String::from_utf8_lossy(&output.stdout));
    assert!(text.contains("na-east-1"), "{text}");
    insta::assert_snapshot!("orgs", text);
}

#[test]
fn flow_validate_text_output() {
    let good = "../../examples/flows/main_ivr.yaml";
    let broken = "tests/cli/fixtures/broken_flow.yaml";
    let output = switchboard(&["flow", "validate", good, broken]);
    assert!(!output.status.success(), "the broken flow fails validation");
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        redact(&String::from_utf8_lossy(&output.stdout)),
        redact(&String::from_utf8_lossy(&output.stderr)),
    );
    assert!(text.contains("Broken_Flow") || text.contains("broken_flow"), "{text}");
    insta::assert_snapshot!("flow_validate", text);
}

#[test]
fn redaction_hides_ids_and_ports_only() {
    let text = "org 0b5c5e8e-1d2a-4f3b-9c4d-5e6f7a8b9c0d at http://127.0.0.1:43817/api, deadbeef stays";
    assert_eq!(redact(text), "org [id] at http://127.0.0.1:[port]/api, deadbeef stays");
}

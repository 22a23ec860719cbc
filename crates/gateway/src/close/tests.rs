use super::*;

const ALL: [CloseReason; 11] = [
    CloseReason::Normal,
    CloseReason::ProtocolError,
    CloseReason::UnsupportedData,
    CloseReason::InvalidPayload,
    CloseReason::TooBig,
    CloseReason::ServiceRestart,
    CloseReason::TryAgainLater,
    CloseReason::TokenExpired,
    CloseReason::TokenInvalid,
    CloseReason::IdleTimeout,
    CloseReason::TooManyConnections,
];

/// The codes of docs/gateway.md's close-code table, in its order.
fn documented_codes() -> Vec<u16> {
    let docs = include_str!("../../../../docs/gateway.md");
    let Some((_, table)) = docs.split_once("### Close codes") else { panic!("docs/gateway.md has no close-code table") };
    table
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| line.trim_matches('|').split('|').next()?.trim().parse().ok())
        .collect()
}

#[test]
fn the_documented_close_codes_are_exactly_the_ones_the_gateway_sends() {
    let mut sent: Vec<u16> = ALL.iter().map(|reason| reason.code()).collect();
    sent.sort_unstable();
    assert_eq!(documented_codes(), sent);
}

#[test]
fn the_docs_say_a_request_the_gateway_does_not_understand_keeps_the_session_open() {
    // Line breaks in the prose are not meaning.
    let docs = include_str!("../../../../docs/gateway.md").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(docs.contains("not JSON"), "docs/gateway.md must say what happens to text that is not JSON");
    assert!(docs.contains("1002 is for malformed WebSocket frames"), "and that 1002 is not that");
}

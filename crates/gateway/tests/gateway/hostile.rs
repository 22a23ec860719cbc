//! Broken and hostile clients: oversized, binary and non-UTF-8 frames get their RFC 6455 codes,
//! a silent client is closed at the idle timeout, a stalled handshake at its deadline, and one
//! address cannot open more than its share of connections. Text that is not a request the gateway
//! understands is answered with an `error` notice and the session stays open (docs/gateway.md).

use crate::support::*;
use futures_util::SinkExt;
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{Bytes, Message};

#[tokio::test]
async fn protocol_violations_are_answered_with_their_close_codes() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let mut config = gateway_config();
    config.limits.max_message_bytes = 4096;
    config.limits.max_frame_bytes = 4096;
    let gateway = gateway(config, client(client_config(&emulator))).await;

    let mut desktop = connect(&gateway.url(), &token("a", 60.0)).await;
    let huge = "x".repeat(10_000);
    let _ = desktop.send(Message::Text(huge.into())).await;
    assert_eq!(close_code(&mut desktop).await.0, 1009);

    let mut desktop = connect(&gateway.url(), &token("a", 60.0)).await;
    let _ = desktop.send(Message::Binary(Bytes::from_static(b"\x00\x01"))).await;
    assert_eq!(close_code(&mut desktop).await.0, 1003);

    // A masked text frame whose payload is not UTF-8, written by hand (clients refuse to).
    let mut raw = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap_or_else(|error| panic!("{error}"));
    let request = format!(
        "GET /?access_token={} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        token("a", 60.0)
    );
    raw.write_all(request.as_bytes()).await.unwrap_or_else(|error| panic!("{error}"));
    let mut response = vec![0u8; 4096];
    let read = raw.read(&mut response).await.unwrap_or(0);
    assert!(String::from_utf8_lossy(&response[..read]).starts_with("HTTP/1.1 101"));
    let mask = [1u8, 2, 3, 4];
    let payload = [0xffu8, 0xfe];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(index, byte)| byte ^ mask[index % 4]));
    raw.write_all(&frame).await.unwrap_or_else(|error| panic!("{error}"));
    let mut close = [0u8; 64];
    let read = tokio::time::timeout(WAIT, raw.read(&mut close)).await.unwrap_or(Ok(0)).unwrap_or(0);
    assert!(read >= 4 && close[0] == 0x88, "a close frame: {:?}", &close[..read]);
    assert_eq!(u16::from_be_bytes([close[2], close[3]]), 1007);

    // A frame with reserved bits set is a protocol error.
    let mut desktop_raw = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap_or_else(|error| panic!("{error}"));
    desktop_raw.write_all(request.as_bytes()).await.unwrap_or_else(|error| panic!("{error}"));
    let _ = desktop_raw.read(&mut response).await;
    desktop_raw.write_all(&[0xf1, 0x80, 1, 2, 3, 4]).await.unwrap_or_else(|error| panic!("{error}"));
    let read = tokio::time::timeout(WAIT, desktop_raw.read(&mut close)).await.unwrap_or(Ok(0)).unwrap_or(0);
    assert!(read >= 4 && close[0] == 0x88, "a close frame: {:?}", &close[..read]);
    assert_eq!(u16::from_be_bytes([close[2], close[3]]), 1002);
}

#[tokio::test]
async fn idle_clients_stalled_handshakes_and_crowded_addresses_are_cut_off() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let mut config = gateway_config();
    config.limits.idle_timeout = Duration::from_millis(300);
    config.limits.ping_interval = Duration::from_secs(60);
    config.limits.handshake_timeout = Duration::from_millis(300);
    config.limits.connections_per_address = 2;
    let gateway = gateway(config, client(client_config(&emulator))).await;

    // tokio-tungstenite answers pings, but only while the test reads; this one never sends.
    let mut idle = connect(&gateway.url(), &token("a", 60.0)).await;
    let started = std::time::Instant::now();
    assert_eq!(close_code(&mut idle).await.0, 4008);
    assert!(started.elapsed() >= Duration::from_millis(250));

    let mut stalled = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap_or_else(|error| panic!("{error}"));
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(WAIT, stalled.read(&mut buffer)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the gateway hangs up on a silent handshake: {read:?}");

    let first = connect(&gateway.url(), &token("a", 60.0)).await;
    let second = connect(&gateway.url(), &token("b", 60.0)).await;
    let mut third = connect(&gateway.url(), &token("c", 60.0)).await;
    assert_eq!(close_code(&mut third).await.0, 4029);
    drop((first, second));
}

#[tokio::test]
async fn text_that_is_not_a_request_gets_an_error_notice_and_the_session_stays_open() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let gateway = gateway(gateway_config(), client(client_config(&emulator))).await;
    let mut desktop = connect(&gateway.url(), &token("agent-typo", 60.0)).await;
    subscribe(&mut desktop, &["v2.users.agent-typo.presence".to_string()]).await;
    for junk in ["this is not json", "{\"message\": \"subscribe\", \"topics\": 7}", "{\"message\": \"dance\"}"] {
        let _ = desktop.send(Message::Text(junk.into())).await;
        let error = next_notice(&mut desktop).await;
        assert_eq!(message_of(&error), Some("error"), "{junk}: {error}");
        assert!(error["eventBody"]["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{error}");
    }
    // Still open, still subscribed: the stream goes on.
    publish(&emulator, "v2.users.agent-typo.presence", serde_json::json!({"seq": 1}));
    assert_eq!(next_event(&mut desktop).await["eventBody"]["seq"], 1);
}

//! Bounds on what a client can make the emulator hold or send: data-table columns, the
//! unknown-topic answer, WebSocket messages and frames (closed with 1009 or 1002, never dropped
//! silently), and an Architect job's messages.

use super::notifications::{connect, create_channel, subscribe};
use super::support::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_data_table_has_at_most_fifty_columns() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let table = |columns: usize| {
        let mut properties = json!({"key": {"type": "string", "title": "key"}});
        for column in 0..columns {
            properties[format!("c{column}")] = json!({"type": "string"});
        }
        json!({"name": format!("Wide {columns}"), "schema": {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["key"], "properties": properties}})
    };
    assert_eq!(client.post("/api/v2/flows/datatables", table(50)).await.status(), 200);
    for columns in [51, 60_000] {
        let body = assert_error(client.post("/api/v2/flows/datatables", table(columns)).await, 400, "invalid.value").await;
        assert!(body["message"].as_str().is_some_and(|message| message.contains("schema.properties") && message.contains("50")), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_topic_answer_names_a_few_and_counts_the_rest() {
    let emulator = start_default().await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, _) = create_channel(&org).await;
    let topics: Vec<String> = (0..5_000).map(|index| format!("v2.nonsense.{index}.topic")).collect();
    let response = subscribe(&org, &channel, &topics).await;
    let body = assert_error(response, 400, "bad.request").await;
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("v2.nonsense.0.topic") && message.contains("4990 more (5000 in all)"), "{message}");
    assert!(body.to_string().len() < 2_000, "a small answer: {} bytes", body.to_string().len());
}

/// The close code a socket ends with, waiting past other messages.
async fn close_code(socket: &mut super::notifications::Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(WAIT, socket.next()).await.ok()? {
            Some(Ok(Message::Close(frame))) => return frame.map(|frame| u16::from(frame.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

#[tokio::test]
async fn an_oversized_websocket_message_is_closed_with_1009() {
    let emulator = start_default().await;
    let org = login(&emulator, "na-east-1").await;
    let (_, uri) = create_channel(&org).await;
    let mut socket = connect(&uri, None).await;
    // Many fragments, each small, adding up to more than a message may hold.
    let big = "x".repeat(200 * 1024);
    let _ = socket.send(Message::text(big)).await;
    assert_eq!(close_code(&mut socket).await, Some(1009));
    assert_eq!(reqwest::get(format!("{}/health", emulator.base_url())).await.expect("health").status(), 200);
}

#[tokio::test]
async fn a_websocket_protocol_error_is_closed_with_1002() {
    let emulator = start_default().await;
    let org = login(&emulator, "na-east-1").await;
    let (_, uri) = create_channel(&org).await;
    let path = uri.splitn(4, '/').nth(3).map(|rest| format!("/{rest}")).expect("a path");
    let mut stream = tokio::net::TcpStream::connect(emulator.addr()).await.expect("connect");
    let handshake = format!(
        "GET {path} HTTP/1.1\r\nHost: emulator\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(handshake.as_bytes()).await.expect("handshake");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tokio::time::timeout(WAIT, stream.read_exact(&mut byte)).await.expect("in time").expect("read");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
    // A client frame without a mask breaks the protocol (RFC 6455, 5.1).
    stream.write_all(&[0x81, 0x05, b'h', b'e', b'l', b'l', b'o']).await.expect("frame");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut answer)).await;
    let close = answer.windows(2).position(|pair| pair[0] == 0x88).expect("a close frame");
    let code = u16::from_be_bytes([answer[close + 2], answer[close + 3]]);
    assert_eq!(code, 1002, "{answer:?}");
}

#[tokio::test(start_paused = true)]
async fn an_architect_job_keeps_a_bounded_number_of_messages() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let (status, job) = client.call("POST", "/api/v2/flows/jobs", Some(json!({}))).await;
    assert_eq!(status, 200, "{job}");
    let id = job["id"].as_str().expect("id").to_string();
    let mut flow = String::from("name: Many Errors\nstart: b0\nblocks:\n");
    for index in 0..3_000 {
        flow.push_str(&format!("  b{index}: {{type: wait, duration_ms: 1, next: missing{index}}}\n"));
    }
    let (uploaded, _) = client.upload("PUT", job["presignedUrl"].as_str().expect("url"), "application/octet-stream", &flow).await;
    assert_eq!(uploaded, 200);
    let done: Value = poll_until("the job", Duration::from_secs(60), || async {
        let (status, job) = client.call("GET", &format!("/api/v2/flows/jobs/{id}?expand=messages"), None).await;
        assert!(status < 500, "{status} {job}");
        (job["status"] == "Failure" || job["status"] == "Success").then_some(job)
    })
    .await;
    assert_eq!(done["status"], "Failure");
    let messages = done["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1_000, "the first 999 and a count of the rest");
    let last = messages.last().and_then(|message| message["text"].as_str()).unwrap_or_default();
    assert!(last.contains("more messages not shown"), "{last}");
}

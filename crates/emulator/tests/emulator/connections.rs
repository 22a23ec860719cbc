//! Connection hygiene on real sockets: a half-sent header, a half-sent body and an idle
//! keep-alive connection are all closed after the configured timeouts (short ones here), so a
//! slow client cannot hold a socket forever (issue 6 measured all three still open after 35 s).

use super::support::*;
use std::time::{Duration, Instant};
use switchboard_emulator::{ConnectionTimeouts, EmulatorOptions, RunningEmulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(300);

async fn start_short() -> RunningEmulator {
    let connections = ConnectionTimeouts { header_read: SHORT, body_read: SHORT, tls_handshake: SHORT, write_stall: SHORT };
    start(EmulatorOptions { connections, ..EmulatorOptions::default() }).await
}

/// Reads until the server closes the connection; returns what it sent and how long that took.
/// Bounded at 5 s so a missing timeout fails the test instead of hanging it.
async fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let result = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(count) => received.extend_from_slice(&buffer[..count]),
            }
        }
    })
    .await;
    assert!(result.is_ok(), "the server kept the connection open for 5 s; got {:?}", String::from_utf8_lossy(&received));
    (String::from_utf8_lossy(&received).to_string(), started.elapsed())
}

#[tokio::test]
async fn a_half_sent_header_is_closed_after_the_header_timeout() {
    let emulator = start_short().await;
    let mut stream = TcpStream::connect(emulator.addr()).await.expect("connect");
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: emulator\r\nX-Slow: ").await.expect("write");
    let (_, waited) = read_until_closed(&mut stream).await;
    assert!(waited >= SHORT / 2, "closed after {waited:?}");
}

#[tokio::test]
async fn a_half_sent_body_is_answered_with_the_error_body_and_closed() {
    let emulator = start_short().await;
    let mut stream = TcpStream::connect(emulator.addr()).await.expect("connect");
    let head = format!(
        "POST /_emulator/faults HTTP/1.1\r\nHost: emulator\r\n{}: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"path\":",
        switchboard_api::emulator::CONTROL_TOKEN_HEADER,
        emulator.control_token()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"code\":\"bad.request\""), "{answer}");
    assert!(answer.contains("body-read timeout"), "{answer}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let emulator = start_short().await;
    let mut stream = TcpStream::connect(emulator.addr()).await.expect("connect");
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: emulator\r\n\r\n").await.expect("write");
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Between our limit (64 KiB) and hyper's hard cap (256 KiB) the emulator answers itself: 431
/// with the Genesys body naming the limit, on API and control routes alike.
#[tokio::test]
async fn a_header_block_over_our_limit_gets_the_genesys_431() {
    let emulator = start_short().await;
    let big = "a".repeat(100 * 1024);
    let client = login(&emulator, "na-east-1").await;
    let api = client.http.get(format!("{}/api/v2/users", emulator.base_url())).bearer_auth(&client.token).header("X-Big", &big).send().await;
    let body = assert_error(api.expect("answer"), 431, "bad.request").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("65536 bytes")), "{body}");
    let control = reqwest::Client::new().get(format!("{}/health", emulator.base_url())).header("X-Big", &big).send().await;
    assert_error(control.expect("answer"), 431, "bad.request").await;
    // Just under the limit is served.
    let fits = reqwest::Client::new().get(format!("{}/health", emulator.base_url())).header("X-Big", "a".repeat(60 * 1024)).send().await;
    assert_eq!(fits.expect("answer").status(), 200);
}

/// Above hyper's hard cap hyper refuses before any of our code runs: an empty-bodied 431 (or a
/// closed connection), never a request that reaches a handler.
#[tokio::test]
async fn a_header_block_over_the_hard_cap_is_refused_by_hyper() {
    let emulator = start_short().await;
    let mut stream = TcpStream::connect(emulator.addr()).await.expect("connect");
    let request = format!("GET /health HTTP/1.1\r\nHost: emulator\r\nX-Big: {}\r\n\r\n", "a".repeat(300 * 1024));
    // hyper may stop reading (and close) before the whole header is written.
    let _ = stream.write_all(request.as_bytes()).await;
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(!answer.contains("\"status\""), "hyper's own answer has no Genesys body: {answer}");
}

#[tokio::test]
async fn a_client_that_never_reads_its_responses_is_dropped_after_the_write_stall_timeout() {
    let emulator = start_short().await;
    // A small receive window, so the server's writes stall soon.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(2048).expect("receive buffer");
    let stream = socket.connect(emulator.addr()).await.expect("connect");
    let (_reader, mut writer) = stream.into_split();
    // Pipelined requests, never reading an answer: once the server's writes stall it stops reading
    // requests, this writer blocks, and only the server dropping the connection ends the loop.
    let requests = "GET /health HTTP/1.1\r\nHost: emulator\r\n\r\n".repeat(256);
    let outcome = tokio::time::timeout(Duration::from_secs(20), async {
        let mut sent = 0usize;
        loop {
            if let Err(error) = writer.write_all(requests.as_bytes()).await {
                return (sent, error);
            }
            sent += 256;
        }
    })
    .await;
    let Ok((sent, error)) = outcome else { panic!("the server still accepted requests after 20 s from a client that reads nothing") };
    assert!(sent > 0, "some requests went through before the stall");
    assert!(
        matches!(error.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe),
        "the server dropped the connection: {error}"
    );
    // The emulator itself is unaffected.
    let mut other = TcpStream::connect(emulator.addr()).await.expect("connect");
    other.write_all(b"GET /health HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n").await.expect("write");
    let (answer, _) = read_until_closed(&mut other).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

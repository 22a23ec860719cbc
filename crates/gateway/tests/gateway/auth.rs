//! Agent authentication: expired and forged tokens refused with their close codes, the 85 %
//! warning, `auth_refresh` without reconnecting, expiry of an unrefreshed session, and keys
//! rotated on disk.

use crate::support::*;
use serde_json::json;
use switchboard_emulator::EmulatorOptions;
use switchboard_gateway::jwt::{self, Claims, Key};

#[tokio::test]
async fn expired_forged_and_missing_tokens_are_refused_with_their_codes() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let gateway = gateway(gateway_config(), client(client_config(&emulator))).await;

    let expired = jwt::mint(&Claims { sub: "a".into(), exp: jwt::now_seconds() - 5.0, iat: None }, &key());
    let mut desktop = connect(&gateway.url(), &expired).await;
    assert_eq!(close_code(&mut desktop).await.0, 4001);

    let forged = jwt::mint_for("a", 60.0, &Key::new("k1", b"not-the-secret"));
    let mut desktop = connect(&gateway.url(), &forged).await;
    let (code, reason) = close_code(&mut desktop).await;
    assert_eq!(code, 4003, "{reason}");
    assert!(reason.contains("signature"), "{reason}");

    let mut desktop = match tokio_tungstenite::connect_async(gateway.url()).await {
        Ok((socket, _)) => socket,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(close_code(&mut desktop).await, (4003, "token invalid: no token".to_string()));
}

#[tokio::test]
async fn a_session_is_warned_at_85_percent_and_refreshes_without_reconnecting() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let gateway = gateway(gateway_config(), client(client_config(&emulator))).await;
    let lifetime = 2.0;
    let mut desktop = connect(&gateway.url(), &token("agent-r", lifetime)).await;
    subscribe(&mut desktop, &["v2.users.agent-r.presence".to_string()]).await;
    let started = std::time::Instant::now();

    let warning = next_json(&mut desktop).await;
    assert_eq!(message_of(&warning), Some("auth_expiring"), "{warning}");
    let warned_after = started.elapsed().as_secs_f64();
    assert!(warned_after > 1.2 && warned_after < lifetime, "warned after {warned_after} s");

    send(&mut desktop, json!({"frame_type": "auth_refresh", "token_payload": {"access_token": token("agent-r", 60.0), "token_type": "Bearer"}})).await;
    let refreshed = next_json(&mut desktop).await;
    assert_eq!(message_of(&refreshed), Some("auth_refreshed"), "{refreshed}");
    assert!(refreshed["eventBody"]["expiresInSeconds"].as_f64().unwrap_or(0.0) > 50.0);

    // Past the first token's expiry the same socket still delivers.
    tokio::time::sleep_until((started + std::time::Duration::from_secs_f64(lifetime + 0.3)).into()).await;
    publish(&emulator, "v2.users.agent-r.presence", json!({"after": "expiry"}));
    assert_eq!(next_event(&mut desktop).await["eventBody"]["after"], "expiry");
}

#[tokio::test]
async fn an_unrefreshed_session_closes_at_expiry_and_a_refresh_for_another_agent_is_refused() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let gateway = gateway(gateway_config(), client(client_config(&emulator))).await;
    let mut desktop = connect(&gateway.url(), &token("agent-x", 1.0)).await;
    let warning = next_json(&mut desktop).await;
    assert_eq!(message_of(&warning), Some("auth_expiring"));
    assert_eq!(close_code(&mut desktop).await.0, 4001);

    let mut desktop = connect(&gateway.url(), &token("agent-y", 60.0)).await;
    send(&mut desktop, json!({"frame_type": "auth_refresh", "token_payload": {"access_token": token("someone-else", 60.0)}})).await;
    assert_eq!(close_code(&mut desktop).await.0, 4003);
}

#[tokio::test]
async fn a_key_added_on_disk_is_accepted_without_a_restart() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let config = gateway_config();
    let key_dir = config.jwt_keys[0].clone();
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let rotated = Key::new("k2", b"the-next-secret");
    let mut refused = connect(&gateway.url(), &jwt::mint_for("a", 60.0, &rotated)).await;
    assert_eq!(close_code(&mut refused).await.0, 4003);

    if let Err(error) = std::fs::write(key_dir.join("k2"), "the-next-secret") {
        panic!("{error}");
    }
    // The watcher polls every 50 ms; each attempt is a real connection, bounded in number.
    for attempt in 0.. {
        let mut desktop = connect(&gateway.url(), &jwt::mint_for("a", 60.0, &rotated)).await;
        send(&mut desktop, json!({"message": "ping"})).await;
        match next(&mut desktop).await {
            Next::Json(frame) => {
                assert_eq!(message_of(&frame), Some("pong"));
                break;
            }
            Next::Closed(..) if attempt < 100 => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            Next::Closed(code, reason) => panic!("new key never accepted: {code:?} {reason}"),
        }
    }
}

fn rsa_signer(file: &str) -> jwt::RsaSigner {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    let pem = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    jwt::RsaSigner::from_pem("idp-2026", &pem).unwrap_or_else(|error| panic!("{error}"))
}

/// Connects with `token` and reports whether a ping is answered (accepted) or the close code.
async fn accepted(url: &str, token: &str) -> Result<(), u16> {
    let mut desktop = connect(url, token).await;
    send(&mut desktop, json!({"message": "ping"})).await;
    match next(&mut desktop).await {
        Next::Json(frame) if message_of(&frame) == Some("pong") => Ok(()),
        Next::Json(frame) => panic!("unexpected {frame}"),
        Next::Closed(code, _) => Err(code.map(u16::from).unwrap_or(0)),
    }
}

#[tokio::test]
async fn an_rs256_public_key_rotates_on_disk_without_a_restart() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let config = gateway_config();
    let key_dir = config.jwt_keys[0].clone();
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let signer = rsa_signer("test-rs256-private.pem");
    let rsa_token = signer.mint_for("agent-rsa", 60.0);
    assert_eq!(accepted(&gateway.url(), &rsa_token).await, Err(4003), "no RSA key yet");

    // The identity provider's public key appears beside the HS256 secret (file name = kid).
    let public = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test-rs256-public.pem")).unwrap_or_default();
    std::fs::write(key_dir.join("idp-2026.pem"), &public).unwrap_or_else(|error| panic!("{error}"));
    // The watcher polls every 50 ms; each attempt is a real connection, bounded in number.
    for attempt in 0.. {
        match accepted(&gateway.url(), &rsa_token).await {
            Ok(()) => break,
            Err(_) if attempt < 100 => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            Err(code) => panic!("RS256 key never accepted: {code}"),
        }
    }
    // A token signed by another private key under the same kid is forged; HS256 still works.
    assert_eq!(accepted(&gateway.url(), &rsa_signer("test-rs256-other-private.pem").mint_for("agent-rsa", 60.0)).await, Err(4003));
    assert_eq!(accepted(&gateway.url(), &token("agent-hs", 60.0)).await, Ok(()));

    // Removing the key file revokes it, again without a restart.
    std::fs::remove_file(key_dir.join("idp-2026.pem")).unwrap_or_else(|error| panic!("{error}"));
    for attempt in 0.. {
        match accepted(&gateway.url(), &rsa_token).await {
            Err(4003) => break,
            Ok(()) if attempt < 100 => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            other => panic!("RS256 key never revoked: {other:?}"),
        }
    }
}

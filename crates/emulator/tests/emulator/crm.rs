//! The fake CRM: lookups by phone, idempotent activities, the same fault rules as the platform
//! API, and a mutual-TLS listener that accepts a client certificate signed by its CA and
//! refuses a client without one.

use super::support::*;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::{Value, json};
use switchboard_emulator::{CrmTlsConfig, serve_crm_tls};

#[tokio::test]
async fn contacts_activities_and_faults() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let http = reqwest::Client::new();
    let found: Value = http.get(format!("{base}/crm/contacts?phone=%2B15551234567")).send().await.expect("crm").json().await.expect("json");
    assert_eq!(found["contacts"][0]["phone"], "+15551234567");
    let none: Value = http.get(format!("{base}/crm/contacts?phone=%2B4930555000")).send().await.expect("crm").json().await.expect("json");
    assert_eq!(none["contacts"], json!([]));
    assert_eq!(http.get(format!("{base}/crm/lookup?phone=%2B4930555000")).send().await.expect("crm").status(), 404);

    let activity = json!({"contactId": "contact-15551234567", "kind": "call", "subject": "Inbound call"});
    let post = |key: Option<&str>, body: &Value| {
        let mut request = http.post(format!("{base}/crm/activities")).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    let first = post(Some("call-1"), &activity).await.expect("crm");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let replay = post(Some("call-1"), &activity).await.expect("crm");
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.expect("json");
    assert_eq!(replay, first, "a replay returns the same record");
    let other = post(Some("call-2"), &activity).await.expect("crm");
    assert_eq!(other.status(), 201);
    assert_error(post(Some("call-1"), &json!({"subject": "changed"})).await.expect("crm"), 409, "conflict").await;
    assert_error(post(None, &activity).await.expect("crm"), 400, "bad.request").await;
    let status: Value = http.get(format!("{base}/crm/status")).send().await.expect("crm").json().await.expect("json");
    assert_eq!((status["status"].as_str(), status["activities"].as_u64()), (Some("ok"), Some(2)));

    let rule = json!({"path": "/crm/**", "status": 503});
    assert_eq!(emulator.control_client().post(format!("{base}/_emulator/faults")).json(&rule).send().await.expect("faults").status(), 201);
    assert_eq!(http.get(format!("{base}/crm/status")).send().await.expect("crm").status(), 503);
}

struct Pki {
    ca_pem: String,
    server_cert: String,
    server_key: String,
    client_identity: String,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key")).expect("ca");
    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("server params")
        .signed_by(&server_key, &ca)
        .expect("server cert");
    let client_key = KeyPair::generate().expect("client key");
    let client = CertificateParams::new(vec!["bridge.example.com".to_string()])
        .expect("client params")
        .signed_by(&client_key, &ca)
        .expect("client cert");
    Pki {
        ca_pem: ca.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_identity: format!("{}{}", client_key.serialize_pem(), client.pem()),
    }
}

#[tokio::test]
async fn mutual_tls_accepts_a_client_certificate_and_refuses_a_client_without_one() {
    let emulator = start_default().await;
    let pki = pki();
    let config = CrmTlsConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        cert_pem: pki.server_cert.clone(),
        key_pem: pki.server_key.clone(),
        client_ca_pem: Some(pki.ca_pem.clone()),
    };
    let server = serve_crm_tls(emulator.state(), config).await.expect("TLS listener starts");
    let root = reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).expect("ca");
    let identity = reqwest::Identity::from_pem(pki.client_identity.as_bytes()).expect("identity");
    let with_cert = reqwest::Client::builder().add_root_certificate(root.clone()).identity(identity).build().expect("client");
    let status: Value = with_cert
        .get(format!("{}/crm/status", server.base_url()))
        .send()
        .await
        .expect("mutual TLS is accepted")
        .json()
        .await
        .expect("json");
    assert_eq!(status["status"], "ok");
    assert_eq!(status["clientCertificate"], true);
    let health: Value = with_cert.get(format!("{}/health", server.base_url())).send().await.expect("health").json().await.expect("json");
    assert_eq!(health["live"], true, "the TLS listener serves /health too: {health}");

    let without_cert = reqwest::Client::builder().add_root_certificate(root).build().expect("client");
    let refused = without_cert.get(format!("{}/crm/status", server.base_url())).send().await;
    assert!(refused.is_err(), "a client without a certificate is refused: {refused:?}");
}

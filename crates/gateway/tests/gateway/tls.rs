//! Certificate rotation on disk: the files are swapped the way Kubernetes does it (a new
//! timestamped directory and an atomic rename of the `..data` symlink), and new connections
//! get the new certificate without a restart.

use crate::support::*;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use switchboard_emulator::EmulatorOptions;
use switchboard_gateway::TlsFiles;
use tokio_tungstenite::Connector;

/// A CA and a `localhost` certificate it signed: (CA PEM, certificate PEM, key PEM).
fn issue() -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|error| panic!("{error}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap_or_else(|error| panic!("{error}"))).unwrap_or_else(|error| panic!("{error}"));
    let key = KeyPair::generate().unwrap_or_else(|error| panic!("{error}"));
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .and_then(|params| params.signed_by(&key, &ca))
        .unwrap_or_else(|error| panic!("{error}"));
    (ca.pem(), cert.pem(), key.serialize_pem())
}

/// Writes a version directory and points `..data` at it atomically.
fn publish_version(dir: &Path, version: &str, cert: &str, key: &str) {
    let version_dir = dir.join(version);
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(&version_dir)?;
        std::fs::write(version_dir.join("tls.crt"), cert)?;
        std::fs::write(version_dir.join("tls.key"), key)?;
        let staging = dir.join("..data_tmp");
        let _ = std::fs::remove_file(&staging);
        std::os::unix::fs::symlink(version, &staging)?;
        std::fs::rename(&staging, dir.join("..data"))?;
        for name in ["tls.crt", "tls.key"] {
            if std::fs::symlink_metadata(dir.join(name)).is_err() {
                std::os::unix::fs::symlink(format!("..data/{name}"), dir.join(name))?;
            }
        }
        Ok(())
    })();
    if let Err(error) = result {
        panic!("publishing certificate version {version}: {error}");
    }
}

fn connector(ca_pem: &str) -> Connector {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.unwrap_or_else(|error| panic!("{error}"));
        roots.add(cert).unwrap_or_else(|error| panic!("{error}"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|error| panic!("{error}"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    Connector::Rustls(Arc::new(config))
}

async fn try_connect(port: u16, ca_pem: &str) -> Result<Desktop, String> {
    let url = format!("wss://localhost:{port}/?access_token={}", token("tls-agent", 60.0));
    tokio_tungstenite::connect_async_tls_with_config(url, None, false, Some(connector(ca_pem)))
        .await
        .map(|(socket, _)| socket)
        .map_err(|error| error.to_string())
}

#[tokio::test]
async fn a_rotated_certificate_is_served_to_new_connections() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let dir = temp_dir("tls");
    let (first_ca, first_cert, first_key) = issue();
    publish_version(&dir, "v1", &first_cert, &first_key);
    let mut config = gateway_config();
    config.tls = Some(TlsFiles { cert: dir.join("tls.crt"), key: dir.join("tls.key") });
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let port = gateway.addr().port();

    let mut desktop = match try_connect(port, &first_ca).await {
        Ok(desktop) => desktop,
        Err(error) => panic!("first certificate: {error}"),
    };
    send(&mut desktop, json!({"message": "ping"})).await;
    assert_eq!(message_of(&next_json(&mut desktop).await), Some("pong"));

    let (second_ca, second_cert, second_key) = issue();
    publish_version(&dir, "v2", &second_cert, &second_key);
    // The watcher polls every 50 ms: bounded attempts until the new certificate is served.
    let mut rotated = None;
    for _ in 0..200 {
        if let Ok(socket) = try_connect(port, &second_ca).await {
            rotated = Some(socket);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let Some(mut rotated) = rotated else { panic!("the new certificate was never served") };
    send(&mut rotated, json!({"message": "ping"})).await;
    assert_eq!(message_of(&next_json(&mut rotated).await), Some("pong"));
    assert!(try_connect(port, &first_ca).await.is_err(), "the old certificate is gone for new connections");
    // The session opened before the rotation is untouched.
    send(&mut desktop, json!({"message": "ping"})).await;
    assert_eq!(message_of(&next_json(&mut desktop).await), Some("pong"));
}

//! Mutual TLS to the CRM with certificate rotation on disk: the bridge starts with a client
//! certificate the CRM does not trust; the Secret volume's `..data` symlink is swapped to a
//! trusted one, as Kubernetes does; the next connection uses it, without a restart.

use crate::support::{TempDir, emulator};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::path::Path;
use std::time::Duration;
use switchboard_bridge::config::CrmTls;
use switchboard_bridge::crm::CrmClient;
use switchboard_emulator::{CrmTlsConfig, serve_crm_tls};

fn ca() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("ca key")).expect("ca")
}

/// (certificate PEM, key PEM) signed by `issuer`.
fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>, names: &[&str]) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(names.iter().map(|name| name.to_string()).collect::<Vec<_>>())
        .expect("params")
        .signed_by(&key, issuer)
        .expect("cert");
    (cert.pem(), key.serialize_pem())
}

/// Writes a Kubernetes-style Secret volume: `..<version>/{tls.crt,tls.key}`, `..data` → it,
/// and `tls.crt` → `..data/tls.crt`.
fn write_secret_volume(dir: &Path, version: &str, identity: &(String, String)) {
    let versioned = dir.join(format!("..{version}"));
    std::fs::create_dir_all(&versioned).expect("version dir");
    std::fs::write(versioned.join("tls.crt"), &identity.0).expect("cert");
    std::fs::write(versioned.join("tls.key"), &identity.1).expect("key");
    // The atomic swap: a new symlink renamed over `..data`.
    let staging = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&staging);
    std::os::unix::fs::symlink(format!("..{version}"), &staging).expect("symlink");
    std::fs::rename(&staging, dir.join("..data")).expect("swap ..data");
    for name in ["tls.crt", "tls.key"] {
        let link = dir.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(format!("..data/{name}"), &link).expect("file symlink");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_client_certificate_is_used_without_a_restart() {
    let emulator = emulator().await;
    let server_ca = ca();
    let old_ca = ca();
    let trusted_ca = ca();
    let server = leaf(&server_ca, &["127.0.0.1", "localhost"]);
    let config = CrmTlsConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        cert_pem: server.0.clone(),
        key_pem: server.1.clone(),
        client_ca_pem: Some(trusted_ca.pem()),
    };
    let crm_server = serve_crm_tls(emulator.state(), config).await.expect("CRM TLS listener");
    let dir = TempDir::new("tls");
    let volume = dir.path("crm-tls");
    std::fs::create_dir_all(&volume).expect("volume");
    std::fs::write(dir.path("server-ca.pem"), server_ca.pem()).expect("server ca");
    write_secret_volume(&volume, "2026_01", &leaf(&old_ca, &["bridge.example.com"]));
    let tls = CrmTls {
        ca_file: Some(dir.path("server-ca.pem")),
        identity: Some((volume.join("tls.crt"), volume.join("tls.key"))),
        reload_interval: Duration::from_millis(50),
    };
    let crm = std::sync::Arc::new(CrmClient::new(&format!("{}/crm", crm_server.base_url()), tls).expect("client"));
    let _reloader = crm.spawn_reloader();
    assert!(crm.status().await.is_err(), "a certificate from an untrusted CA is refused");

    write_secret_volume(&volume, "2026_02", &leaf(&trusted_ca, &["bridge.example.com"]));
    let started = std::time::Instant::now();
    let status = loop {
        if let Ok(status) = crm.status().await {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the rotated certificate was never used");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.client_certificate, "the CRM saw a verified client certificate");
    assert_eq!(crm.reloads(), 1);
}

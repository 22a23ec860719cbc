//! Throwaway RSA keys for the RS256 tests, made by `openssl` when the tests run, so no private key
//! lives in the repository (secret scanners stay quiet and nobody reuses a published key). Shared
//! by the unit tests (`src/jwt/tests.rs` includes this file) and the integration tests.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A signing key pair, and a second private key that plays a forger.
pub struct RsaKeys {
    pub private_pem: String,
    pub public_pem: String,
    pub forger_pem: String,
}

/// The keys of this test process (2,048-bit, generated once).
pub fn rsa_keys() -> &'static RsaKeys {
    static KEYS: OnceLock<RsaKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let private_pem = openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], None);
        let public_pem = openssl(&["pkey", "-pubout"], Some(&private_pem));
        let forger_pem = openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], None);
        RsaKeys { private_pem, public_pem, forger_pem }
    })
}

fn openssl(arguments: &[&str], input: Option<&str>) -> String {
    let mut child = Command::new("openssl")
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("the RS256 tests need the openssl command: {error}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.unwrap_or_default().as_bytes()).unwrap_or_else(|error| panic!("openssl stdin: {error}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|error| panic!("openssl: {error}"));
    assert!(output.status.success(), "openssl {arguments:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap_or_else(|error| panic!("openssl wrote non-UTF-8 PEM: {error}"))
}

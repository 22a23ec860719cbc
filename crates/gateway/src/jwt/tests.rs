use super::*;

fn key(kid: &str, secret: &str) -> Key {
    Key::new(kid, secret.as_bytes())
}

#[test]
fn a_minted_token_verifies_and_a_forged_or_expired_one_does_not() {
    let good = key("k1", "secret-one");
    let token = mint_for("agent-1", 60.0, &good);
    let claims = verify(&token, std::slice::from_ref(&good), now_seconds());
    assert_eq!(claims.map(|claims| claims.sub), Ok("agent-1".to_string()));

    let forger = key("k1", "guessed");
    let forged = mint_for("agent-1", 60.0, &forger);
    assert_eq!(verify(&forged, std::slice::from_ref(&good), now_seconds()), Err(JwtError::BadSignature));

    let expired = mint(&Claims { sub: "agent-1".into(), exp: now_seconds() - 1.0, iat: None }, &good);
    assert_eq!(verify(&expired, std::slice::from_ref(&good), now_seconds()), Err(JwtError::Expired));
}

#[test]
fn alg_none_and_garbage_are_refused_before_any_signature_check() {
    let good = key("k1", "secret");
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let body = URL_SAFE_NO_PAD.encode(r#"{"sub":"a","exp":9999999999}"#);
    let unsigned = format!("{header}.{body}.");
    assert_eq!(verify(&unsigned, std::slice::from_ref(&good), 0.0), Err(JwtError::Algorithm("none".into())));
    assert_eq!(verify("not-a-token", std::slice::from_ref(&good), 0.0), Err(JwtError::Malformed));
    assert_eq!(verify("a.b.c", &[], 0.0), Err(JwtError::NoKeys));
}

#[test]
fn any_key_of_the_ring_may_sign_and_kid_selects() {
    let old = key("old", "one");
    let new = key("new", "two");
    let ring = vec![old.clone(), new.clone()];
    assert!(verify(&mint_for("a", 10.0, &old), &ring, now_seconds()).is_ok());
    assert!(verify(&mint_for("a", 10.0, &new), &ring, now_seconds()).is_ok());
    assert_eq!(verify(&mint_for("a", 10.0, &new), std::slice::from_ref(&old), now_seconds()), Err(JwtError::BadSignature));
}

const PUBLIC_PEM: &str = include_str!("../../tests/fixtures/test-rs256-public.pem");
const PRIVATE_PEM: &str = include_str!("../../tests/fixtures/test-rs256-private.pem");
const FORGER_PEM: &str = include_str!("../../tests/fixtures/test-rs256-other-private.pem");

fn rsa() -> (Key, RsaSigner) {
    let public = Key::rsa_public_pem("idp", PUBLIC_PEM.as_bytes());
    let signer = RsaSigner::from_pem("idp", PRIVATE_PEM.as_bytes());
    match (public, signer) {
        (Ok(public), Ok(signer)) => (public, signer),
        (public, signer) => panic!("test keys: {:?} {:?}", public.err(), signer.err()),
    }
}

#[test]
fn an_rs256_token_verifies_with_the_public_key_and_a_forged_one_does_not() {
    let (public, signer) = rsa();
    assert_eq!(public.algorithm(), "RS256");
    let token = signer.mint_for("agent-1", 60.0);
    assert_eq!(verify(&token, std::slice::from_ref(&public), now_seconds()).map(|claims| claims.sub), Ok("agent-1".to_string()));

    let forger = RsaSigner::from_pem("idp", FORGER_PEM.as_bytes()).map_err(|error| error.to_string());
    let forged = forger.map(|forger| forger.mint_for("agent-1", 60.0));
    assert_eq!(forged.map(|forged| verify(&forged, std::slice::from_ref(&public), now_seconds())), Ok(Err(JwtError::BadSignature)));

    // A changed claim breaks the signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(r#"{"sub":"agent-2","exp":9999999999}"#);
    assert_eq!(verify(&parts.join("."), std::slice::from_ref(&public), now_seconds()), Err(JwtError::BadSignature));

    let expired = signer.mint(&Claims { sub: "agent-1".into(), exp: now_seconds() - 1.0, iat: None });
    assert_eq!(verify(&expired, std::slice::from_ref(&public), now_seconds()), Err(JwtError::Expired));
}

#[test]
fn an_rsa_public_key_is_never_used_as_an_hmac_secret() {
    // The classic confusion: sign HS256 with the public key's bytes (which the attacker has).
    let (public, _) = rsa();
    let confused = mint_for("agent-1", 60.0, &Key::new("idp", PUBLIC_PEM.as_bytes()));
    assert_eq!(verify(&confused, std::slice::from_ref(&public), now_seconds()), Err(JwtError::BadSignature));
    let confused = mint_for("agent-1", 60.0, &Key::new("idp", PUBLIC_PEM.trim().as_bytes()));
    assert_eq!(verify(&confused, std::slice::from_ref(&public), now_seconds()), Err(JwtError::BadSignature));
    // And an HS256 key does not verify an RS256 token of the same kid.
    let (_, signer) = rsa();
    let hmac_only = key("idp", "secret");
    assert_eq!(verify(&signer.mint_for("a", 60.0), std::slice::from_ref(&hmac_only), now_seconds()), Err(JwtError::BadSignature));
}

#[test]
fn only_rsa_public_keys_of_a_usable_size_load() {
    assert!(matches!(Key::rsa_public_pem("x", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), Err(KeyParseError::NotRsa | KeyParseError::Pem(_))));
    assert!(matches!(Key::rsa_public_pem("x", PRIVATE_PEM.as_bytes()), Err(KeyParseError::Pem(_))));
    // An EC public key (P-256) is refused as not RSA.
    let ec = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n";
    assert_eq!(Key::rsa_public_pem("x", ec.as_bytes()).err(), Some(KeyParseError::NotRsa));
    // A 1,024-bit RSA key is too weak for ring's RS256 (2,048 to 8,192 bits): refused at load.
    let small = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDV7M3CorIVIDBBClnearS8NHTN\nsguzyMTHvwDMNfSXbC2J/rbuiVVpzMyKXyiIIgl5rBy5LASqGhhA5Q58RjTgHq3t\nwN0FCCzhvDlU0HlDfvVIrXXo6bIAAXwnxB7oGGzYEhDDFWGnGUwsQc1inZ5UeO07\n1KHYwoDu7sh8FL+SlwIDAQAB\n-----END PUBLIC KEY-----\n";
    assert!(matches!(Key::rsa_public_pem("x", small.as_bytes()), Err(KeyParseError::Rejected(reason)) if reason.contains("1024-bit")));
}

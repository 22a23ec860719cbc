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

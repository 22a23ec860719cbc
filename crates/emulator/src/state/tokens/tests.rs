//! The token book: expiry, revocation by client, and bounded growth.

use super::{TokenBook, TokenRefusal};
use crate::clock::Clock;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn expired_tokens_are_dropped_as_new_ones_are_issued() {
    let mut book = TokenBook::new(Clock::default());
    let old = book.issue("org", "client", Duration::from_secs(10));
    tokio::time::advance(Duration::from_secs(11)).await;
    assert_eq!(book.check(&old), Err(TokenRefusal::Expired));
    let fresh = book.issue("org", "client", Duration::from_secs(10));
    assert_eq!(book.check(&old), Err(TokenRefusal::Unknown), "dropped when the next token was issued");
    assert!(book.check(&fresh).is_ok());
    assert_eq!(book.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn revoking_a_client_ends_its_tokens_only() {
    let mut book = TokenBook::new(Clock::default());
    let gone = book.issue("org", "deleted", Duration::from_secs(60));
    let kept = book.issue("org", "other", Duration::from_secs(60));
    let other_org = book.issue("org-2", "deleted", Duration::from_secs(60));
    book.revoke_client("org", "deleted");
    assert_eq!(book.check(&gone), Err(TokenRefusal::Unknown));
    assert!(book.check(&kept).is_ok());
    assert!(book.check(&other_org).is_ok());
    // A revoked token still in the expiry heap is skipped when it surfaces.
    tokio::time::advance(Duration::from_secs(61)).await;
    book.issue("org", "other", Duration::from_secs(60));
    assert_eq!(book.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_book_never_holds_more_than_its_limit() {
    let mut book = TokenBook::new(Clock::default());
    let first = book.issue("org", "client", Duration::from_secs(3_600));
    // Later tokens expire later, so the first is the one closest to expiry.
    tokio::time::advance(Duration::from_millis(1)).await;
    for _ in 0..crate::limits::TOKENS_LIVE_MAX {
        book.issue("org", "client", Duration::from_secs(3_600));
    }
    assert_eq!(book.len(), crate::limits::TOKENS_LIVE_MAX);
    assert_eq!(book.check(&first), Err(TokenRefusal::Unknown), "the token closest to expiry made room");
}

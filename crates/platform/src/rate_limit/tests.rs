use super::*;

fn snapshot(remaining: u32, reset_secs: u64) -> RateSnapshot {
    RateSnapshot { limit: Some(300), remaining, reset_in: Duration::from_secs(reset_secs) }
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(3600)
}

#[tokio::test(start_paused = true)]
async fn plenty_left_admits_up_to_max_in_flight() {
    let limiter = AdaptiveLimiter::new(RateLimitConfig { max_in_flight: 3, ..Default::default() });
    let first = limiter.acquire(far()).await;
    assert!(first.is_ok());
    limiter.observe(snapshot(200, 30));
    let second = limiter.acquire(far()).await;
    let third = limiter.acquire(far()).await;
    assert!(second.is_ok() && third.is_ok());
    // The fourth waits for a free slot: with a near deadline it gives up.
    let fourth = limiter.acquire(Instant::now() + Duration::from_millis(10)).await;
    assert!(fourth.is_err());
}

#[tokio::test(start_paused = true)]
async fn low_remaining_holds_until_reset_then_resumes() {
    let limiter = AdaptiveLimiter::new(RateLimitConfig::default());
    {
        let _permit = limiter.acquire(far()).await;
        limiter.observe(snapshot(5, 20));
    }
    let started = Instant::now();
    // A deadline before the reset fails fast instead of sleeping in vain.
    assert!(limiter.acquire(started + Duration::from_secs(5)).await.is_err());
    let permit = limiter.acquire(far()).await;
    assert!(permit.is_ok());
    assert!(Instant::now() - started >= Duration::from_secs(20), "resumed only after the reset");
    // Narrowed: while the probe is out, nobody else goes.
    assert!(limiter.acquire(Instant::now() + Duration::from_millis(10)).await.is_err());
    limiter.observe(snapshot(299, 60));
    drop(permit);
    // A fresh window widens again.
    let a = limiter.acquire(far()).await;
    let b = limiter.acquire(far()).await;
    assert!(a.is_ok() && b.is_ok());
}

#[tokio::test(start_paused = true)]
async fn estimate_counts_requests_in_flight() {
    let limiter = AdaptiveLimiter::new(RateLimitConfig { max_in_flight: 8, ..Default::default() });
    let mut permits = Vec::new();
    for _ in 0..6 {
        permits.push(limiter.acquire(far()).await);
    }
    // 14 left but 5 others in flight: only 9 truly spare, below the low water mark.
    limiter.observe(snapshot(14, 30));
    drop(permits);
    assert!(limiter.acquire(Instant::now() + Duration::from_secs(1)).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn throttled_holds_for_retry_after() {
    let limiter = AdaptiveLimiter::new(RateLimitConfig::default());
    limiter.throttled(Some(Duration::from_secs(3)));
    let started = Instant::now();
    assert!(limiter.acquire(far()).await.is_ok());
    assert!(Instant::now() - started >= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn tiny_limits_stay_usable() {
    let limiter = AdaptiveLimiter::new(RateLimitConfig::default());
    {
        let _permit = limiter.acquire(far()).await;
        limiter.observe(RateSnapshot { limit: Some(5), remaining: 3, reset_in: Duration::from_secs(60) });
    }
    // Low water is capped at limit/4 = 1, so 3 left still admits without waiting.
    let started = Instant::now();
    assert!(limiter.acquire(far()).await.is_ok());
    assert_eq!(Instant::now(), started);
}

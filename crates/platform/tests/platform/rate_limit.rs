//! Rate limiting: against a small limit the client holds requests until the window resets
//! instead of drawing 429s. The emulator's window is shortened to 4 s (a minute on the real
//! platform) so the test crosses a window boundary in seconds; the client only reads the headers,
//! so the window length is the server's business.

use futures_util::StreamExt;
use futures_util::stream;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

use crate::support::{CHILD, client_for, ok, start};

#[tokio::test]
async fn the_client_adapts_to_the_limit_without_drawing_429s() {
    let limit = 24;
    let emulator = start(EmulatorOptions {
        rate_limit_per_minute: limit,
        rate_limit_window: std::time::Duration::from_secs(4),
        ..EmulatorOptions::default()
    })
    .await;
    let client = client_for(&emulator, CHILD);
    // More calls than two windows allow, so the limiter must hold twice.
    let total = 2 * limit as usize + 6;
    // Four callers at a time, more calls than one window allows.
    let outcomes: Vec<_> = stream::iter(0..total)
        .map(|_| {
            let client = client.clone();
            async move { client.orgs().me().await }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    for outcome in outcomes {
        ok("call under the limit", outcome);
    }
    let stats = client.stats();
    assert_eq!(stats.throttled, 0, "the limiter held requests instead of drawing 429s: {stats:?}");
    assert_eq!(stats.attempts, total as u64);
    emulator.shutdown().await;
}

//! Connection hygiene for every listener the emulator runs (the API and the CRM's TLS
//! listener): a timeout for reading a request's headers (which also closes idle keep-alive
//! connections, as hyper starts it while waiting for the next request), for reading its body,
//! and for a TLS handshake, so one slow or silent client cannot hold a socket forever.

use axum::body::Body;
use timed_body::TimedBody;
use std::time::Duration;

/// Timeouts of one listener's connections. Defaults: 30 s for headers and idle keep-alive,
/// 60 s for a body, 10 s for a TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// From the moment the connection waits for a request until its headers are complete. A
    /// WebSocket handshake is an HTTP upgrade request, so this bounds it too.
    pub header_read: Duration,
    /// From the headers until the body's last byte.
    pub body_read: Duration,
    /// A TLS handshake (the CRM's TLS listener).
    pub tls_handshake: Duration,
}

impl Default for ConnectionTimeouts {
    fn default() -> Self {
        ConnectionTimeouts {
            header_read: Duration::from_secs(30),
            body_read: Duration::from_secs(60),
            tls_handshake: Duration::from_secs(10),
        }
    }
}

/// The hyper http1 builder every listener uses: tokio timer, header-read timeout, and a
/// bounded header size (431 from hyper above it).
pub fn http1(timeouts: &ConnectionTimeouts) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .max_header_size(crate::limits::HEADER_BYTES_MAX);
    builder
}

/// A request with its body wrapped in the body-read timeout, as axum takes it.
pub fn timed<B>(request: hyper::Request<B>, timeout: Duration) -> hyper::Request<Body>
where
    B: http_body::Body<Data = timed_body::Bytes> + Send + Unpin + 'static,
    B::Error: Into<axum::BoxError>,
{
    request.map(|body| Body::new(TimedBody::new(body, timeout)))
}

/// The body wrapper (a module of its own so the pinning stays in one place).
mod timed_body {
    pub use axum::body::Bytes;
    use http_body::{Body, Frame, SizeHint};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    /// A request body that fails with "timed out" when it is not complete within its time.
    pub struct TimedBody<B> {
        inner: B,
        deadline: Pin<Box<tokio::time::Sleep>>,
    }

    impl<B> TimedBody<B> {
        pub fn new(inner: B, timeout: Duration) -> Self {
            TimedBody { inner, deadline: Box::pin(tokio::time::sleep(timeout)) }
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("the request body was not received within the body-read timeout")]
    pub struct BodyTimeout;

    impl<B> Body for TimedBody<B>
    where
        B: Body<Data = Bytes> + Unpin,
        B::Error: Into<axum::BoxError>,
    {
        type Data = Bytes;
        type Error = axum::BoxError;

        fn poll_frame(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            let this = self.get_mut();
            match Pin::new(&mut this.inner).poll_frame(context) {
                Poll::Ready(frame) => Poll::Ready(frame.map(|result| result.map_err(Into::into))),
                Poll::Pending => match this.deadline.as_mut().poll(context) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
                    Poll::Pending => Poll::Pending,
                },
            }
        }

        fn is_end_stream(&self) -> bool {
            self.inner.is_end_stream()
        }

        fn size_hint(&self) -> SizeHint {
            self.inner.size_hint()
        }
    }
}

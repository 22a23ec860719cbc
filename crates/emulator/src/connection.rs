//! Connection hygiene for every listener the emulator runs (the API and the CRM's TLS
//! listener): a timeout for reading a request's headers (which also closes idle keep-alive
//! connections, as hyper starts it while waiting for the next request), for reading its body,
//! for a TLS handshake, and for a write that makes no progress (a client that never reads its
//! responses), so one slow or silent client cannot hold a socket forever.

use axum::body::Body;
use std::time::Duration;
use timed_body::TimedBody;

/// Timeouts of one listener's connections. Defaults: 30 s for headers and idle keep-alive,
/// 60 s for a body, 10 s for a TLS handshake, 30 s for a stalled write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// From the moment the connection waits for a request until its headers are complete. A
    /// WebSocket handshake is an HTTP upgrade request, so this bounds it too.
    pub header_read: Duration,
    /// From the headers until the body's last byte.
    pub body_read: Duration,
    /// A TLS handshake (the CRM's TLS listener).
    pub tls_handshake: Duration,
    /// How long a write may make no progress (the peer's receive window stays full) before the
    /// connection is dropped; WebSocket frames after an upgrade included.
    pub write_stall: Duration,
}

impl Default for ConnectionTimeouts {
    fn default() -> Self {
        ConnectionTimeouts {
            header_read: Duration::from_secs(30),
            body_read: Duration::from_secs(60),
            tls_handshake: Duration::from_secs(10),
            write_stall: Duration::from_secs(30),
        }
    }
}

/// The hyper http1 builder every listener uses: tokio timer, header-read timeout, and hyper's
/// header size cap set to the outer hard limit (`limits::HEADER_BYTES_HARD_MAX`), so heads over
/// our own limit but under the cap reach `limits::head` and get the Genesys 431 body.
pub fn http1(timeouts: &ConnectionTimeouts) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .max_header_size(crate::limits::HEADER_BYTES_HARD_MAX);
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

pub use write_stall::WriteStallGuard;

/// A connection's IO with the write-stall timeout (a module of its own, like the body wrapper).
mod write_stall {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    /// Writes that stay pending for `stall` fail with `TimedOut`, so hyper drops the connection.
    /// Any progress restarts the clock; reads are untouched (their timeouts are hyper's).
    pub struct WriteStallGuard<S> {
        inner: S,
        stall: Duration,
        deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    }

    impl<S> WriteStallGuard<S> {
        pub fn new(inner: S, stall: Duration) -> Self {
            WriteStallGuard { inner, stall, deadline: None }
        }

        /// Passes a ready result through (clearing the clock); on pending, starts or checks it.
        fn guard<T>(&mut self, context: &mut Context<'_>, result: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
            if result.is_ready() {
                self.deadline = None;
                return result;
            }
            let stall = self.stall;
            let deadline = self.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
            match deadline.as_mut().poll(context) {
                Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the peer read nothing within the write-stall timeout",
                ))),
                Poll::Pending => Poll::Pending,
            }
        }
    }

    impl<S: AsyncRead + Unpin> AsyncRead for WriteStallGuard<S> {
        fn poll_read(self: Pin<&mut Self>, context: &mut Context<'_>, buffer: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.get_mut().inner).poll_read(context, buffer)
        }
    }

    impl<S: AsyncWrite + Unpin> AsyncWrite for WriteStallGuard<S> {
        fn poll_write(self: Pin<&mut Self>, context: &mut Context<'_>, buffer: &[u8]) -> Poll<std::io::Result<usize>> {
            let this = self.get_mut();
            let result = Pin::new(&mut this.inner).poll_write(context, buffer);
            this.guard(context, result)
        }
        fn poll_write_vectored(self: Pin<&mut Self>, context: &mut Context<'_>, buffers: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
            let this = self.get_mut();
            let result = Pin::new(&mut this.inner).poll_write_vectored(context, buffers);
            this.guard(context, result)
        }
        fn is_write_vectored(&self) -> bool {
            self.inner.is_write_vectored()
        }
        fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            let this = self.get_mut();
            let result = Pin::new(&mut this.inner).poll_flush(context);
            this.guard(context, result)
        }
        fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            let this = self.get_mut();
            let result = Pin::new(&mut this.inner).poll_shutdown(context);
            this.guard(context, result)
        }
    }
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

//! The downstream side: accepting desktops (`listener`: address limits, TLS, handshake,
//! authentication) and serving each one (`session`: frames in, queued events out, timers).

pub mod auth;
pub mod listener;
pub mod session;

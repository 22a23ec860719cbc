//! A real `redis-server` on a free loopback port in a temp dir, stopped on drop. Without the
//! binary the tests fail (`apt-get install -y redis-server`), unless `SWITCHBOARD_UNAVAILABLE`
//! lists `redis` (set by `cargo xtask test` on a machine without it, which then names the gap).

use crate::support::TempDir;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub url: String,
    _dir: TempDir,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Option<RedisServer> {
    let binary = std::env::var("SWITCHBOARD_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
    if Command::new(&binary).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        // Missing, the test fails: only a runner that declared Redis unavailable (and says so in
        // its summary, as `cargo xtask test` does) may let it pass without running.
        if declared_unavailable("redis") {
            eprintln!("skipped: {binary} is not installed, declared unavailable by SWITCHBOARD_UNAVAILABLE");
            return None;
        }
        panic!("{binary} is not installed (apt-get install -y redis-server, or set SWITCHBOARD_REDIS_SERVER)");
    }
    let dir = TempDir::new("redis");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("free port").port();
    let child = Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(&dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "redis-server never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(RedisServer { child, url: format!("redis://127.0.0.1:{port}"), _dir: dir })
}

/// The runner says this group's prerequisite is missing on purpose (`SWITCHBOARD_UNAVAILABLE`).
fn declared_unavailable(group: &str) -> bool {
    std::env::var("SWITCHBOARD_UNAVAILABLE").is_ok_and(|groups| groups.split(',').any(|listed| listed.trim() == group))
}

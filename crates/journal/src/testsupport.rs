//! A throwaway PostgreSQL server for tests (feature `testsupport`): `initdb` into a temp dir,
//! `pg_ctl start` on a free loopback port with its socket in that dir, one fresh database per
//! caller, stopped and removed on drop. Run as the `postgres` user when the tests run as root
//! (PostgreSQL refuses root). Without the PostgreSQL binaries [`PostgresServer::start`] is an
//! error (`apt-get install -y postgresql`), unless `SWITCHBOARD_UNAVAILABLE` lists `postgres`
//! (set by `cargo xtask test` on a machine without it, which then names the gap): then `None`.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct PostgresServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// `Some((uid, gid))` of the `postgres` user when we are root and must drop to it.
    run_as: Option<(u32, u32)>,
    databases: AtomicU32,
}

/// The directory holding `initdb` and `pg_ctl`: `SWITCHBOARD_PG_BIN`, `pg_config --bindir`, the
/// newest `/usr/lib/postgresql/*/bin` (Debian), then `PATH`.
pub fn postgres_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("SWITCHBOARD_PG_BIN").map(PathBuf::from) {
        return has_tools(&dir).then_some(dir);
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_tools(&dir) {
            return Some(dir);
        }
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| has_tools(dir)))
}

/// The uid and gid of `user` from /etc/passwd.
fn user_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.first() != Some(&user) || fields.len() < 4 {
            return None;
        }
        Some((fields[2].parse().ok()?, fields[3].parse().ok()?))
    })
}

/// The runner says this group's prerequisite is missing on purpose (`SWITCHBOARD_UNAVAILABLE`).
fn declared_unavailable(group: &str) -> bool {
    std::env::var("SWITCHBOARD_UNAVAILABLE").is_ok_and(|groups| groups.split(',').any(|listed| listed.trim() == group))
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|error| format!("free port: {error}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| format!("free port: {error}"))
}

impl PostgresServer {
    /// Starts a server; `None` (after printing why) only when PostgreSQL is missing and declared so.
    /// Any other failure is an `Err` naming the step and PostgreSQL's own output.
    pub fn start() -> Result<Option<PostgresServer>, String> {
        let Some(bin) = postgres_bin_dir() else {
            // Missing, the test fails: only a runner that declared PostgreSQL unavailable (and
            // says so in its summary, as `cargo xtask test` does) may let it pass without running.
            if declared_unavailable("postgres") {
                eprintln!("skipped: PostgreSQL is not installed, declared unavailable by SWITCHBOARD_UNAVAILABLE");
                return Ok(None);
            }
            return Err("PostgreSQL is not installed (apt-get install -y postgresql, or set SWITCHBOARD_PG_BIN)".into());
        };
        let is_root = std::fs::metadata("/proc/self")
            .map(|meta| meta.uid() == 0)
            .unwrap_or(false);
        let run_as =
            if is_root {
                Some(user_ids("postgres").ok_or(
                    "running as root and there is no `postgres` user to run PostgreSQL as",
                )?)
            } else {
                None
            };
        let dir =
            std::env::temp_dir().join(format!("switchboard-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .map_err(|error| format!("create {}: {error}", dir.display()))?;
        let mut server = PostgresServer {
            bin,
            dir,
            port: 0,
            run_as,
            databases: AtomicU32::new(0),
        };
        if let Some((uid, gid)) = server.run_as {
            std::os::unix::fs::chown(&server.dir, Some(uid), Some(gid))
                .map_err(|error| format!("chown {}: {error}", server.dir.display()))?;
        }
        let data = server.data_dir();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        // A port found free can be taken before the server binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            server.port = free_port()?;
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=50",
                server.port,
                server.dir.display()
            );
            let log = server.dir.join("server.log").display().to_string();
            match server.run(
                "pg_ctl",
                &[
                    "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
                ],
            ) {
                Ok(()) => return Ok(Some(server)),
                Err(error) => {
                    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                    last_error = format!("{error}\n{log_text}");
                }
            }
        }
        Err(last_error)
    }

    fn data_dir(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let mut command = match self.run_as {
            Some(_) => {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(&program);
                command
            }
            None => Command::new(&program),
        };
        // The server must not inherit the test's stdout (the harness would wait for it to close).
        let output = command
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|error| format!("{tool}: {error}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Restarts the server (same port, same data): clients lose their connections.
    pub fn restart(&self) -> Result<(), String> {
        let data = self.data_dir();
        let log = self.dir.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-m", "fast", "-w", "-t", "60", "restart",
            ],
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a new, empty database and returns its URL.
    pub async fn fresh_database(&self) -> Result<String, String> {
        let name = format!("journal_{}", self.databases.fetch_add(1, Ordering::SeqCst));
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .map_err(|error| format!("connect to test postgres: {error}"))?;
        let driver = tokio::spawn(connection);
        let created = client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|error| format!("create database {name}: {error}"));
        drop(client);
        let _ = driver.await;
        created.map(|()| self.url(&name))
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let data = self.data_dir();
        if let Err(error) = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]) {
            eprintln!("test postgres did not stop: {error}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

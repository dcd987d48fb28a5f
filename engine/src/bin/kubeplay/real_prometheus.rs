//! A real Prometheus (the `prometheus` and `promtool` on PATH) serving the
//! samples of one of our stores, for side-by-side checks and the PromQL
//! benchmark. Native only: it writes files and starts processes, which the
//! engine never does. `engine/tests/prometheus_oracle.rs` includes this
//! file too, so the test and `kubeplay bench promql` load data the same way.

use engine::openmetrics;
use engine::promql::Storage;
use std::io::{BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prometheus on 127.0.0.1 with its own temporary storage; it is
/// killed and its directory removed when this is dropped.
pub struct RealPrometheus {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// Whether both programs are on PATH.
pub fn installed() -> bool {
    ["prometheus", "promtool"]
        .iter()
        .all(|p| Command::new(p).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok())
}

impl RealPrometheus {
    /// Writes `storage` as OpenMetrics, backfills blocks from it with
    /// promtool, and starts Prometheus on them, waiting until it is ready.
    pub fn start(storage: &Storage) -> Result<Self, String> {
        let dir = temp_dir()?;
        let started = Self::start_in(storage, &dir);
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        started
    }

    fn start_in(storage: &Storage, dir: &Path) -> Result<Self, String> {
        let om = dir.join("data.om");
        {
            let file = std::fs::File::create(&om).map_err(|e| format!("{}: {e}", om.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let mut failed = None;
            openmetrics::write_each(storage, |chunk| {
                if failed.is_none() {
                    if let Err(e) = w.write_all(chunk.as_bytes()) {
                        failed = Some(e);
                    }
                }
            });
            if let Some(e) = failed {
                return Err(format!("writing {}: {e}", om.display()));
            }
            w.flush().map_err(|e| format!("writing {}: {e}", om.display()))?;
        }
        let data = dir.join("tsdb");
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&om)
            .arg(&data)
            .output()
            .map_err(|e| format!("running promtool: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "promtool tsdb create-blocks-from openmetrics failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let _ = std::fs::remove_file(&om);
        let config = dir.join("prometheus.yml");
        // No scrape jobs: the server holds only the backfilled blocks.
        std::fs::write(&config, "global:\n  scrape_interval: 15s\n").map_err(|e| e.to_string())?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("prometheus.log")).map_err(|e| e.to_string())?;
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            // The blocks hold the playground's 2026 clock; keep them whatever
            // the machine's date is.
            .arg("--storage.tsdb.retention.time=100y")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--query.max-samples=500000000")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting prometheus: {e}"))?;
        let mut server = RealPrometheus { child, port, dir: dir.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok((200, _)) = server.get("/-/ready") {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
                return Err(format!("prometheus exited with {status}:\n{log}"));
            }
            if Instant::now() > deadline {
                return Err("prometheus was not ready after 120 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `GET path` over plain HTTP/1.0 (so the answer is never chunked):
    /// the status code and the body.
    pub fn get(&self, path_and_query: &str) -> Result<(u16, String), String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_secs(600))).map_err(|e| e.to_string())?;
        write!(stream, "GET {path_and_query} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port)
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP header in the answer")?;
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no HTTP status")?;
        Ok((status, body.to_string()))
    }

    /// `/api/v1/query` at `time_ms`.
    // The benchmark asks only range queries; the side-by-side test, which
    // includes this file, asks both.
    #[allow(dead_code)]
    pub fn query(&self, query: &str, time_ms: i64) -> Result<(u16, String), String> {
        self.get(&format!("/api/v1/query?query={}&time={}", encode(query), seconds(time_ms)))
    }

    /// `/api/v1/query_range`.
    pub fn query_range(&self, query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Result<(u16, String), String> {
        self.get(&range_path(query, start_ms, end_ms, step_ms))
    }
}

/// The path and query string of a range query.
pub fn range_path(query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> String {
    format!(
        "/api/v1/query_range?query={}&start={}&end={}&step={}",
        encode(query),
        seconds(start_ms),
        seconds(end_ms),
        seconds(step_ms)
    )
}

impl Drop for RealPrometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

/// Percent-encoding for a query-string value: everything but the
/// unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn temp_dir() -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("kubeplay-prometheus-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

//! The built `hearth` binary as a process of its own, for tests that kill it or read its
//! memory from `/proc`: started on a fresh loopback port with a database and a data directory,
//! waited for until `/healthz` answers, killed (SIGKILL) when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hearth_store::testing::TestDatabase;

/// A running `hearth serve`.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client for it.
    pub http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Server {
    /// Starts hearth on `db` with `dir` as its data directory, logging to `dir/<log>`, with
    /// extra environment variables, and waits until it answers `/healthz`.
    pub async fn start(db: &TestDatabase, dir: &Path, log: &str, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(dir.join(log)).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir)
            .env("HEARTH_DATABASE__URL", &db.url)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start hearth");
        let server = Server {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let healthy = server
                .http
                .get(format!("{}/healthz", server.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if healthy {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "hearth did not become healthy; see {}",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("a running server").id()
    }

    /// SIGKILL, by the process's id: no shutdown, no flushing, no goodbye to the database.
    #[allow(dead_code)] // not every test binary kills
    pub fn kill(&mut self) {
        let mut c = self.child.take().expect("a running server");
        let killed = Command::new("kill")
            .args(["-KILL", &c.id().to_string()])
            .status()
            .expect("kill -KILL");
        assert!(killed.success(), "kill -KILL {}", c.id());
        let status = c.wait().expect("reap");
        assert!(
            !status.success(),
            "hearth was killed, not stopped: {status}"
        );
    }

    /// `VmRSS` and `VmHWM` (the peak) of the process, in bytes.
    #[allow(dead_code)] // not every test binary reads memory
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("read /proc status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .expect("memory field")
                * 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

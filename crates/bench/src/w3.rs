//! W3, idle sessions: open as many gateway sessions as the server accepts, hold them with
//! heartbeats, and weigh them in the server's resident memory.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio_tungstenite::tungstenite::Message;

use crate::api::{run_prefix, Api};
use crate::gateway;
use crate::procfs::{open_files_limit, vm_rss_kib_sum, CpuMeter};
use crate::stats::{self, Errors, Summary};
use crate::w2::Rng;

/// W3 settings.
#[derive(Debug, Clone, clap::Args)]
pub struct W3 {
    /// Sessions to open.
    #[arg(long, default_value_t = 5_000)]
    pub sessions: usize,
    /// Accounts the sessions are spread over (each is in one guild, so each session gets
    /// READY and one GUILD_CREATE).
    #[arg(long, default_value_t = 4)]
    pub accounts: usize,
    /// Sessions being opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to hold the sessions open (heartbeating) once they are all opened.
    #[arg(long, default_value_t = 10)]
    pub hold: u64,
    /// Stop opening sessions after this many failures.
    #[arg(long, default_value_t = 50)]
    pub max_failures: usize,
}

enum Opened {
    Ready { ready_us: u64, took_us: u64 },
    Failed { kind: String, detail: String },
    Skipped,
}

pub async fn run(api: &Api, w: &W3, server_pids: &[u32]) -> Result<Value, String> {
    let prefix = run_prefix("w3");
    let accounts = w.accounts.max(1);
    eprintln!("w3: registering {} accounts", accounts + 1);
    let tokens = api.register_many(&prefix, accounts + 1, 16).await?;
    let (owner, rest) = tokens.split_first().ok_or("no accounts")?;
    api.guild_with(&format!("{prefix}guild"), owner, rest)
        .await?;
    let fd_limit = open_files_limit();
    if let Some(limit) = fd_limit {
        if (limit as usize) < w.sessions + 64 {
            eprintln!(
                "w3: warning: this process may open {limit} files; {} sessions need about {}",
                w.sessions,
                w.sessions + 64
            );
        }
    }
    // Let the server settle after registration before weighing it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = vm_rss_kib_sum(server_pids);
    let cpu = CpuMeter::start(server_pids);

    eprintln!(
        "w3: opening {} sessions, {} at a time",
        w.sessions, w.concurrency
    );
    let opening = Arc::new(Opening {
        url: api.gateway.clone(),
        tokens: rest.to_vec(),
        gate: Semaphore::new(w.concurrency.max(1)),
        failures: AtomicUsize::new(0),
        give_up: AtomicBool::new(false),
        alive: AtomicUsize::new(0),
        max_failures: w.max_failures,
        epoch: Instant::now(),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let (res_tx, res_rx) = mpsc::unbounded_channel::<Opened>();
    let holders: Vec<_> = (0..w.sessions)
        .map(|i| tokio::spawn(hold(opening.clone(), i, res_tx.clone(), stop_rx.clone())))
        .collect();
    drop(res_tx);
    let mut opens = Opens::collect(res_rx, w.sessions).await;
    let open_time = Duration::from_micros(opens.last_ready_us);
    let open_cpu = cpu.used().total();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = vm_rss_kib_sum(server_pids);
    eprintln!(
        "w3: {} sessions ready in {:.2} s; holding {} s",
        opens.ready,
        open_time.as_secs_f64(),
        w.hold
    );
    let hold_until = Instant::now() + Duration::from_secs(w.hold);
    while Instant::now() < hold_until {
        tokio::time::sleep(Duration::from_secs(1).min(hold_until - Instant::now())).await;
    }
    let alive_end = opening.alive.load(Ordering::Relaxed);
    let rss_hold = vm_rss_kib_sum(server_pids);
    let _ = stop_tx.send(true);
    let mut hold_ends = Errors::default();
    for h in holders {
        if let Ok(Ok(Some(end))) = tokio::time::timeout(Duration::from_secs(10), h).await {
            hold_ends.add(end);
        }
    }
    let outcome = Outcome {
        took: Summary::of(&mut opens.took),
        identify_rate: stats::rate(opens.ready, open_time),
        opens,
        fd_limit,
        open_time,
        open_cpu,
        rss: [rss_before, rss_open, rss_hold],
        alive_end,
        hold_ends,
    };
    outcome.say(w);
    Ok(outcome.json(w))
}

/// What every session's opening shares.
struct Opening {
    url: String,
    /// The accounts, session i opening as account i % len.
    tokens: Vec<String>,
    /// Sessions being opened at once.
    gate: Semaphore,
    failures: AtomicUsize,
    /// Set after `max_failures` failures: the sessions not yet opening are skipped.
    give_up: AtomicBool,
    /// Sessions open now.
    alive: AtomicUsize,
    max_failures: usize,
    epoch: Instant,
}

/// Opens session `i`, reports how that went, then holds the session (answering nothing but
/// heartbeats, the first at a random point of the interval) until told to stop. Returns how it
/// ended when the server ended it first.
async fn hold(
    o: Arc<Opening>,
    i: usize,
    res_tx: mpsc::UnboundedSender<Opened>,
    mut stop: watch::Receiver<bool>,
) -> Option<String> {
    let permit = o.gate.acquire().await;
    if o.give_up.load(Ordering::Relaxed) {
        let _ = res_tx.send(Opened::Skipped);
        return None;
    }
    let t0 = o.epoch.elapsed();
    let token = &o.tokens[i % o.tokens.len()];
    let s = match gateway::open(&o.url, token, false, 4096, Duration::from_secs(60)).await {
        Ok(s) => s,
        Err(e) => {
            if o.failures.fetch_add(1, Ordering::Relaxed) + 1 >= o.max_failures {
                o.give_up.store(true, Ordering::Relaxed);
            }
            let _ = res_tx.send(Opened::Failed {
                kind: e.kind.to_owned(),
                detail: e.detail,
            });
            return None;
        }
    };
    drop(permit);
    let now = o.epoch.elapsed();
    o.alive.fetch_add(1, Ordering::Relaxed);
    let _ = res_tx.send(Opened::Ready {
        ready_us: now.as_micros() as u64,
        took_us: (now - t0).as_micros() as u64,
    });
    drop(res_tx);
    let mut ws = s.ws;
    let first = s
        .heartbeat
        .mul_f64(Rng::new(i as u64 + 7).below(1000) as f64 / 1000.0);
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + first, s.heartbeat);
    let ended = loop {
        tokio::select! {
            m = ws.next() => match m {
                Some(Ok(Message::Close(f))) => break Some(format!("closed {}", f.map_or(0, |f| u16::from(f.code)))),
                Some(Ok(_)) => {}
                Some(Err(e)) => break Some(format!("read error: {e}")),
                None => break Some("connection ended".to_owned()),
            },
            _ = beat.tick() => {
                if ws.send(gateway::heartbeat()).await.is_err() {
                    break Some("heartbeat send failed".to_owned());
                }
            }
            _ = stop.changed() => break None,
        }
    };
    o.alive.fetch_sub(1, Ordering::Relaxed);
    if ended.is_none() {
        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
    }
    ended
}

/// How the openings went.
struct Opens {
    ready: u64,
    /// When the last session got READY, from the start of the openings.
    last_ready_us: u64,
    /// Microseconds from connecting to READY, per session.
    took: Vec<u64>,
    errors: Errors,
    first_error: Option<String>,
    /// Sessions not attempted after too many failures.
    skipped: u64,
}

impl Opens {
    /// Tallies the openings as they report (for at most 30 minutes), with progress every 5 s.
    async fn collect(mut res_rx: mpsc::UnboundedReceiver<Opened>, sessions: usize) -> Opens {
        let mut opens = Opens {
            ready: 0,
            last_ready_us: 0,
            took: Vec::with_capacity(sessions),
            errors: Errors::default(),
            first_error: None,
            skipped: 0,
        };
        let mut reported = Instant::now();
        let open_deadline = Instant::now() + Duration::from_secs(1800);
        while let Ok(Some(r)) = tokio::time::timeout_at(open_deadline.into(), res_rx.recv()).await {
            match r {
                Opened::Ready { ready_us, took_us } => {
                    opens.ready += 1;
                    opens.last_ready_us = opens.last_ready_us.max(ready_us);
                    opens.took.push(took_us);
                }
                Opened::Failed { kind, detail } => {
                    if opens.first_error.is_none() {
                        opens.first_error =
                            Some(format!("{kind}: {detail} (after {} sessions)", opens.ready));
                    }
                    opens.errors.add(kind);
                }
                Opened::Skipped => opens.skipped += 1,
            }
            if reported.elapsed() > Duration::from_secs(5) {
                reported = Instant::now();
                eprintln!("w3: {} ready, {} failed", opens.ready, opens.errors.total());
            }
        }
        opens
    }
}

/// A run's figures.
struct Outcome {
    opens: Opens,
    fd_limit: Option<u64>,
    open_time: Duration,
    identify_rate: f64,
    /// Connecting to READY.
    took: Option<Summary>,
    open_cpu: Option<f64>,
    /// The server's resident memory in KiB: before, with the sessions opened, after the hold.
    rss: [Option<u64>; 3],
    alive_end: usize,
    hold_ends: Errors,
}

impl Outcome {
    /// Resident memory per ready session from before to `after`, in KiB.
    fn per_session(&self, after: Option<u64>) -> Option<f64> {
        match (self.rss[0], after) {
            (Some(b), Some(a)) if self.opens.ready > 0 => {
                Some(a.saturating_sub(b) as f64 / self.opens.ready as f64)
            }
            _ => None,
        }
    }

    fn say(&self, w: &W3) {
        let o = &self.opens;
        let [rss_before, rss_open, rss_hold] = self.rss;
        let kib = |v: Option<u64>| v.map_or("n/a".to_owned(), |v| format!("{v} KiB"));
        let per = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} KiB"));
        say!(
            "w3: {} sessions asked, {} ready, {} failed, {} not attempted (bench fd limit {})",
            w.sessions,
            o.ready,
            o.errors.total(),
            o.skipped,
            self.fd_limit.map_or("unknown".into(), |l| l.to_string())
        );
        say!(
            "  identify    {:.2} s: {:.0} READY/s; open time {}",
            self.open_time.as_secs_f64(),
            self.identify_rate,
            stats::line_or_none(&self.took)
        );
        if let Some(c) = self.open_cpu {
            say!(
                "  server CPU  {:.2} s while opening: {:.0} us per session",
                c,
                c * 1e6 / o.ready.max(1) as f64
            );
        }
        say!("  open errors {}", o.errors.line());
        if let Some(e) = &o.first_error {
            say!("  first error {e}");
        }
        say!(
            "  server RSS  before {}, opened {}, after {} s hold {}",
            kib(rss_before),
            kib(rss_open),
            w.hold,
            kib(rss_hold)
        );
        say!(
            "  per session {} (opened), {} (after hold)",
            per(self.per_session(rss_open)),
            per(self.per_session(rss_hold))
        );
        say!(
            "  alive at end of hold {}; ended during hold: {}",
            self.alive_end,
            self.hold_ends.line()
        );
    }

    fn json(&self, w: &W3) -> Value {
        let o = &self.opens;
        let [rss_before, rss_open, rss_hold] = self.rss;
        json!({
            "workload": "w3",
            "sessions": w.sessions,
            "concurrency": w.concurrency,
            "ready": o.ready,
            "failed": o.errors.total(),
            "not_attempted": o.skipped,
            "open_errors": o.errors.json(),
            "first_error": o.first_error,
            "bench_fd_limit": self.fd_limit,
            "open_secs": self.open_time.as_secs_f64(),
            "identify_per_sec": self.identify_rate,
            "open_latency": stats::json_or_null(&self.took),
            "server_cpu_secs_opening": self.open_cpu,
            "server_rss_kib_before": rss_before,
            "server_rss_kib_opened": rss_open,
            "server_rss_kib_after_hold": rss_hold,
            "rss_kib_per_session_opened": self.per_session(rss_open),
            "rss_kib_per_session_after_hold": self.per_session(rss_hold),
            "hold_secs": w.hold,
            "alive_at_end_of_hold": self.alive_end,
            "ended_during_hold": self.hold_ends.json(),
        })
    }
}

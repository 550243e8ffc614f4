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
    let tokens: Arc<Vec<String>> = Arc::new(rest.to_vec());
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
    let gate = Arc::new(Semaphore::new(w.concurrency.max(1)));
    let failures = Arc::new(AtomicUsize::new(0));
    let give_up = Arc::new(AtomicBool::new(false));
    let alive = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (res_tx, mut res_rx) = mpsc::unbounded_channel::<Opened>();
    let epoch = Instant::now();
    let mut holders = Vec::with_capacity(w.sessions);
    for i in 0..w.sessions {
        let url = api.gateway.clone();
        let tokens = tokens.clone();
        let (gate, failures, give_up, alive) = (
            gate.clone(),
            failures.clone(),
            give_up.clone(),
            alive.clone(),
        );
        let res_tx = res_tx.clone();
        let mut stop = stop_rx.clone();
        let max_failures = w.max_failures;
        holders.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            if give_up.load(Ordering::Relaxed) {
                let _ = res_tx.send(Opened::Skipped);
                return None;
            }
            let t0 = epoch.elapsed();
            let token = &tokens[i % tokens.len()];
            let s = match gateway::open(&url, token, false, 4096, Duration::from_secs(60)).await {
                Ok(s) => s,
                Err(e) => {
                    if failures.fetch_add(1, Ordering::Relaxed) + 1 >= max_failures {
                        give_up.store(true, Ordering::Relaxed);
                    }
                    let _ = res_tx.send(Opened::Failed {
                        kind: e.kind.to_owned(),
                        detail: e.detail,
                    });
                    return None;
                }
            };
            drop(permit);
            let now = epoch.elapsed();
            alive.fetch_add(1, Ordering::Relaxed);
            let _ = res_tx.send(Opened::Ready {
                ready_us: now.as_micros() as u64,
                took_us: (now - t0).as_micros() as u64,
            });
            drop(res_tx);
            // Hold: answer nothing but heartbeat, first at a random point of the interval.
            let mut ws = s.ws;
            let first = s
                .heartbeat
                .mul_f64(Rng::new(i as u64 + 7).below(1000) as f64 / 1000.0);
            let mut beat =
                tokio::time::interval_at(tokio::time::Instant::now() + first, s.heartbeat);
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
            alive.fetch_sub(1, Ordering::Relaxed);
            if ended.is_none() {
                let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
            }
            ended
        }));
    }
    drop(res_tx);
    let mut ready = 0u64;
    let mut last_ready_us = 0;
    let mut took = Vec::with_capacity(w.sessions);
    let mut open_errors = Errors::default();
    let mut first_error: Option<String> = None;
    let mut skipped = 0u64;
    let mut reported = Instant::now();
    let open_deadline = Instant::now() + Duration::from_secs(1800);
    while let Ok(Some(r)) = tokio::time::timeout_at(open_deadline.into(), res_rx.recv()).await {
        match r {
            Opened::Ready { ready_us, took_us } => {
                ready += 1;
                last_ready_us = last_ready_us.max(ready_us);
                took.push(took_us);
            }
            Opened::Failed { kind, detail } => {
                if first_error.is_none() {
                    first_error = Some(format!("{kind}: {detail} (after {ready} sessions)"));
                }
                open_errors.add(kind);
            }
            Opened::Skipped => skipped += 1,
        }
        if reported.elapsed() > Duration::from_secs(5) {
            reported = Instant::now();
            eprintln!("w3: {ready} ready, {} failed", open_errors.total());
        }
    }
    let open_time = Duration::from_micros(last_ready_us);
    let open_cpu = cpu.used().total();
    let identify_rate = stats::rate(ready, open_time);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = vm_rss_kib_sum(server_pids);
    eprintln!(
        "w3: {ready} sessions ready in {:.2} s; holding {} s",
        open_time.as_secs_f64(),
        w.hold
    );
    let hold_until = Instant::now() + Duration::from_secs(w.hold);
    while Instant::now() < hold_until {
        tokio::time::sleep(Duration::from_secs(1).min(hold_until - Instant::now())).await;
    }
    let alive_end = alive.load(Ordering::Relaxed);
    let rss_hold = vm_rss_kib_sum(server_pids);
    let _ = stop_tx.send(true);
    let mut hold_ends = Errors::default();
    for h in holders {
        if let Ok(Ok(Some(end))) = tokio::time::timeout(Duration::from_secs(10), h).await {
            hold_ends.add(end);
        }
    }
    let took = Summary::of(&mut took);
    let per_session = |after: Option<u64>| match (rss_before, after) {
        (Some(b), Some(a)) if ready > 0 => Some(a.saturating_sub(b) as f64 / ready as f64),
        _ => None,
    };
    let kib = |v: Option<u64>| v.map_or("n/a".to_owned(), |v| format!("{v} KiB"));
    let per = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} KiB"));

    say!(
        "w3: {} sessions asked, {} ready, {} failed, {} not attempted (bench fd limit {})",
        w.sessions,
        ready,
        open_errors.total(),
        skipped,
        fd_limit.map_or("unknown".into(), |l| l.to_string())
    );
    say!(
        "  identify    {:.2} s: {:.0} READY/s; open time {}",
        open_time.as_secs_f64(),
        identify_rate,
        stats::line_or_none(&took)
    );
    if let Some(c) = open_cpu {
        say!(
            "  server CPU  {:.2} s while opening: {:.0} us per session",
            c,
            c * 1e6 / ready.max(1) as f64
        );
    }
    say!("  open errors {}", open_errors.line());
    if let Some(e) = &first_error {
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
        per(per_session(rss_open)),
        per(per_session(rss_hold))
    );
    say!(
        "  alive at end of hold {}; ended during hold: {}",
        alive_end,
        hold_ends.line()
    );
    Ok(json!({
        "workload": "w3",
        "sessions": w.sessions,
        "concurrency": w.concurrency,
        "ready": ready,
        "failed": open_errors.total(),
        "not_attempted": skipped,
        "open_errors": open_errors.json(),
        "first_error": first_error,
        "bench_fd_limit": fd_limit,
        "open_secs": open_time.as_secs_f64(),
        "identify_per_sec": identify_rate,
        "open_latency": stats::json_or_null(&took),
        "server_cpu_secs_opening": open_cpu,
        "server_rss_kib_before": rss_before,
        "server_rss_kib_opened": rss_open,
        "server_rss_kib_after_hold": rss_hold,
        "rss_kib_per_session_opened": per_session(rss_open),
        "rss_kib_per_session_after_hold": per_session(rss_hold),
        "hold_secs": w.hold,
        "alive_at_end_of_hold": alive_end,
        "ended_during_hold": hold_ends.json(),
    }))
}

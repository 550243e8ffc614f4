//! W1's gateway sessions: opening them, and the tasks that read them (listeners and
//! outsiders time every message of the run; stalled sessions never read).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::Sessions;
use crate::gateway::{self, Session};
use crate::stats::Errors;

/// What one listener saw.
#[derive(Debug, Default)]
struct Heard {
    latencies: Vec<u64>,
    duplicates: u64,
    last_receipt_us: u64,
    ended: Option<String>,
}

/// The tasks reading the sessions, until told to stop.
pub(super) struct Watchers {
    listeners: Vec<JoinHandle<Heard>>,
    outsiders: Vec<JoinHandle<Heard>>,
    stalls: Vec<JoinHandle<String>>,
    /// Messages the listeners received (each once per listener).
    pub(super) delivered: Arc<AtomicU64>,
    /// Messages the outsiders received.
    leaked: Arc<AtomicU64>,
}

/// What the sessions saw, once stopped.
pub(super) struct Collected {
    /// End-to-end latencies of the listeners, by gateway.
    pub(super) by_gateway: Vec<Vec<u64>>,
    pub(super) duplicates: u64,
    /// When the last message reached a listener, from the epoch.
    pub(super) last_us: u64,
    /// Why listeners ended before being stopped.
    pub(super) ended: Errors,
    pub(super) leaked: u64,
    pub(super) stall_ends: Errors,
}

impl Watchers {
    pub(super) fn spawn(
        sessions: Sessions,
        total: usize,
        epoch: Instant,
        stop: &watch::Receiver<bool>,
    ) -> Watchers {
        let hard_limit = Duration::from_secs(600);
        let delivered = Arc::new(AtomicU64::new(0));
        let leaked = Arc::new(AtomicU64::new(0));
        let watch = |sessions: Vec<Session>, counter: &Arc<AtomicU64>| -> Vec<_> {
            sessions
                .into_iter()
                .map(|s| {
                    let (counter, stop) = (counter.clone(), stop.clone());
                    tokio::spawn(listen(s, total, epoch, counter, stop, hard_limit))
                })
                .collect()
        };
        Watchers {
            listeners: watch(sessions.listeners, &delivered),
            outsiders: watch(sessions.outsiders, &leaked),
            stalls: sessions
                .stalled
                .into_iter()
                .map(|s| tokio::spawn(stall(s, stop.clone(), hard_limit)))
                .collect(),
            delivered,
            leaked,
        }
    }

    /// Waits for every task. Listener i is at gateway i % `gateways` (as `open_all` assigned
    /// them).
    pub(super) async fn collect(self, gateways: usize) -> Result<Collected, String> {
        let mut c = Collected {
            by_gateway: vec![Vec::new(); gateways],
            duplicates: 0,
            last_us: 0,
            ended: Errors::default(),
            leaked: 0,
            stall_ends: Errors::default(),
        };
        for (i, l) in self.listeners.into_iter().enumerate() {
            let h = l.await.map_err(|e| e.to_string())?;
            c.by_gateway[i % gateways].extend(h.latencies);
            c.duplicates += h.duplicates;
            c.last_us = c.last_us.max(h.last_receipt_us);
            if let Some(e) = h.ended {
                c.ended.add(e);
            }
        }
        for o in self.outsiders {
            o.await.map_err(|e| e.to_string())?;
        }
        c.leaked = self.leaked.load(Ordering::Relaxed);
        for s in self.stalls {
            c.stall_ends.add(s.await.map_err(|e| e.to_string())?);
        }
        Ok(c)
    }
}

/// Opens `count` sessions over the accounts, 32 at a time, session i at gateway
/// `i % gateways.len()`; any failure fails the run.
pub(super) async fn open_all(
    gateways: &[String],
    tokens: &[String],
    count: usize,
    zlib: bool,
) -> Result<Vec<Session>, String> {
    let gate = Arc::new(Semaphore::new(32));
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let url = gateways[i % gateways.len()].clone();
        let token = tokens[i % tokens.len()].clone();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _p = gate.acquire_owned().await;
            gateway::open(&url, &token, zlib, 64 * 1024, Duration::from_secs(30)).await
        }));
    }
    let mut out = Vec::with_capacity(count);
    for t in tasks {
        let s = t
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("opening a session: {}: {}", e.kind, e.detail))?;
        if s.guilds == 0 {
            return Err("a listener session has no guild".into());
        }
        out.push(s);
    }
    Ok(out)
}

/// Receives until told to stop (or the hard limit), timing every MESSAGE_CREATE of the run.
async fn listen(
    s: Session,
    total: usize,
    epoch: Instant,
    delivered: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
    hard_limit: Duration,
) -> Heard {
    let Session {
        mut ws,
        mut decoder,
        heartbeat,
        ..
    } = s;
    let mut heard = Heard {
        latencies: Vec::with_capacity(total),
        ..Heard::default()
    };
    let mut seen = vec![0u64; total.div_ceil(64)];
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat / 2, heartbeat);
    let deadline = tokio::time::Instant::now() + hard_limit;
    loop {
        tokio::select! {
            msg = ws.next() => {
                let msg = match msg {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => { heard.ended = Some(format!("read error: {e}")); break; }
                    None => { heard.ended = Some("connection ended".into()); break; }
                };
                if let Message::Close(f) = &msg {
                    heard.ended = Some(format!("closed {}", f.as_ref().map_or(0, |f| u16::from(f.code))));
                    break;
                }
                let now_us = epoch.elapsed().as_micros() as u64;
                match decoder.push(&msg) {
                    Ok(Some(text)) => {
                        if let Some((index, sent_us)) = gateway::message_create_nonce(text) {
                            let index = index as usize;
                            if index < total {
                                let (word, bit) = (index / 64, 1u64 << (index % 64));
                                if seen[word] & bit != 0 {
                                    heard.duplicates += 1;
                                } else {
                                    seen[word] |= bit;
                                    heard.latencies.push(now_us.saturating_sub(sent_us));
                                    heard.last_receipt_us = now_us;
                                    delivered.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => { heard.ended = Some(format!("decode: {e}")); break; }
                }
            }
            _ = beat.tick() => {
                if ws.send(gateway::heartbeat()).await.is_err() {
                    heard.ended = Some("heartbeat send failed".into());
                    break;
                }
            }
            _ = stop.changed() => break,
            _ = tokio::time::sleep_until(deadline) => { heard.ended = Some("hard time limit".into()); break; }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
    heard
}

/// Heartbeats without ever reading: what the server sees as a stalled client. Returns how it
/// ended.
async fn stall(s: Session, mut stop: watch::Receiver<bool>, hard_limit: Duration) -> String {
    let (mut sink, _stream) = s.ws.split();
    let mut beat = tokio::time::interval(s.heartbeat / 2);
    let deadline = tokio::time::Instant::now() + hard_limit;
    loop {
        tokio::select! {
            _ = beat.tick() => {
                match tokio::time::timeout(Duration::from_secs(5), sink.send(gateway::heartbeat())).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return "send failed (closed by the server)".into(),
                    Err(_) => return "send blocked".into(),
                }
            }
            _ = stop.changed() => return "open at the end".into(),
            _ = tokio::time::sleep_until(deadline) => return "hard time limit".into(),
        }
    }
}

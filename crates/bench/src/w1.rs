//! W1, fan-out: senders post over REST, every listener session receives every MESSAGE_CREATE.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{watch, Semaphore};
use tokio_tungstenite::tungstenite::Message;

use crate::api::{gateway_url, run_prefix, Api};
use crate::gateway::{self, Session};
use crate::procfs::{CpuMeter, CpuUsed};
use crate::stats::{self, Errors, Summary};

/// W1 settings.
#[derive(Debug, Clone, clap::Args)]
pub struct W1 {
    /// Listener gateway sessions.
    #[arg(long, default_value_t = 200)]
    pub listeners: usize,
    /// Sender accounts, each posting its messages one after another.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Messages per sender.
    #[arg(long, default_value_t = 200)]
    pub messages: usize,
    /// Total messages per second across senders (unlimited when absent).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Accounts the listener sessions are spread over.
    #[arg(long, default_value_t = 4)]
    pub listener_accounts: usize,
    /// Listeners ask for `compress=zlib-stream` (and inflate every payload).
    #[arg(long)]
    pub zlib: bool,
    /// Extra sessions that identify, keep heartbeating, and never read: a stalled client
    /// must not slow the others.
    #[arg(long, default_value_t = 0)]
    pub stalled: usize,
    /// Seconds to wait for outstanding deliveries once the senders are done.
    #[arg(long, default_value_t = 15)]
    pub drain_secs: u64,
    /// Where the listener (and stalled) sessions connect, when not to the node at `--base`
    /// (where the senders post): a node's base URL `http://HOST:PORT` or a `ws://` gateway URL.
    /// Repeatable or comma-separated, for the nodes of a cluster: sessions are assigned to
    /// them in turn.
    #[arg(long = "gateway-url", value_name = "URL", value_delimiter = ',')]
    pub gateway_urls: Vec<String>,
    /// The channel is private: @everyone is denied VIEW_CHANNEL there and a role given to the
    /// senders and listeners is allowed it (every delivery goes through the channel's
    /// overwrites).
    #[arg(long)]
    pub private: bool,
    /// With `--private`: extra sessions of a member without that role, who must receive none
    /// of the run's messages (counted and reported as leaked).
    #[arg(long, default_value_t = 0)]
    pub outsiders: usize,
}

/// What one listener saw.
#[derive(Debug, Default)]
struct Heard {
    latencies: Vec<u64>,
    duplicates: u64,
    last_receipt_us: u64,
    ended: Option<String>,
}

/// What one sender did.
#[derive(Debug, Default)]
struct Sent {
    ok: u64,
    errors: Errors,
    post_latencies: Vec<u64>,
}

pub async fn run(api: &Api, w: &W1, server_pids: &[u32]) -> Result<Value, String> {
    let gateways: Vec<String> = if w.gateway_urls.is_empty() {
        vec![api.gateway.clone()]
    } else {
        w.gateway_urls
            .iter()
            .map(|u| gateway_url(u))
            .collect::<Result<_, _>>()?
    };
    if w.outsiders > 0 && !w.private {
        return Err("--outsiders needs --private".into());
    }
    let prefix = run_prefix("w1");
    let la = w.listener_accounts.clamp(1, w.listeners.max(1));
    let outsider_accounts = usize::from(w.outsiders > 0);
    eprintln!(
        "w1: registering {} accounts ({} senders, {} listener accounts, 1 owner)",
        w.senders + la + 1,
        w.senders,
        la
    );
    let tokens = api
        .register_many(&prefix, w.senders + la + 1 + outsider_accounts, 16)
        .await?;
    let (owner, rest) = tokens.split_first().ok_or("no accounts")?;
    let guild = api
        .guild_with(&format!("{prefix}guild"), owner, rest)
        .await?;
    let senders: Vec<String> = rest[..w.senders].to_vec();
    let listener_tokens: Vec<String> = rest[w.senders..w.senders + la].to_vec();
    let outsider_tokens: Vec<String> = rest[w.senders + la..].to_vec();
    if w.private {
        eprintln!("w1: making the channel private to the senders and listeners");
        api.make_private(&guild, owner, &rest[..w.senders + la])
            .await?;
    }

    eprintln!(
        "w1: opening {} listener sessions (zlib: {}) at {}",
        w.listeners,
        w.zlib,
        gateways.join(", ")
    );
    let opened = open_all(&gateways, &listener_tokens, w.listeners, w.zlib).await?;
    let mut outsiders = Vec::new();
    if w.outsiders > 0 {
        eprintln!("w1: opening {} outsider sessions", w.outsiders);
        outsiders = open_all(&gateways, &outsider_tokens, w.outsiders, w.zlib).await?;
    }
    let mut stalled = Vec::new();
    if w.stalled > 0 {
        eprintln!("w1: opening {} stalled sessions", w.stalled);
        stalled = open_all(&gateways, &listener_tokens, w.stalled, w.zlib).await?;
    }

    let total = (w.senders * w.messages) as u64;
    let epoch = Instant::now();
    let delivered = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let hard_limit = Duration::from_secs(600);
    let mut listeners = Vec::with_capacity(opened.len());
    for s in opened {
        listeners.push(tokio::spawn(listen(
            s,
            total as usize,
            epoch,
            delivered.clone(),
            stop_rx.clone(),
            hard_limit,
        )));
    }
    let leaked = Arc::new(AtomicU64::new(0));
    let mut outsider_tasks = Vec::with_capacity(outsiders.len());
    for s in outsiders {
        outsider_tasks.push(tokio::spawn(listen(
            s,
            total as usize,
            epoch,
            leaked.clone(),
            stop_rx.clone(),
            hard_limit,
        )));
    }
    let mut stalls = Vec::with_capacity(stalled.len());
    for s in stalled {
        stalls.push(tokio::spawn(stall(s, stop_rx.clone(), hard_limit)));
    }

    eprintln!(
        "w1: {} senders x {} messages to {} listeners",
        w.senders, w.messages, w.listeners
    );
    let per_sender_interval = w
        .rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(w.senders as f64 / r));
    let send_start = epoch.elapsed();
    let cpu = CpuMeter::start(server_pids);
    let mut sends = Vec::with_capacity(senders.len());
    for (si, token) in senders.into_iter().enumerate() {
        let api = api.clone();
        let path = format!("/channels/{}/messages", guild.channel);
        let messages = w.messages;
        sends.push(tokio::spawn(async move {
            let mut sent = Sent::default();
            let mut next = tokio::time::Instant::now();
            for i in 0..messages {
                if let Some(iv) = per_sender_interval {
                    tokio::time::sleep_until(next).await;
                    next += iv;
                }
                let index = si * messages + i;
                let start_us = epoch.elapsed().as_micros() as u64;
                let body = json!({"content": format!("bench {index}"), "nonce": format!("{index}.{start_us}")});
                match api.post(&path, Some(&token), body).await {
                    Ok(_) => sent.ok += 1,
                    Err(e) => sent.errors.add(e.kind()),
                }
                sent.post_latencies
                    .push(epoch.elapsed().as_micros() as u64 - start_us);
            }
            sent
        }));
    }
    let mut sent = Sent::default();
    for s in sends {
        let s = s.await.map_err(|e| e.to_string())?;
        sent.ok += s.ok;
        sent.errors.merge(&s.errors);
        sent.post_latencies.extend(s.post_latencies);
    }
    let send_end = epoch.elapsed();
    let send_time = send_end - send_start;
    let expected_ok = sent.ok * w.listeners as u64;
    eprintln!(
        "w1: sent {} in {:.2} s; waiting up to {} s for deliveries ({} / {})",
        sent.ok,
        send_time.as_secs_f64(),
        w.drain_secs,
        delivered.load(Ordering::Relaxed),
        expected_ok
    );
    let drain_until = Instant::now() + Duration::from_secs(w.drain_secs);
    while delivered.load(Ordering::Relaxed) < expected_ok && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let run_cpu = cpu.used();
    let _ = stop_tx.send(true);
    // Listener i is at gateway i % gateways.len() (as `open_all` assigned them).
    let mut by_gateway: Vec<Vec<u64>> = vec![Vec::new(); gateways.len()];
    let mut duplicates = 0;
    let mut last_us = 0;
    let mut ended = Errors::default();
    for (i, l) in listeners.into_iter().enumerate() {
        let h = l.await.map_err(|e| e.to_string())?;
        by_gateway[i % gateways.len()].extend(h.latencies);
        duplicates += h.duplicates;
        last_us = last_us.max(h.last_receipt_us);
        if let Some(e) = h.ended {
            ended.add(e);
        }
    }
    for o in outsider_tasks {
        o.await.map_err(|e| e.to_string())?;
    }
    let leaked = leaked.load(Ordering::Relaxed);
    let mut stall_ends = Errors::default();
    for s in stalls {
        stall_ends.add(s.await.map_err(|e| e.to_string())?);
    }

    let gateway_e2e: Vec<(usize, Option<Summary>)> = by_gateway
        .iter_mut()
        .map(|l| (l.len(), Summary::of(l)))
        .collect();
    let mut latencies = Vec::with_capacity(expected_ok as usize);
    for l in by_gateway {
        latencies.extend(l);
    }
    let received = latencies.len() as u64;
    let deliver_time = Duration::from_micros(last_us).saturating_sub(send_start);
    let nominal = total * w.listeners as u64;
    let lost = expected_ok.saturating_sub(received);
    let e2e = Summary::of(&mut latencies);
    let post = Summary::of(&mut sent.post_latencies);
    let send_rate = stats::rate(sent.ok, send_time);
    let deliver_rate = stats::rate(received, deliver_time);

    say!(
        "w1: {} listeners, {} senders x {} messages, zlib {}, stalled {}, rate {}, private {}, outsiders {}",
        w.listeners,
        w.senders,
        w.messages,
        w.zlib,
        w.stalled,
        w.rate.map_or("unlimited".into(), |r| format!("{r}/s")),
        w.private,
        w.outsiders
    );
    say!(
        "  sent        {} ok of {} in {:.2} s: {:.0} msgs/s",
        sent.ok,
        total,
        send_time.as_secs_f64(),
        send_rate
    );
    say!("  POST        {}", stats::line_or_none(&post));
    say!(
        "  deliveries  {} of {} ({} expected from successful sends) in {:.2} s: {:.0} /s",
        received,
        nominal,
        expected_ok,
        deliver_time.as_secs_f64(),
        deliver_rate
    );
    say!("  end-to-end  {}", stats::line_or_none(&e2e));
    if gateways.len() > 1 || !w.gateway_urls.is_empty() {
        for (url, (n, e2e)) in gateways.iter().zip(&gateway_e2e) {
            say!("  at {url}: {n} deliveries; {}", stats::line_or_none(e2e));
        }
    }
    say!(
        "  lost        {} (of sent) / {} (of N*S*M); duplicates {}",
        lost,
        nominal.saturating_sub(received),
        duplicates
    );
    let per = |c: f64| {
        format!(
            "{:.0} us per message, {:.1} us per delivery",
            c * 1e6 / sent.ok.max(1) as f64,
            c * 1e6 / received.max(1) as f64
        )
    };
    if let Some(c) = run_cpu.total() {
        say!(
            "  server CPU  {:.2} s for sends and deliveries: {}",
            c,
            per(c)
        );
    }
    if run_cpu.each.len() > 1 {
        for &(pid, c) in &run_cpu.each {
            match c {
                Some(c) => say!("    pid {pid}: {c:.2} s: {}", per(c)),
                None => say!("    pid {pid}: not readable"),
            }
        }
    }
    if w.outsiders > 0 {
        say!(
            "  outsiders   {} sessions without view of the channel received {} of its messages",
            w.outsiders,
            leaked
        );
    }
    say!("  send errors {}", sent.errors.line());
    say!("  listener ends before stop: {}", ended.line());
    if w.stalled > 0 {
        say!("  stalled sessions ended as: {}", stall_ends.line());
    }
    Ok(json!({
        "workload": "w1",
        "listeners": w.listeners,
        "senders": w.senders,
        "messages_per_sender": w.messages,
        "rate": w.rate,
        "zlib": w.zlib,
        "stalled": w.stalled,
        "private": w.private,
        "outsiders": w.outsiders,
        "outsider_deliveries": leaked,
        "sent_ok": sent.ok,
        "send_secs": send_time.as_secs_f64(),
        "send_msgs_per_sec": send_rate,
        "post_latency": stats::json_or_null(&post),
        "deliveries": received,
        "deliveries_expected": expected_ok,
        "deliveries_nominal": nominal,
        "deliver_secs": deliver_time.as_secs_f64(),
        "deliveries_per_sec": deliver_rate,
        "end_to_end": stats::json_or_null(&e2e),
        "lost": lost,
        "server_cpu_secs": run_cpu.total(),
        "server_cpu_secs_by_pid": cpu_json(&run_cpu),
        "gateways": gateways
            .iter()
            .zip(&gateway_e2e)
            .map(|(url, (n, e2e))| json!({
                "url": url,
                "deliveries": n,
                "end_to_end": stats::json_or_null(e2e),
            }))
            .collect::<Vec<_>>(),
        "lost_nominal": nominal.saturating_sub(received),
        "duplicates": duplicates,
        "send_errors": sent.errors.json(),
        "listener_ends": ended.json(),
        "stalled_ends": stall_ends.json(),
    }))
}

/// `[{"pid": .., "secs": ..}, ..]`.
fn cpu_json(used: &CpuUsed) -> Value {
    used.each
        .iter()
        .map(|&(pid, secs)| json!({"pid": pid, "secs": secs}))
        .collect()
}

/// Opens `count` sessions over the accounts, 32 at a time, session i at gateway
/// `i % gateways.len()`; any failure fails the run.
async fn open_all(
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

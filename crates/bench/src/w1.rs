//! W1, fan-out: senders post over REST, every listener session receives every MESSAGE_CREATE.
//!
//! This file sets a run up and sends its messages; `sessions.rs` opens the gateway sessions and
//! reads them, `figures.rs` turns what they saw into the report.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::api::{gateway_url, run_prefix, Api, Guild};
use crate::gateway::Session;
use crate::procfs::CpuMeter;
use crate::stats::Errors;

mod figures;
mod sessions;

use figures::Figures;
use sessions::{open_all, Watchers};

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
    let setup = set_up(api, w, &gateways).await?;

    let total = (w.senders * w.messages) as u64;
    let epoch = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let watchers = Watchers::spawn(setup.sessions, total as usize, epoch, &stop_rx);

    eprintln!(
        "w1: {} senders x {} messages to {} listeners",
        w.senders, w.messages, w.listeners
    );
    let send_start = epoch.elapsed();
    let cpu = CpuMeter::start(server_pids);
    let path = format!("/channels/{}/messages", setup.guild.channel);
    let sent = send_all(api, w, setup.senders, &path, epoch).await?;
    let send_time = epoch.elapsed() - send_start;
    let expected_ok = sent.ok * w.listeners as u64;
    eprintln!(
        "w1: sent {} in {:.2} s; waiting up to {} s for deliveries ({} / {})",
        sent.ok,
        send_time.as_secs_f64(),
        w.drain_secs,
        watchers.delivered.load(Ordering::Relaxed),
        expected_ok
    );
    let drain_until = Instant::now() + Duration::from_secs(w.drain_secs);
    while watchers.delivered.load(Ordering::Relaxed) < expected_ok && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let run_cpu = cpu.used();
    let _ = stop_tx.send(true);
    let heard = watchers.collect(gateways.len()).await?;

    let figures = Figures::new(w, sent, heard, send_start, send_time, run_cpu);
    figures.say(w, &gateways);
    Ok(figures.json(w, &gateways))
}

/// The run's guild, its senders, and the sessions opened before the senders start.
struct SetUp {
    guild: Guild,
    /// The senders' tokens.
    senders: Vec<String>,
    sessions: Sessions,
}

/// The gateway sessions of a run, by role.
struct Sessions {
    /// Receive every message and time it.
    listeners: Vec<Session>,
    /// Members who may not view the channel (`--private`): must receive none of it.
    outsiders: Vec<Session>,
    /// Heartbeat and never read.
    stalled: Vec<Session>,
}

/// Registers the accounts (an owner, the senders, the listener accounts and, with
/// outsiders, one more), makes the guild (private when asked) and opens the sessions.
async fn set_up(api: &Api, w: &W1, gateways: &[String]) -> Result<SetUp, String> {
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
    let listeners = open_all(gateways, &listener_tokens, w.listeners, w.zlib).await?;
    let mut outsiders = Vec::new();
    if w.outsiders > 0 {
        eprintln!("w1: opening {} outsider sessions", w.outsiders);
        outsiders = open_all(gateways, &outsider_tokens, w.outsiders, w.zlib).await?;
    }
    let mut stalled = Vec::new();
    if w.stalled > 0 {
        eprintln!("w1: opening {} stalled sessions", w.stalled);
        stalled = open_all(gateways, &listener_tokens, w.stalled, w.zlib).await?;
    }
    Ok(SetUp {
        guild,
        senders,
        sessions: Sessions {
            listeners,
            outsiders,
            stalled,
        },
    })
}
/// Every sender posts its messages one after another (paced when `--rate` is set), each with
/// a nonce `index.sent_at_us` the listeners time it by.
async fn send_all(
    api: &Api,
    w: &W1,
    senders: Vec<String>,
    path: &str,
    epoch: Instant,
) -> Result<Sent, String> {
    let per_sender_interval = w
        .rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(w.senders as f64 / r));
    let mut sends = Vec::with_capacity(senders.len());
    for (si, token) in senders.into_iter().enumerate() {
        let api = api.clone();
        let path = path.to_owned();
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
    Ok(sent)
}

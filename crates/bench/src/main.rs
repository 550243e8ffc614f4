//! `hearth-bench`: a load generator for hearth that speaks only the public API, the HTTP API
//! v10 under `--base` and the gateway at `ws://HOST/gateway?v=10&encoding=json`, so it can be
//! pointed at any running server. Every run registers its own accounts (names prefixed with the
//! workload and the time) and its own guild, so runs do not disturb one another. Registrations
//! come from one address: run the server with its registration throttle off
//! (`HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0`).
//!
//! Workloads:
//!
//! - **W1, fan-out** (`w1 --listeners N --senders S --messages M [--rate R] [--zlib]
//!   [--stalled K]`): one guild; N gateway sessions spread over a few listener accounts (each
//!   IDENTIFY is its own session); S sender accounts each post M messages over REST, one after
//!   another (or paced to R messages/s in all). Each message's nonce is `<index>.<µs>`: a
//!   unique index and the time its POST started, so a listener that receives the
//!   MESSAGE_CREATE knows the end-to-end latency without a lookup. Reports send rate, POST
//!   latency, deliveries per second, end-to-end latency percentiles, lost and duplicate
//!   deliveries (after a bounded drain) and errors by HTTP status. `--zlib` makes the
//!   listeners ask for `compress=zlib-stream`; `--stalled K` adds K sessions that keep
//!   heartbeating but never read, to show whether a stalled client slows the others.
//!   `--gateway-url URL[,URL...]` sends the listeners (and stalled sessions) to other nodes of
//!   a cluster than the one at `--base`, where the senders post: assigned in turn, with the
//!   end-to-end latency also reported per gateway. `--private` makes the channel private
//!   (@everyone denied VIEW_CHANNEL, a role given to senders and listeners allowed it), so that
//!   every delivery goes through the channel's overwrites; `--outsiders K` then adds K sessions
//!   of a member without that role and reports how many of the run's messages reached them
//!   (the answer must be 0).
//! - **W2, history** (`w2 --seed N --pages P`): seeds N messages in one channel (several
//!   posts in flight), then reads P pages `GET /channels/{id}/messages?limit=50&before=<id>`
//!   before randomly chosen seeded messages; reports page latency percentiles and pages/s.
//! - **W3, idle sessions** (`w3 --sessions C [--server-pid PID] [--hold SECS]`): opens C
//!   sessions, a bounded number at a time, as fast as the server answers; reports READY/s and
//!   open latency, holds them (heartbeating) and, given the server's pid, its VmRSS before and
//!   after, per session. Both this process and the server need a descriptor per session:
//!   raise `ulimit -n` first, or see where it stops (the first error is reported).
//!
//! With `--server-pid PID` (a server on the same machine) every workload also reports the
//! server's CPU seconds during the measured phase, read from /proc/PID/stat. Several pids
//! (repeated, or `--server-pid A,B`: the nodes of a cluster) are summed; W1 also reports each.
//!
//! Every loop is bounded in count and in time. A summary is printed to stdout (progress goes
//! to stderr); `--json` prints one JSON object instead.

/// Summary lines: stdout, or stderr when stdout carries the JSON.
macro_rules! say {
    ($($t:tt)*) => {
        if crate::JSON.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!($($t)*)
        } else {
            println!($($t)*)
        }
    };
}

mod api;
mod gateway;
mod procfs;
mod stats;
mod w1;
mod w2;
mod w3;

use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

/// Whether `--json` was given.
static JSON: AtomicBool = AtomicBool::new(false);

/// A load generator for hearth, over its public HTTP API and gateway.
#[derive(Debug, Parser)]
#[command(name = "hearth-bench", version)]
struct Cli {
    /// The server's base URL.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// Print the results as one JSON object instead of the summary.
    #[arg(long, global = true)]
    json: bool,
    /// The server's pid (same machine): its CPU time and resident memory are read from /proc
    /// before and after. Repeatable or comma-separated, for the nodes of a cluster: their CPU
    /// (and memory) is reported summed, and W1 also reports it per process.
    #[arg(long, global = true, value_delimiter = ',')]
    server_pid: Vec<u32>,
    /// Worker threads of the client's runtime (default: one per CPU).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    workload: Workload,
}

#[derive(Debug, Subcommand)]
enum Workload {
    /// Fan-out: REST senders, gateway listeners, end-to-end latency.
    W1(w1::W1),
    /// History: random pages of 50 in a seeded channel.
    W2(w2::W2),
    /// Idle sessions: IDENTIFY rate and server memory per session.
    W3(w3::W3),
}

fn main() {
    let cli = Cli::parse();
    JSON.store(cli.json, Ordering::Relaxed);
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = cli.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hearth-bench: cannot start the runtime: {e}");
            std::process::exit(2);
        }
    };
    let result = rt.block_on(async {
        let api = api::Api::new(&cli.base)?;
        let value = match &cli.workload {
            Workload::W1(w) => w1::run(&api, w, &cli.server_pid).await?,
            Workload::W2(w) => w2::run(&api, w, &cli.server_pid).await?,
            Workload::W3(w) => w3::run(&api, w, &cli.server_pid).await?,
        };
        Ok::<_, String>(value)
    });
    match result {
        Ok(v) => {
            if cli.json {
                println!("{v}");
            }
        }
        Err(e) => {
            eprintln!("hearth-bench: {e}");
            std::process::exit(1);
        }
    }
}

//! W2, history: seed a channel, then read random pages of 50 before random messages.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use crate::api::{run_prefix, Api};
use crate::procfs::CpuMeter;
use crate::stats::{self, Errors, Summary};

/// W2 settings.
#[derive(Debug, Clone, clap::Args)]
pub struct W2 {
    /// Messages to seed.
    #[arg(long, default_value_t = 10_000)]
    pub seed: usize,
    /// Pages to read.
    #[arg(long, default_value_t = 1_000)]
    pub pages: usize,
    /// Requests in flight, for seeding and for reading.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// xorshift64*: enough randomness to pick pages, without a dependency.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    }
}

pub async fn run(api: &Api, w: &W2, server_pids: &[u32]) -> Result<Value, String> {
    let prefix = run_prefix("w2");
    let tokens = api.register_many(&prefix, 1, 1).await?;
    let token = Arc::new(tokens[0].clone());
    let guild = api
        .guild_with(&format!("{prefix}guild"), &token, &[])
        .await?;
    let path = Arc::new(format!("/channels/{}/messages", guild.channel));
    let par = w.concurrency.max(1);
    let target = Target { api, token, path };

    eprintln!("w2: seeding {} messages, {} at a time", w.seed, par);
    let start = Instant::now();
    let (ids, seed_errors) = seed(&target, w.seed, par).await?;
    let seed_time = start.elapsed();
    if ids.is_empty() {
        return Err(format!("no message was seeded ({})", seed_errors.line()));
    }
    let ids = Arc::new(ids);

    eprintln!("w2: reading {} pages, {} at a time", w.pages, par);
    let start = Instant::now();
    let cpu = CpuMeter::start(server_pids);
    let Reads {
        mut lat,
        errors: read_errors,
        short,
    } = read_pages(&target, &ids, w.pages, par).await?;
    let read_time = start.elapsed();
    let read_cpu = cpu.used().total();
    let pages = Summary::of(&mut lat);
    let seed_rate = stats::rate(ids.len() as u64, seed_time);
    let page_rate = stats::rate(w.pages as u64, read_time);
    say!(
        "w2: {} messages seeded, {} pages of 50, {} in flight",
        ids.len(),
        w.pages,
        par
    );
    say!(
        "  seeding     {:.2} s: {:.0} msgs/s; errors {}",
        seed_time.as_secs_f64(),
        seed_rate,
        seed_errors.line()
    );
    say!(
        "  pages       {:.2} s: {:.0} pages/s; errors {}; pages with < 50 messages {}",
        read_time.as_secs_f64(),
        page_rate,
        read_errors.line(),
        short
    );
    say!("  page time   {}", stats::line_or_none(&pages));
    if let Some(c) = read_cpu {
        say!(
            "  server CPU  {:.2} s while reading: {:.0} us per page",
            c,
            c * 1e6 / w.pages.max(1) as f64
        );
    }
    Ok(json!({
        "workload": "w2",
        "seeded": ids.len(),
        "seed_secs": seed_time.as_secs_f64(),
        "seed_msgs_per_sec": seed_rate,
        "seed_errors": seed_errors.json(),
        "pages": w.pages,
        "concurrency": par,
        "read_secs": read_time.as_secs_f64(),
        "pages_per_sec": page_rate,
        "page_latency": stats::json_or_null(&pages),
        "server_cpu_secs_reading": read_cpu,
        "short_pages": short,
        "read_errors": read_errors.json(),
    }))
}

/// The channel a run writes and reads, as whom.
struct Target<'a> {
    api: &'a Api,
    token: Arc<String>,
    /// `/channels/{id}/messages`.
    path: Arc<String>,
}

/// Posts `count` messages with `par` requests in flight. Returns the ids of those posted and
/// the errors of the others.
async fn seed(target: &Target<'_>, count: usize, par: usize) -> Result<(Vec<u64>, Errors), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..par {
        let (api, token, path, next) = (
            target.api.clone(),
            target.token.clone(),
            target.path.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            let mut errors = Errors::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let body = json!({"content": format!("history message {i}")});
                match api.post(&path, Some(&token), body).await {
                    Ok(m) => {
                        if let Some(id) = m["id"].as_str().and_then(|s| s.parse::<u64>().ok()) {
                            ids.push(id);
                        }
                    }
                    Err(e) => errors.add(e.kind()),
                }
            }
            (ids, errors)
        }));
    }
    let mut ids = Vec::with_capacity(count);
    let mut seed_errors = Errors::default();
    for t in tasks {
        let (i, e) = t.await.map_err(|e| e.to_string())?;
        ids.extend(i);
        seed_errors.merge(&e);
    }
    Ok((ids, seed_errors))
}

/// What reading the pages gave.
struct Reads {
    /// Microseconds per page.
    lat: Vec<u64>,
    errors: Errors,
    /// Pages with fewer than 50 messages.
    short: u64,
}

/// Reads `pages` pages of 50 messages before random seeded ones, `par` at a time.
async fn read_pages(
    target: &Target<'_>,
    ids: &Arc<Vec<u64>>,
    pages: usize,
    par: usize,
) -> Result<Reads, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for t in 0..par {
        let (api, token, path, next, ids) = (
            target.api.clone(),
            target.token.clone(),
            target.path.clone(),
            next.clone(),
            ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15 ^ ((t as u64 + 1) * 0x1234_5677));
            let mut lat = Vec::new();
            let mut errors = Errors::default();
            let mut short = 0u64;
            loop {
                if next.fetch_add(1, Ordering::Relaxed) >= pages {
                    break;
                }
                let before = ids[rng.below(ids.len())];
                let t0 = Instant::now();
                let r = api
                    .get(&format!("{path}?limit=50&before={before}"), &token)
                    .await;
                lat.push(t0.elapsed().as_micros() as u64);
                match r {
                    Ok(Value::Array(a)) => {
                        if a.len() < 50 {
                            short += 1;
                        }
                    }
                    Ok(_) => errors.add("not an array"),
                    Err(e) => errors.add(e.kind()),
                }
            }
            (lat, errors, short)
        }));
    }
    let mut reads = Reads {
        lat: Vec::with_capacity(pages),
        errors: Errors::default(),
        short: 0,
    };
    for t in tasks {
        let (l, e, s) = t.await.map_err(|e| e.to_string())?;
        reads.lat.extend(l);
        reads.errors.merge(&e);
        reads.short += s;
    }
    Ok(reads)
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn rng_stays_in_range_and_spreads() {
        let mut r = Rng::new(42);
        let mut hits = [0u32; 10];
        for _ in 0..10_000 {
            hits[r.below(10)] += 1;
        }
        assert!(hits.iter().all(|&h| (800..1200).contains(&h)), "{hits:?}");
        assert_eq!(Rng::new(1).below(0), 0);
    }
}

//! Durability: a message hearth acknowledged (answered 200) is in the channel's history after
//! the server was killed with SIGKILL while others were being sent, and restarted on the same
//! data.
//!
//! Runs the built `hearth` binary on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL`
//! is set (skipped with a printed notice otherwise). Each run makes its own database and kills
//! the server a few times under concurrent senders. SIGKILL ends the process, not the machine:
//! what hearth handed to the operating system or to PostgreSQL before answering survives; a
//! power cut (data the disk had not yet written) is not tested here.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hearth_store::testing::TestDatabase;
use serde_json::{json, Value};

#[path = "support/process.rs"]
mod process;
use process::Server;

/// Concurrent senders in each round.
const SENDERS: usize = 20;
/// Messages one sender sends at most in a round.
const PER_SENDER: usize = 500;
/// Kills (and restarts) per run.
const ROUNDS: usize = 5;

impl Server {
    /// A call that must succeed; its JSON body.
    async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}/api/v10{path}", self.base))
            .timeout(Duration::from_secs(10));
        if let Some(t) = token {
            req = req.header("Authorization", t);
        }
        if !body.is_null() {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }

    /// The channel's whole history: id → content, newest first, paging back with `before`.
    async fn history(&self, token: &str, channel: &str) -> Vec<(String, String)> {
        let mut all = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let mut path = format!("/channels/{channel}/messages?limit=100");
            if let Some(b) = &before {
                path.push_str(&format!("&before={b}"));
            }
            let page = self
                .ok(reqwest::Method::GET, &path, Some(token), Value::Null)
                .await;
            let page = page.as_array().expect("a page of messages").clone();
            let Some(last) = page.last() else {
                return all;
            };
            before = Some(last["id"].as_str().expect("id").to_owned());
            all.extend(page.iter().map(|m| {
                let id = m["id"].as_str().expect("id").to_owned();
                (id, m["content"].as_str().expect("content").to_owned())
            }));
        }
    }
}

/// A directory for one run's data and logs.
fn run_dir(backend: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "hearth-durability-{backend}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("run directory");
    dir
}

/// What the senders of one round saw.
#[derive(Debug, Default)]
struct Round {
    /// (id, content) of every message answered 200.
    acked: Vec<(String, String)>,
    /// Answers other than 200 (the server was up).
    refused: usize,
    /// Senders whose request failed without an answer (the server was gone).
    cut: usize,
}

/// `SENDERS` tasks post to `channel` until the server stops answering (`PER_SENDER` each at
/// most); once `kill_after` messages are acknowledged (or after 10 s), the server is killed
/// under them.
async fn round(
    server: &mut Server,
    token: &str,
    channel: &str,
    n: usize,
    kill_after: usize,
) -> Round {
    let seen = Arc::new(Mutex::new(Round::default()));
    let url = format!("{}/api/v10/channels/{channel}/messages", server.base);
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (seen, url, http) = (seen.clone(), url.clone(), server.http.clone());
        let token = token.to_owned();
        senders.push(tokio::spawn(async move {
            for m in 0..PER_SENDER {
                let content = format!("round {n} sender {s} message {m}");
                let res = http
                    .post(&url)
                    .header("Authorization", &token)
                    .json(&json!({"content": content}))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                let Ok(res) = res else {
                    seen.lock().unwrap().cut += 1;
                    return;
                };
                if res.status() != 200 {
                    seen.lock().unwrap().refused += 1;
                    continue;
                }
                // A 200 whose body the kill cut short names no id to look for.
                let Ok(v) = res.json::<Value>().await else {
                    seen.lock().unwrap().cut += 1;
                    return;
                };
                assert_eq!(v["content"], content.as_str(), "{v}");
                let id = v["id"].as_str().expect("id").to_owned();
                seen.lock().unwrap().acked.push((id, content));
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().acked.len() < kill_after && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    // Every sender fails on its next request; none waits longer than its timeout.
    for s in senders {
        s.await.expect("sender");
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}

/// Kills hearth `ROUNDS` times under `SENDERS` concurrent senders and checks, after each
/// restart, that every acknowledged message is in the history with its content.
async fn every_acknowledged_message_survives(db: TestDatabase, backend: &str) {
    let started = Instant::now();
    let dir = run_dir(backend);
    let mut server = Server::start(&db, &dir, "hearth-0.log", &[]).await;
    let token = server
        .ok(
            reqwest::Method::POST,
            "/auth/register",
            None,
            json!({"username": "owner", "password": "correct horse battery"}),
        )
        .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let guild = server
        .ok(
            reqwest::Method::POST,
            "/guilds",
            Some(&token),
            json!({"name": "Durable"}),
        )
        .await;
    let channel = guild["system_channel_id"]
        .as_str()
        .expect("channel")
        .to_owned();

    let mut acked: HashMap<String, String> = HashMap::new();
    for n in 0..ROUNDS {
        // Kill at a different point in each round.
        let kill_after = 50 + 100 * n;
        let seen = round(&mut server, &token, &channel, n, kill_after).await;
        assert!(
            !seen.acked.is_empty(),
            "round {n}: nothing was acknowledged"
        );
        assert!(seen.cut > 0, "round {n}: the kill interrupted no sender");
        for (id, content) in &seen.acked {
            let earlier = acked.insert(id.clone(), content.clone());
            assert!(
                earlier.is_none(),
                "id {id} was given to two messages: {earlier:?} and {content}"
            );
        }

        server = Server::start(&db, &dir, &format!("hearth-{}.log", n + 1), &[]).await;
        let history = server.history(&token, &channel).await;
        let stored: HashMap<&str, &str> = history
            .iter()
            .map(|(i, c)| (i.as_str(), c.as_str()))
            .collect();
        assert_eq!(stored.len(), history.len(), "the history lists an id twice");
        let lost: Vec<_> = acked
            .iter()
            .filter(|(id, content)| stored.get(id.as_str()) != Some(&content.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "{backend}, round {n}: {} of {} acknowledged messages are missing or changed after \
             the kill (logs in {}): {lost:?}",
            lost.len(),
            acked.len(),
            dir.display()
        );
        // Beyond the acknowledged ones, at most the request each sender had in flight.
        let unanswered = history.len() - acked.len();
        assert!(
            unanswered <= SENDERS * (n + 1),
            "{backend}, round {n}: {unanswered} stored messages were never acknowledged"
        );
        let contents: HashSet<&str> = stored.values().copied().collect();
        assert_eq!(contents.len(), stored.len(), "a message was stored twice");
        eprintln!(
            "{backend}, round {n}: {} acknowledged ({} in all), {} refused, {} senders cut off, \
             {unanswered} stored without an answer in all; {:?} so far",
            seen.acked.len(),
            acked.len(),
            seen.refused,
            seen.cut,
            started.elapsed()
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_message_survives_sigkill_on_sqlite() {
    every_acknowledged_message_survives(TestDatabase::sqlite(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_message_survives_sigkill_on_postgres() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    every_acknowledged_message_survives(db, "postgres").await;
}

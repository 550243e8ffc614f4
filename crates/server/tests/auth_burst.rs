//! A burst of logins cannot exhaust the machine: the real `hearth` binary (its own process, so
//! its memory can be read from `/proc`) is sent hundreds of concurrent wrong-password logins, and
//! its peak resident memory stays within the documented ceiling for password hashing
//! (`auth.hash_concurrency` x 19 MiB) above what it held before; every answer is 400 or 429, and
//! the right password still works afterwards. Runs on SQLite, and on PostgreSQL when
//! `HEARTH_TEST_POSTGRES_URL` is set.

use hearth_store::testing::TestDatabase;
use serde_json::{json, Value};

#[path = "support/process.rs"]
mod process;
use process::Server;

const MIB: u64 = 1024 * 1024;
/// argon2id's default memory cost, per running hash.
const HASH_MEMORY: u64 = 19 * MIB;
const CONCURRENCY: u64 = 2;
/// Concurrent logins in the burst (a 2 GiB peak before hashing was bounded: ~19 MiB each).
const BURST: usize = 120;
/// Room for everything else the burst holds: connections, request buffers, task stacks.
const SLACK: u64 = 48 * MIB;

async fn login(http: &reqwest::Client, base: &str, password: &str) -> (u16, Value) {
    let resp = http
        .post(format!("{base}/api/v10/auth/login"))
        .json(&json!({"login": "alice", "password": password}))
        .send()
        .await
        .expect("login");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn burst_stays_under_the_ceiling(db: TestDatabase, label: &str) {
    let dir = std::env::temp_dir().join(format!("hearth-burst-{}-{label}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let concurrency = CONCURRENCY.to_string();
    let env = [
        ("HEARTH_AUTH__HASH_CONCURRENCY", concurrency.as_str()),
        ("HEARTH_AUTH__HASH_QUEUE", "32"),
        // Throttles off: the burst is to reach the hasher.
        ("HEARTH_AUTH__LOGIN_PER_ACCOUNT__PER_MINUTE", "0"),
        ("HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE", "0"),
    ];
    let server = Server::start(&db, &dir, "hearth.log", &env).await;
    let http = server.http.clone();
    let base = server.base.clone();
    let reg = http
        .post(format!("{base}/api/v10/auth/register"))
        .json(&json!({"username": "alice", "password": "correct horse battery"}))
        .send()
        .await
        .expect("register");
    assert_eq!(reg.status().as_u16(), 201);
    // Warm up: both hashing buffers made, the connection pools filled.
    let warm =
        futures_util::future::join_all((0..4).map(|_| login(&http, &base, "warm up!!"))).await;
    assert!(warm.iter().all(|(s, _)| *s == 400));
    let (before, _) = server.memory();

    let burst = (0..BURST).map(|_| login(&http, &base, "wrong password!"));
    let answers = futures_util::future::join_all(burst).await;
    let (after, peak) = server.memory();

    let mut refused = 0;
    for (status, body) in &answers {
        match status {
            400 => assert_eq!(body["code"], 50035, "{body}"),
            429 => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let ceiling = before + CONCURRENCY * HASH_MEMORY + SLACK;
    eprintln!(
        "burst of {BURST}: {refused} refused with 429; RSS before {} MiB, peak {} MiB, after {} MiB, ceiling {} MiB",
        before / MIB,
        peak / MIB,
        after / MIB,
        ceiling / MIB
    );
    assert!(refused > 0, "the queue should have overflowed");
    assert!(peak <= ceiling, "peak {peak} over {ceiling}");
    assert!(after <= ceiling, "after {after} over {ceiling}");
    assert_eq!(login(&http, &base, "correct horse battery").await.0, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_burst_stays_within_the_hashing_memory_ceiling_on_sqlite() {
    burst_stays_under_the_ceiling(TestDatabase::sqlite(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_burst_stays_within_the_hashing_memory_ceiling_on_postgres() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    burst_stays_under_the_ceiling(db, "postgres").await;
}

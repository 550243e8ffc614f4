//! Cluster mode: several `hearth` processes on one PostgreSQL database and one NATS server.
//!
//! Needs `HEARTH_TEST_POSTGRES_URL` and `HEARTH_TEST_NATS_URL`; skipped with a notice without
//! them. Each test makes a database of its own and a NATS subject prefix of its own, and starts
//! real nodes (the built binary) on loopback ports; a node is killed with SIGKILL.
#![allow(clippy::too_many_lines)] // each test is one cluster scenario, read top to bottom

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hearth_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// What every node of one test shares.
struct Cluster {
    db: TestDatabase,
    nats: String,
    prefix: String,
    dir: PathBuf,
    http: reqwest::Client,
}

/// One running node.
struct Node {
    name: &'static str,
    port: u16,
    child: Option<Child>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Node {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then waits for the process to exit; returns whether it exited successfully.
    fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else {
            return false;
        };
        let sent = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        c.wait().expect("wait").success()
    }

    /// SIGKILL: no shutdown, no goodbye to NATS or the database.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("kill");
            c.wait().expect("reap");
        }
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Cluster {
    async fn new() -> Option<Cluster> {
        let Ok(nats) = std::env::var("HEARTH_TEST_NATS_URL") else {
            eprintln!("HEARTH_TEST_NATS_URL is not set: skipping the cluster test");
            return None;
        };
        let db = TestDatabase::postgres().await?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        let prefix = format!("c{}x{nanos}", std::process::id());
        let dir = std::env::temp_dir().join(&prefix);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Some(Cluster {
            db,
            nats,
            prefix,
            dir,
            http: reqwest::Client::new(),
        })
    }

    /// Starts a node on `port` (a fresh one when None) and waits until it is healthy.
    async fn start(&self, name: &'static str, port: Option<u16>) -> Node {
        self.start_with(name, port, &[]).await
    }

    /// [`Cluster::start`] with extra environment variables.
    async fn start_with(
        &self,
        name: &'static str,
        port: Option<u16>,
        env: &[(&str, &str)],
    ) -> Node {
        let port = port.unwrap_or_else(free_port);
        let log = std::fs::File::create(self.dir.join(format!("{name}-{port}.log"))).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(self.dir.join(name))
            .env("HEARTH_DATABASE__URL", &self.db.url)
            .env("HEARTH_BUS__URL", &self.nats)
            .env("HEARTH_BUS__SUBJECT_PREFIX", &self.prefix)
            .env("HEARTH_CLUSTER__LEASE_SECS", "3")
            // The tests register many people from one address.
            .env("HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE", "0")
            .env("HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE", "0")
            .env(
                "HEARTH_CLUSTER__NODE_URL",
                format!("http://127.0.0.1:{port}"),
            )
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start hearth");
        let node = Node {
            name,
            port,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self
                .http
                .get(format!("{}/healthz", node.base()))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ok {
                return node;
            }
            assert!(
                Instant::now() < deadline,
                "node {name} did not become healthy; see {}",
                self.dir.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn health(&self, node: &Node) -> Value {
        self.http
            .get(format!("{}/healthz", node.base()))
            .send()
            .await
            .expect("healthz")
            .json()
            .await
            .expect("json")
    }

    async fn call(
        &self,
        node: &Node,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut req = self
            .http
            .request(method, format!("{}/api/v10{path}", node.base()))
            .timeout(Duration::from_secs(10));
        if let Some(t) = token {
            req = req.header("Authorization", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        let text = res.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// A call that must answer `want`.
    async fn ok(
        &self,
        node: &Node,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, v) = self
            .call(node, method.clone(), path, token, body)
            .await
            .expect("request");
        assert!(
            (200..300).contains(&status),
            "{method} {path} on {}: {status} {v}",
            node.name
        );
        v
    }

    async fn register(&self, node: &Node, name: &str) -> (String, String) {
        let body = json!({"username": name, "password": "correct horse battery"});
        let token = self
            .ok(node, Method::POST, "/auth/register", None, Some(body))
            .await["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let id = self
            .ok(node, Method::GET, "/users/@me", Some(&token), None)
            .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        (token, id)
    }

    /// A guild owned by `owner` (made through `node`) that `others` joined; returns (guild id,
    /// general channel id).
    async fn guild(&self, node: &Node, owner: &str, others: &[&str]) -> (String, String) {
        let g = self
            .ok(
                node,
                Method::POST,
                "/guilds",
                Some(owner),
                Some(json!({"name": "Cluster"})),
            )
            .await;
        let general = g["system_channel_id"].as_str().expect("channel").to_owned();
        let invite = self
            .ok(
                node,
                Method::POST,
                &format!("/channels/{general}/invites"),
                Some(owner),
                Some(json!({})),
            )
            .await;
        let code = invite["code"].as_str().expect("code");
        for t in others {
            self.ok(
                node,
                Method::POST,
                &format!("/invites/{code}"),
                Some(t),
                Some(json!({})),
            )
            .await;
        }
        (g["id"].as_str().expect("id").to_owned(), general)
    }

    async fn say(&self, node: &Node, token: &str, channel: &str, content: &str) -> Value {
        self.ok(
            node,
            Method::POST,
            &format!("/channels/{channel}/messages"),
            Some(token),
            Some(json!({"content": content})),
        )
        .await
    }
}

/// What a gateway client sees: dispatches, or how its connection ended.
#[derive(Debug)]
enum Seen {
    Payload(Value),
    Closed(Option<u16>),
}

/// A gateway client: a task reads the socket (and heartbeats) and hands over what it sees.
struct Client {
    rx: mpsc::UnboundedReceiver<Seen>,
    out: mpsc::UnboundedSender<Value>,
    ready: Value,
}

const ALL_INTENTS: u64 = 3_276_799 | (1 << 15);

impl Client {
    /// Connects to `node` and identifies (`device` sets the IDENTIFY `os`).
    async fn identify(node: &Node, token: &str, os: &str) -> Client {
        let mut c = Client::open(node).await;
        c.send(json!({"op": 2, "d": {
            "token": token, "intents": ALL_INTENTS,
            "properties": {"os": os, "browser": "hearth-test", "device": "hearth-test"},
        }}));
        c.ready = c.dispatch("READY").await;
        c
    }

    async fn open(node: &Node) -> Client {
        let url = format!("ws://127.0.0.1:{}/gateway?v=10&encoding=json", node.port);
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("gateway connects");
        let (mut sink, mut stream) = ws.split();
        let (tx, rx) = mpsc::unbounded_channel();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            let period = Duration::from_secs(5);
            let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                tokio::select! {
                    msg = stream.next() => match msg {
                        Some(Ok(Message::Text(t))) => {
                            let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                            // Heartbeat ACKs are the transport's business.
                            if v["op"] != 11 {
                                let _ = tx.send(Seen::Payload(v));
                            }
                        }
                        Some(Ok(Message::Close(frame))) => {
                            let _ = tx.send(Seen::Closed(frame.map(|f| u16::from(f.code))));
                            return;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            let _ = tx.send(Seen::Closed(None));
                            return;
                        }
                    },
                    Some(v) = out_rx.recv() => {
                        if sink.send(Message::Text(v.to_string().into())).await.is_err() {
                            let _ = tx.send(Seen::Closed(None));
                            return;
                        }
                    }
                    _ = beat.tick() => {
                        let _ = sink.send(Message::Text(r#"{"op":1,"d":null}"#.into())).await;
                    }
                }
            }
        });
        let mut c = Client {
            rx,
            out,
            ready: Value::Null,
        };
        let hello = c.next(Duration::from_secs(5)).await;
        assert!(
            matches!(&hello, Some(Seen::Payload(v)) if v["op"] == 10),
            "{hello:?}"
        );
        c
    }

    fn send(&self, v: Value) {
        let _ = self.out.send(v);
    }

    async fn next(&mut self, wait: Duration) -> Option<Seen> {
        tokio::time::timeout(wait, self.rx.recv()).await.ok()?
    }

    /// The next dispatch named `name` (others skipped), within 10 s.
    async fn dispatch(&mut self, name: &str) -> Value {
        self.dispatch_where(name, |_| true).await
    }

    /// The next dispatch named `name` whose payload passes `test`, within 10 s.
    async fn dispatch_where(&mut self, name: &str, test: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(Seen::Payload(v)) if v["op"] == 0 && v["t"] == name && test(&v["d"]) => {
                    return v["d"].clone();
                }
                Some(Seen::Payload(_)) => {}
                other => panic!("waiting for {name}: {other:?}"),
            }
        }
    }

    /// How the connection ends (payloads skipped), within `wait`.
    async fn closed(&mut self, wait: Duration) -> Option<u16> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(Seen::Closed(code)) => return code,
                Some(Seen::Payload(_)) => {}
                None => panic!("the connection did not close within {wait:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_through_any_node_reach_clients_on_every_node() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let mut b = cl.start("b", None).await;
    let c = cl.start("c", None).await;

    // Three nodes, three node ids.
    let mut ids = HashSet::new();
    for n in [&a, &b, &c] {
        let h: Value = cl
            .http
            .get(format!("{}/healthz", n.base()))
            .send()
            .await
            .expect("healthz")
            .json()
            .await
            .expect("json");
        assert_eq!(
            (h["status"].as_str(), h["bus"].as_str()),
            (Some("ok"), Some("nats"))
        );
        ids.insert(h["node_id"].as_u64().expect("node id"));
    }
    let b_id = cl.health(&b).await["node_id"].as_u64().expect("node id");
    assert_eq!(ids.len(), 3, "every node leased an id of its own");

    let (alice, _) = cl.register(&a, "alice").await;
    let (bob, bob_id) = cl.register(&b, "bob").await;
    let (guild, general) = cl.guild(&a, &alice, &[&bob]).await;

    let mut on_a = Client::identify(&a, &alice, "linux").await;
    assert_eq!(
        on_a.ready["resume_gateway_url"],
        format!("ws://127.0.0.1:{}/gateway", a.port),
        "resuming goes to the node holding the session"
    );
    on_a.dispatch("GUILD_CREATE").await;

    // A message made on B, edited and deleted on C, reaches A.
    let m = cl.say(&b, &bob, &general, "made on b").await;
    let id = m["id"].as_str().expect("id").to_owned();
    let got = on_a.dispatch("MESSAGE_CREATE").await;
    assert_eq!(
        (got["id"].as_str(), got["content"].as_str()),
        (Some(id.as_str()), Some("made on b"))
    );
    cl.ok(
        &c,
        Method::PATCH,
        &format!("/channels/{general}/messages/{id}"),
        Some(&bob),
        Some(json!({"content": "edited on c"})),
    )
    .await;
    assert_eq!(
        on_a.dispatch("MESSAGE_UPDATE").await["content"],
        "edited on c"
    );
    cl.ok(
        &c,
        Method::DELETE,
        &format!("/channels/{general}/messages/{id}"),
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(on_a.dispatch("MESSAGE_DELETE").await["id"], id.as_str());

    // Presence: bob on C (desktop) then also on B (mobile) is one presence with both devices.
    let is_bob = |d: &Value| d["user"]["id"] == bob_id.as_str();
    let mut bob_c = Client::identify(&c, &bob, "linux").await;
    let p = on_a.dispatch_where("PRESENCE_UPDATE", is_bob).await;
    assert_eq!(
        (p["status"].as_str(), p["guild_id"].as_str()),
        (Some("online"), Some(guild.as_str()))
    );
    assert_eq!(p["client_status"], json!({"desktop": "online"}));
    let bob_b = Client::identify(&b, &bob, "android").await;
    let p = on_a.dispatch_where("PRESENCE_UPDATE", is_bob).await;
    assert_eq!(
        p["client_status"],
        json!({"desktop": "online", "mobile": "online"})
    );
    // A status set on B applies to the account, on every device.
    bob_b.send(
        json!({"op": 3, "d": {"status": "dnd", "activities": [], "since": null, "afk": false}}),
    );
    let p = on_a.dispatch_where("PRESENCE_UPDATE", is_bob).await;
    assert_eq!(
        p["client_status"],
        json!({"desktop": "dnd", "mobile": "dnd"})
    );
    // Counts read on any node cover every node.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let g = cl
            .ok(
                &b,
                Method::GET,
                &format!("/guilds/{guild}?with_counts=true"),
                Some(&alice),
                None,
            )
            .await;
        if g["approximate_presence_count"] == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "presence count {g}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A session lives on its node: resuming it elsewhere is refused and the client identifies.
    let session = bob_c.ready["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let mut elsewhere = Client::open(&a).await;
    elsewhere.send(json!({"op": 6, "d": {"token": bob, "session_id": session, "seq": 1}}));
    match elsewhere.next(Duration::from_secs(5)).await {
        Some(Seen::Payload(v)) => assert_eq!(
            (v["op"].as_u64(), v["d"].as_bool()),
            (Some(9), Some(false)),
            "{v}"
        ),
        other => panic!("resume on another node: {other:?}"),
    }

    // Logging out through A closes the sessions of that token on B and C at once (4004)...
    cl.ok(&a, Method::POST, "/auth/logout", Some(&bob), None)
        .await;
    assert_eq!(bob_c.closed(Duration::from_secs(5)).await, Some(4004));
    let mut bob_b = bob_b;
    assert_eq!(bob_b.closed(Duration::from_secs(5)).await, Some(4004));
    // ... and bob's presence goes offline.
    let p = on_a
        .dispatch_where("PRESENCE_UPDATE", |d| is_bob(d) && d["status"] == "offline")
        .await;
    assert_eq!(p["client_status"], json!({}));

    // Leaving through A ends the guild for bob's session on C.
    let login = json!({"login": "bob", "password": "correct horse battery"});
    let bob = cl
        .ok(&b, Method::POST, "/auth/login", None, Some(login))
        .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut bob_c = Client::identify(&c, &bob, "linux").await;
    bob_c.dispatch("GUILD_CREATE").await;
    cl.ok(
        &a,
        Method::DELETE,
        &format!("/users/@me/guilds/{guild}"),
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(bob_c.dispatch("GUILD_DELETE").await["id"], guild.as_str());
    // ... and its events stop reaching him there, while alice still gets them.
    cl.say(&a, &alice, &general, "after bob left").await;
    on_a.dispatch_where("MESSAGE_CREATE", |d| d["content"] == "after bob left")
        .await;
    let (ghost, _) = cl.register(&c, "ghost").await;
    let (_, elsewhere_channel) = cl.guild(&c, &bob, &[&ghost]).await;
    cl.say(&c, &ghost, &elsewhere_channel, "marker").await;
    // (The first message there is ghost's join message.)
    let next = bob_c
        .dispatch_where("MESSAGE_CREATE", |d| d["type"] == 0)
        .await;
    assert_eq!(
        next["content"], "marker",
        "bob got {next} from a guild he left"
    );

    // Stopping a node: its clients are asked to reconnect (op 7), its users go offline at once
    // (not after its lease expires), and its node id is free for the next node.
    let (carol, carol_id) = cl.register(&a, "carol").await;
    let code = cl
        .ok(
            &a,
            Method::POST,
            &format!("/channels/{general}/invites"),
            Some(&alice),
            Some(json!({})),
        )
        .await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    cl.ok(
        &a,
        Method::POST,
        &format!("/invites/{code}"),
        Some(&carol),
        Some(json!({})),
    )
    .await;
    let mut carol_b = Client::identify(&b, &carol, "linux").await;
    let is_carol = |d: &Value| d["user"]["id"] == carol_id.as_str();
    on_a.dispatch_where("PRESENCE_UPDATE", |d| {
        is_carol(d) && d["status"] == "online"
    })
    .await;
    let stopping = Instant::now();
    let stopper = std::thread::spawn(move || b.terminate());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match carol_b.next(left).await {
            Some(Seen::Payload(v)) if v["op"] == 7 => break,
            Some(Seen::Payload(_)) => {}
            other => panic!("waiting for RECONNECT: {other:?}"),
        }
    }
    on_a.dispatch_where("PRESENCE_UPDATE", |d| {
        is_carol(d) && d["status"] == "offline"
    })
    .await;
    eprintln!(
        "a stopped node's users offline {:?} after SIGTERM",
        stopping.elapsed()
    );
    assert!(stopper.join().expect("stopper"), "node b exited cleanly");
    let b_id = b_id.to_string();
    let again = cl
        .start_with("b2", None, &[("HEARTH_NODE_ID", &b_id)])
        .await;
    assert_eq!(cl.health(&again).await["node_id"].to_string(), b_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_loses_nothing_acknowledged_and_its_clients_move_on() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let b = cl.start("b", None).await;
    let mut c = cl.start("c", None).await;
    let c_port = c.port;

    let (owner, _) = cl.register(&a, "owner").await;
    let mut senders = Vec::new();
    for i in 0..3 {
        senders.push(cl.register(&b, &format!("sender{i}")).await.0);
    }
    let mut listeners = Vec::new();
    for i in 0..3 {
        listeners.push(cl.register(&c, &format!("listener{i}")).await.0);
    }
    let (watcher, watcher_id) = cl.register(&c, "watcher").await;
    let mut others: Vec<&str> = senders.iter().map(String::as_str).collect();
    others.extend(listeners.iter().map(String::as_str));
    others.push(&watcher);
    let (_, general) = cl.guild(&a, &owner, &others).await;

    let mut on_a = Client::identify(&a, &owner, "linux").await;
    let mut on_c = Vec::new();
    for t in &listeners {
        on_c.push(Client::identify(&c, t, "linux").await);
    }
    let _watcher_on_c = Client::identify(&c, &watcher, "linux").await;
    on_a.dispatch_where("PRESENCE_UPDATE", |d| {
        d["user"]["id"] == watcher_id.as_str() && d["status"] == "online"
    })
    .await;

    // A steady load: each sender posts through A, B and C in turn; what was answered 200 is
    // acknowledged.
    let nodes = Arc::new(vec![a.base(), b.base(), c.base()]);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for (i, token) in senders.iter().enumerate() {
        let (nodes, acked, failed, stop) =
            (nodes.clone(), acked.clone(), failed.clone(), stop.clone());
        let (token, general, http) = (token.clone(), general.clone(), cl.http.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) && n < 2_000 {
                let base = &nodes[(n + i) % nodes.len()];
                let res = http
                    .post(format!("{base}/api/v10/channels/{general}/messages"))
                    .header("Authorization", &token)
                    .json(&json!({"content": format!("s{i} m{n}")}))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 200 => {
                        let v: Value = r.json().await.expect("json");
                        acked
                            .lock()
                            .unwrap()
                            .push(v["id"].as_str().expect("id").to_owned());
                    }
                    _ => *failed.lock().unwrap() += 1,
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before_kill = acked.lock().unwrap().len();
    let killed_at = Instant::now();
    c.kill();

    // C's clients see their connection drop, try to resume on another node, are refused, and
    // identify there.
    let survivors = [&a, &b];
    let mut moved = Vec::new();
    for (i, mut client) in on_c.into_iter().enumerate() {
        let session = client.ready["session_id"]
            .as_str()
            .expect("session")
            .to_owned();
        client.closed(Duration::from_secs(5)).await;
        let to = survivors[i % 2];
        let mut again = Client::open(to).await;
        again.send(json!({"op": 6, "d": {"token": listeners[i], "session_id": session, "seq": 1}}));
        match again.next(Duration::from_secs(5)).await {
            Some(Seen::Payload(v)) => assert_eq!(v["op"], 9, "{v}"),
            other => panic!("resume after the kill: {other:?}"),
        }
        drop(again);
        moved.push(Client::identify(to, &listeners[i], "linux").await);
    }
    let reconnected = killed_at.elapsed();
    eprintln!("clients of the killed node identified on the others {reconnected:?} after the kill");
    assert!(reconnected < Duration::from_secs(5), "took {reconnected:?}");

    // The watcher was only on C: its presence goes offline once C's lease runs out.
    on_a.dispatch_where("PRESENCE_UPDATE", |d| {
        d["user"]["id"] == watcher_id.as_str() && d["status"] == "offline"
    })
    .await;
    let offline_after = killed_at.elapsed();
    eprintln!("presence of the killed node's users offline {offline_after:?} after the kill");

    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.expect("sender");
    }
    let acked: Vec<String> = acked.lock().unwrap().clone();
    let failed = *failed.lock().unwrap();
    eprintln!(
        "{} messages acknowledged ({before_kill} before the kill), {failed} failed",
        acked.len()
    );
    assert!(acked.len() > before_kill, "sending went on after the kill");
    assert!(failed > 0, "some sends went to the dead node");

    // The moved clients receive what is sent now.
    cl.say(&a, &owner, &general, "after the kill").await;
    for client in &mut moved {
        client
            .dispatch_where("MESSAGE_CREATE", |d| d["content"] == "after the kill")
            .await;
    }

    // Every acknowledged message is in the history.
    let mut stored = HashSet::new();
    let mut before: Option<String> = None;
    loop {
        let mut path = format!("/channels/{general}/messages?limit=100");
        if let Some(b) = &before {
            path.push_str(&format!("&before={b}"));
        }
        let page = cl.ok(&b, Method::GET, &path, Some(&owner), None).await;
        let page = page.as_array().expect("page").clone();
        if page.is_empty() {
            break;
        }
        before = page
            .last()
            .and_then(|m| m["id"].as_str())
            .map(str::to_owned);
        stored.extend(
            page.iter()
                .filter_map(|m| m["id"].as_str().map(str::to_owned)),
        );
    }
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost: {lost:?}",
        lost.len()
    );

    // The node comes back on its port and takes part again.
    let c = cl.start("c", Some(c_port)).await;
    let mut back = Client::identify(&c, &listeners[0], "linux").await;
    cl.say(&a, &owner, &general, "to the restarted node").await;
    back.dispatch_where("MESSAGE_CREATE", |d| {
        d["content"] == "to the restarted node"
    })
    .await;
    drop(moved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_channels_stay_private_on_every_node_as_views_change() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let b = cl.start("b", None).await;
    let (alice, _) = cl.register(&a, "alice").await;
    let (bob, bob_id) = cl.register(&a, "bob").await;
    let (carol, carol_id) = cl.register(&a, "carol").await;
    let (guild, general) = cl.guild(&a, &alice, &[&bob, &carol]).await;
    // Bob and Carol are on B; every change below is made through A.
    let mut on_b_bob = Client::identify(&b, &bob, "linux").await;
    let mut on_b_carol = Client::identify(&b, &carol, "linux").await;
    on_b_bob.dispatch("GUILD_CREATE").await;
    on_b_carol.dispatch("GUILD_CREATE").await;
    let view = (1u64 << 10).to_string();
    let secret = cl
        .ok(
            &a,
            Method::POST,
            &format!("/guilds/{guild}/channels"),
            Some(&alice),
            Some(json!({"name": "secret", "permission_overwrites": [
                {"id": guild, "type": 0, "deny": view},
                {"id": carol_id, "type": 1, "allow": view},
            ]})),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(on_b_carol.dispatch("CHANNEL_CREATE").await["id"], secret);
    cl.say(&a, &alice, &secret, "for carol").await;
    cl.say(&a, &alice, &general, "for all").await;
    assert_eq!(
        on_b_carol.dispatch("MESSAGE_CREATE").await["content"],
        "for carol"
    );
    let next = on_b_bob.dispatch("MESSAGE_CREATE").await;
    assert_eq!(
        next["content"], "for all",
        "bob never sees the secret channel"
    );
    // Let in through A: CHANNEL_CREATE on B, and its messages follow.
    cl.ok(
        &a,
        Method::PUT,
        &format!("/channels/{secret}/permissions/{bob_id}"),
        Some(&alice),
        Some(json!({"type": 1, "allow": view})),
    )
    .await;
    assert_eq!(on_b_bob.dispatch("CHANNEL_CREATE").await["id"], secret);
    cl.say(&a, &alice, &secret, "now bob too").await;
    assert_eq!(
        on_b_bob.dispatch("MESSAGE_CREATE").await["content"],
        "now bob too"
    );
    // Shut out again (through B this time): CHANNEL_DELETE, and nothing more of it.
    cl.ok(
        &b,
        Method::DELETE,
        &format!("/channels/{secret}/permissions/{bob_id}"),
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(on_b_bob.dispatch("CHANNEL_DELETE").await["id"], secret);
    cl.say(&a, &alice, &secret, "bob is out").await;
    cl.say(&a, &alice, &general, "marker").await;
    assert_eq!(
        on_b_bob.dispatch("MESSAGE_CREATE").await["content"],
        "marker"
    );
}

/// REST on each node checks permissions against that node's guild state, which follows the
/// bus: a permission taken away through A is refused by B's REST once B has the change (here:
/// as soon as a client on B has been told of it, and at the latest shortly after A answered),
/// and it stays refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permission_taken_away_through_one_node_is_enforced_by_the_other_nodes_rest() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let b = cl.start("b", None).await;
    let (alice, _) = cl.register(&a, "alice").await;
    let (bob, bob_id) = cl.register(&a, "bob").await;
    let (_guild, general) = cl.guild(&a, &alice, &[&bob]).await;
    // B keeps the guild's state: Bob posts through B, and Alice watches from B.
    cl.say(&b, &bob, &general, "before").await;
    let mut on_b = Client::identify(&b, &alice, "linux").await;
    on_b.dispatch("GUILD_CREATE").await;
    let send = (1u64 << 11).to_string();
    let post = |content: &'static str| {
        let (cl, b, bob, general) = (&cl, &b, &bob, &general);
        async move {
            cl.call(
                b,
                Method::POST,
                &format!("/channels/{general}/messages"),
                Some(bob),
                Some(json!({ "content": content })),
            )
            .await
            .expect("request")
        }
    };
    for round in 0..3 {
        // Taken away through A.
        cl.ok(
            &a,
            Method::PUT,
            &format!("/channels/{general}/permissions/{bob_id}"),
            Some(&alice),
            Some(json!({"type": 1, "deny": send})),
        )
        .await;
        // The moment B tells a client, B's REST refuses.
        on_b.dispatch("CHANNEL_UPDATE").await;
        let (status, body) = post("after").await;
        assert_eq!(status, 403, "round {round}: {body}");
        assert_eq!(body["code"], 50013);
        // Given back through A: B's REST lets Bob post again once B has the change.
        cl.ok(
            &a,
            Method::DELETE,
            &format!("/channels/{general}/permissions/{bob_id}"),
            Some(&alice),
            None,
        )
        .await;
        on_b.dispatch("CHANNEL_UPDATE").await;
        let (status, body) = post("again").await;
        assert_eq!(status, 200, "round {round}: {body}");
    }
    // Taken away once more, B is polled briefly after A's answer (no client needed).
    cl.ok(
        &a,
        Method::PUT,
        &format!("/channels/{general}/permissions/{bob_id}"),
        Some(&alice),
        Some(json!({"type": 1, "deny": send})),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let (status, _) = post("racing").await;
        if status == 403 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "B still grants");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for _ in 0..5 {
        assert_eq!(post("never").await.0, 403, "no stale grant comes back");
    }
}

/// DMs and friends across nodes: a DM opened and written through A reaches its recipient on B
/// once (events of private channels travel on each recipient's own subject), and a friend's
/// presence set on A reaches B without a guild.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dms_and_friends_presence_cross_nodes_once() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let b = cl.start("b", None).await;
    let (ann, ann_id) = cl.register(&a, "ann").await;
    let (ben, ben_id) = cl.register(&b, "ben").await;
    let mut on_a_ann = Client::identify(&a, &ann, "linux").await;
    let mut on_b_ben = Client::identify(&b, &ben, "linux").await;
    // Friends, through both nodes.
    cl.ok(
        &a,
        Method::POST,
        "/users/@me/relationships",
        Some(&ann),
        Some(json!({"username": "ben"})),
    )
    .await;
    cl.ok(
        &b,
        Method::PUT,
        &format!("/users/@me/relationships/{ann_id}"),
        Some(&ben),
        Some(json!({})),
    )
    .await;
    let friend = |id: &str| {
        let id = id.to_owned();
        move |d: &Value| d["id"] == id.as_str() && d["type"] == 1
    };
    on_b_ben
        .dispatch_where("RELATIONSHIP_ADD", friend(&ann_id))
        .await;
    on_a_ann
        .dispatch_where("RELATIONSHIP_ADD", friend(&ben_id))
        .await;
    // A DM through A: its CHANNEL_CREATE and messages reach ben on B, each once.
    let dm = cl
        .ok(
            &a,
            Method::POST,
            "/users/@me/channels",
            Some(&ann),
            Some(json!({"recipient_id": ben_id})),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(on_b_ben.dispatch("CHANNEL_CREATE").await["id"], dm);
    for text in ["one", "two"] {
        cl.say(&a, &ann, &dm, text).await;
    }
    for text in ["one", "two"] {
        let m = on_b_ben.dispatch("MESSAGE_CREATE").await;
        assert_eq!(
            (m["content"].as_str(), m["channel_type"].as_u64()),
            (Some(text), Some(1))
        );
        assert!(m.get("guild_id").is_none(), "{m}");
    }
    // Ben answers through B; ann on A gets it (after her own two).
    cl.say(&b, &ben, &dm, "three").await;
    on_a_ann
        .dispatch_where("MESSAGE_CREATE", |d| d["content"] == "three")
        .await;
    // Ann turns dnd on A: ben on B is told, without a guild, once.
    on_a_ann.send(
        json!({"op": 3, "d": {"status": "dnd", "since": null, "activities": [], "afk": false}}),
    );
    let p = on_b_ben
        .dispatch_where("PRESENCE_UPDATE", |d| d["status"] == "dnd")
        .await;
    assert_eq!(p["user"]["id"], ann_id.as_str());
    assert!(p.get("guild_id").is_none(), "{p}");
    cl.say(&a, &ann, &dm, "marker").await;
    loop {
        match on_b_ben.next(Duration::from_secs(10)).await {
            Some(Seen::Payload(v)) if v["t"] == "MESSAGE_CREATE" => {
                assert_eq!(v["d"]["content"], "marker", "nothing repeated before it");
                break;
            }
            Some(Seen::Payload(v)) if v["t"] == "PRESENCE_UPDATE" => {
                assert_ne!(v["d"]["status"], "dnd", "the dnd presence came twice: {v}");
            }
            Some(Seen::Payload(_)) => {}
            other => panic!("waiting for the marker: {other:?}"),
        }
    }
}
/// The next dispatch whose name is one of `names` (others skipped), as (name, d), within 10 s.
async fn next_of(c: &mut Client, names: &[&str]) -> (String, Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match c.next(left).await {
            Some(Seen::Payload(v))
                if v["op"] == 0 && names.iter().any(|n| v["t"].as_str() == Some(*n)) =>
            {
                return (
                    v["t"].as_str().unwrap_or_default().to_owned(),
                    v["d"].clone(),
                );
            }
            Some(Seen::Payload(_)) => {}
            other => panic!("waiting for one of {names:?}: {other:?}"),
        }
    }
}

/// Directed invites in a cluster: each event reaches each session of the invite's two users
/// once, on whichever node (and no one else's), and when every node runs the purge, an
/// expired invite is announced once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directed_invites_reach_their_two_users_once_on_every_node() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let purge = [("HEARTH_INVITES__PURGE_INTERVAL_SECS", "1")];
    let a = cl.start_with("a", None, &purge).await;
    let b = cl.start_with("b", None, &purge).await;
    let (alice, _) = cl.register(&a, "alice").await;
    let (bob, bob_id) = cl.register(&a, "bob").await;
    let (carol, _) = cl.register(&a, "carol").await;
    let (dave, dave_id) = cl.register(&a, "dave").await;
    let (guild, general) = cl.guild(&a, &alice, &[&carol]).await;
    // Alice on both nodes; Bob, Carol and Dave on B; every invite is made through A.
    let mut alice_a = Client::identify(&a, &alice, "linux").await;
    let mut alice_b = Client::identify(&b, &alice, "android").await;
    let mut bob_b = Client::identify(&b, &bob, "linux").await;
    let mut carol_b = Client::identify(&b, &carol, "linux").await;
    let mut dave_b = Client::identify(&b, &dave, "linux").await;
    carol_b.dispatch("GUILD_CREATE").await;
    let names = ["DIRECTED_INVITE_CREATE", "DIRECTED_INVITE_UPDATE"];
    let path = format!("/guilds/{guild}/directed-invites");

    // Sent through A, accepted through B.
    let sent = cl
        .ok(
            &a,
            Method::POST,
            &path,
            Some(&alice),
            Some(json!({"recipient_id": bob_id})),
        )
        .await;
    let accept = format!(
        "/users/@me/directed-invites/{}/accept",
        sent["id"].as_str().unwrap()
    );
    for c in [&mut alice_a, &mut alice_b, &mut bob_b] {
        assert_eq!(
            next_of(c, &names).await,
            (names[0].to_owned(), sent.clone())
        );
    }
    let accepted = cl.ok(&b, Method::POST, &accept, Some(&bob), None).await;
    assert_eq!(accepted["status"], 1);
    // Bob gains the guild first (as joining by a code does), then the update.
    assert_eq!(bob_b.dispatch("GUILD_CREATE").await["id"], guild.as_str());
    for c in [&mut alice_a, &mut alice_b, &mut bob_b] {
        // The next one is the update: the creation came once.
        assert_eq!(
            next_of(c, &names).await,
            (names[1].to_owned(), accepted.clone())
        );
    }

    // Expiring: both nodes purge, Dave and Alice are told once.
    let short = cl
        .ok(
            &a,
            Method::POST,
            &path,
            Some(&alice),
            Some(json!({"recipient_id": dave_id, "max_age": 1})),
        )
        .await;
    assert_eq!(next_of(&mut dave_b, &names).await.0, names[0]);
    let (t, expired) = next_of(&mut dave_b, &names).await;
    assert_eq!(
        (t.as_str(), &expired["id"], &expired["status"]),
        (names[1], &short["id"], &json!(4))
    );
    for c in [&mut alice_a, &mut alice_b] {
        assert_eq!(next_of(c, &names).await.0, names[0]);
        assert_eq!(
            next_of(c, &names).await,
            (names[1].to_owned(), expired.clone())
        );
    }
    // A marker after a few purges: the next event each sees is the new invite, not a repeat.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let marker = cl
        .ok(
            &a,
            Method::POST,
            &path,
            Some(&alice),
            Some(json!({"recipient_id": dave_id})),
        )
        .await;
    for c in [&mut dave_b, &mut alice_a, &mut alice_b] {
        assert_eq!(
            next_of(c, &names).await,
            (names[0].to_owned(), marker.clone())
        );
    }
    // Carol, a member but no party, saw none of it.
    cl.say(&a, &alice, &general, "marker").await;
    let kinds = [
        "DIRECTED_INVITE_CREATE",
        "DIRECTED_INVITE_UPDATE",
        "MESSAGE_CREATE",
    ];
    let (mut t, mut d) = next_of(&mut carol_b, &kinds).await;
    // Bob's join message (type 7) may come first.
    if t == "MESSAGE_CREATE" && d["type"] == 7 {
        (t, d) = next_of(&mut carol_b, &kinds).await;
    }
    assert_eq!(
        (t.as_str(), &d["content"]),
        ("MESSAGE_CREATE", &json!("marker"))
    );
}

/// Guests on two nodes: a guest admitted through A and connected to B sees only their channel
/// and only its messages; both nodes sweep every second, and when the guest's access expires
/// they are removed once: one GUILD_MEMBER_REMOVE reaches the owner, one GUILD_DELETE the
/// guest, one audit entry is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_is_confined_on_every_node_and_removed_once_when_expired() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let sweep = [("HEARTH_GUESTS__SWEEP_INTERVAL_SECS", "1")];
    let a = cl.start_with("a", None, &sweep).await;
    let b = cl.start_with("b", None, &sweep).await;
    let (alice, _) = cl.register(&a, "alice").await;
    let (gus, gus_id) = cl.register(&a, "gus").await;
    let (guild, general) = cl.guild(&a, &alice, &[]).await;
    let lounge = cl
        .ok(
            &a,
            Method::POST,
            &format!("/guilds/{guild}/channels"),
            Some(&alice),
            Some(json!({"name": "lounge"})),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let invite = cl
        .ok(
            &a,
            Method::POST,
            &format!("/channels/{general}/invites"),
            Some(&alice),
            Some(json!({"hearth_guest": true})),
        )
        .await;
    let code = invite["code"].as_str().expect("code");
    cl.ok(
        &a,
        Method::POST,
        &format!("/invites/{code}"),
        Some(&gus),
        Some(json!({})),
    )
    .await;
    let mut on_a_alice = Client::identify(&a, &alice, "linux").await;
    on_a_alice.dispatch("GUILD_CREATE").await;
    let mut on_b_gus = Client::identify(&b, &gus, "linux").await;
    let created = on_b_gus.dispatch("GUILD_CREATE").await;
    let channels: Vec<&str> = created["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(channels, [general.as_str()]);
    // B's REST refuses the lounge; its messages never reach the guest on B.
    let (status, body) = cl
        .call(
            &b,
            Method::POST,
            &format!("/channels/{lounge}/messages"),
            Some(&gus),
            Some(json!({"content": "sneaking"})),
        )
        .await
        .expect("request");
    assert_eq!((status, body["code"].clone()), (403, json!(50001)));
    cl.say(&a, &alice, &lounge, "members only").await;
    cl.say(&a, &alice, &general, "welcome").await;
    assert_eq!(
        on_b_gus.dispatch("MESSAGE_CREATE").await["content"],
        "welcome"
    );

    // The expiry, set through B; both nodes sweep.
    let soon = hearth_core::Timestamp::now().plus_seconds(1).to_iso();
    cl.ok(
        &b,
        Method::PATCH,
        &format!("/guilds/{guild}/members/{gus_id}"),
        Some(&alice),
        Some(json!({"hearth_guest_expires_at": soon})),
    )
    .await;
    assert_eq!(on_b_gus.dispatch("GUILD_DELETE").await["id"], guild);
    let removed = on_a_alice.dispatch("GUILD_MEMBER_REMOVE").await;
    assert_eq!(removed["user"]["id"], gus_id.as_str());
    // Both nodes swept meanwhile (three more rounds each): nothing more is announced.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Some(seen) = on_a_alice.next(Duration::from_millis(200)).await {
        if let Seen::Payload(v) = seen {
            assert_ne!(v["t"], "GUILD_MEMBER_REMOVE", "removed twice: {v}");
        }
    }
    let log = cl
        .ok(
            &a,
            Method::GET,
            &format!("/guilds/{guild}/audit-logs?action_type=20"),
            Some(&alice),
            None,
        )
        .await;
    let entries = log["audit_log_entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["reason"], "guest access expired");
}

/// Notification settings changed through one node reach each session of the user once, on
/// every node (the event is the user's, on the user's subject), and no one else; a session
/// starting on another node reads them in READY.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_settings_reach_each_session_of_the_user_once_on_every_node() {
    let Some(cl) = Cluster::new().await else {
        return;
    };
    let a = cl.start("a", None).await;
    let b = cl.start("b", None).await;
    let (alice, _) = cl.register(&a, "alice").await;
    let (bob, _) = cl.register(&a, "bob").await;
    let (guild, general) = cl.guild(&a, &alice, &[&bob]).await;
    // Alice on A and twice on B; Bob on B.
    let mut on_a = Client::identify(&a, &alice, "linux").await;
    let mut on_b = Client::identify(&b, &alice, "linux").await;
    let mut on_b_too = Client::identify(&b, &alice, "android").await;
    let mut bob_on_b = Client::identify(&b, &bob, "linux").await;
    for c in [&mut on_a, &mut on_b, &mut on_b_too, &mut bob_on_b] {
        c.dispatch("GUILD_CREATE").await;
    }
    let settings = format!("/users/@me/guilds/{guild}/settings");
    let favourite: Value = serde_json::from_str(&format!(
        r#"{{"channel_overrides": {{"{general}": {{"favorite": true}}}}}}"#
    ))
    .expect("JSON");

    // Through A, then through B.
    let first = cl
        .ok(&a, Method::PATCH, &settings, Some(&alice), Some(favourite))
        .await;
    let second = cl
        .ok(
            &b,
            Method::PATCH,
            &settings,
            Some(&alice),
            Some(json!({"muted": true})),
        )
        .await;
    assert_eq!(
        (&first["version"], &second["version"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(second["channel_overrides"][0]["favorite"], true);

    // Each of alice's sessions gets each change once, in order.
    for c in [&mut on_a, &mut on_b, &mut on_b_too] {
        assert_eq!(c.dispatch("USER_GUILD_SETTINGS_UPDATE").await, first);
        assert_eq!(c.dispatch("USER_GUILD_SETTINGS_UPDATE").await, second);
    }
    // A marker after the changes: no third copy came before it, and bob got none.
    cl.say(&a, &alice, &general, "marker").await;
    for c in [&mut on_a, &mut on_b, &mut on_b_too, &mut bob_on_b] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match c.next(left).await {
                Some(Seen::Payload(v)) if v["t"] == "MESSAGE_CREATE" => break,
                Some(Seen::Payload(v)) => assert_ne!(v["t"], "USER_GUILD_SETTINGS_UPDATE", "{v}"),
                other => panic!("waiting for the marker: {other:?}"),
            }
        }
    }
    // A new session on A reads the entry.
    let later = Client::identify(&a, &alice, "linux").await;
    assert_eq!(
        later.ready["user_guild_settings"],
        json!({"entries": [second], "partial": false, "version": 2})
    );
}

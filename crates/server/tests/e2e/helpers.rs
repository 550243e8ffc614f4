//! `TestApp`: a running server and typed helpers to talk to it.

use std::net::SocketAddr;

use hearth::Config;
use hearth_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which database the server runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A server running for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    events: tokio::sync::Mutex<hearth_bus::Subscription>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// A response: status, `Content-Type` and JSON body (Null when empty).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Value,
}

impl Res {
    /// Asserts a Discord error: status and JSON code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: u64) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], json!(code), "body: {}", self.body);
        assert!(self.body["message"].is_string(), "body: {}", self.body);
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
    }

    /// Asserts a 50035 error naming `path` (dotted) with `code` as its first error code.
    #[track_caller]
    pub fn assert_field_error(&self, path: &str, code: &str) {
        self.assert_error(400, 50035);
        let mut node = &self.body["errors"];
        for p in path.split('.') {
            node = &node[p];
        }
        assert_eq!(
            node["_errors"][0]["code"],
            json!(code),
            "body: {}",
            self.body
        );
    }

    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        if !self.body.is_null() {
            assert_eq!(self.content_type.as_deref(), Some("application/json"));
        }
        self.body
    }
}

impl TestApp {
    /// Starts a server on a fresh database; None when the backend is not available.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let db = match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres().await?,
        };
        Some(Self::spawn_with(db, |_| {}).await)
    }

    /// Starts a server on `db` with adjusted settings.
    pub async fn spawn_with(db: TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        // Files go beside a SQLite database (removed with it); PostgreSQL runs need none.
        let data_dir = match db.url.strip_prefix("sqlite://") {
            Some(path) => std::path::Path::new(path)
                .parent()
                .expect("parent")
                .to_owned(),
            None => std::env::temp_dir(),
        };
        let mut config = Config {
            listen: addr,
            data_dir,
            database: hearth::config::DatabaseConfig {
                url: Some(db.url.clone()),
            },
            ..Config::default()
        };
        // Tests register and log in many people from one address; the throttles' own tests
        // set them back.
        config.auth.register_per_address.per_minute = 0;
        config.auth.login_per_address.per_minute = 0;
        config.auth.login_per_account.per_minute = 0;
        adjust(&mut config);
        let prepared = hearth::prepare(&config).await.expect("prepare");
        let events = tokio::sync::Mutex::new(prepared.state.bus.subscribe());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            hearth::serve_prepared(&config, prepared, listener, shutdown).await
        });
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            db,
            events,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) {
        self.halt().await;
    }

    /// Stops the server and starts another on the same database, its configuration changed by
    /// `adjust`.
    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        self.halt().await;
        TestApp::spawn_with(self.db, adjust).await
    }

    async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }

    /// Sends a request to `/api/v10{path}` with an optional `Authorization` and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut req = self
            .client
            .request(method, format!("{}/api/v10{path}", self.base));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request")).await
    }

    /// A call with an `X-Audit-Log-Reason` header (as clients send it, percent-encoded).
    pub async fn call_with_reason(
        &self,
        method: Method,
        path: &str,
        auth: &str,
        reason: &str,
        body: Option<Value>,
    ) -> Res {
        let mut req = self
            .client
            .request(method, format!("{}/api/v10{path}", self.base))
            .header("Authorization", auth)
            .header("X-Audit-Log-Reason", reason);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request")).await
    }

    /// Sends raw bytes as the body.
    pub async fn raw(&self, method: Method, path: &str, auth: Option<&str>, body: Vec<u8>) -> Res {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        Self::read(req.send().await.expect("request")).await
    }

    pub async fn read(resp: reqwest::Response) -> Res {
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Res {
            status,
            content_type,
            body,
        }
    }

    pub async fn get(&self, path: &str, auth: &str) -> Res {
        self.call(Method::GET, path, Some(auth), None).await
    }

    pub async fn post(&self, path: &str, auth: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(auth), Some(body)).await
    }

    pub async fn patch(&self, path: &str, auth: &str, body: Value) -> Res {
        self.call(Method::PATCH, path, Some(auth), Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: &str) -> Res {
        self.call(Method::DELETE, path, Some(auth), None).await
    }

    /// Registers a person; returns their token.
    pub async fn register(&self, username: &str) -> String {
        let body = json!({"username": username, "password": "correct horse battery"});
        let res = self
            .call(Method::POST, "/auth/register", None, Some(body))
            .await
            .ok(201);
        res["token"].as_str().expect("token").to_owned()
    }

    /// The id of the token's user.
    pub async fn user_id(&self, token: &str) -> String {
        self.get("/users/@me", token).await.ok(200)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Creates a guild; returns its JSON.
    pub async fn guild(&self, token: &str, name: &str) -> Value {
        self.post("/guilds", token, json!({"name": name}))
            .await
            .ok(201)
    }

    /// Creates a guild and an invite, and joins `others` to it. Returns (guild, general channel id).
    pub async fn guild_with(&self, owner: &str, others: &[&str]) -> (Value, String) {
        let guild = self.guild(owner, "Home").await;
        let general = guild["system_channel_id"]
            .as_str()
            .expect("general")
            .to_owned();
        if !others.is_empty() {
            let invite = self
                .post(&format!("/channels/{general}/invites"), owner, json!({}))
                .await
                .ok(200);
            let code = invite["code"].as_str().expect("code");
            for t in others {
                self.post(&format!("/invites/{code}"), t, json!({}))
                    .await
                    .ok(200);
            }
        }
        (guild, general)
    }

    /// As [`TestApp::guild_with`], without join messages: the guild's system channel is unset
    /// before the others join (for tests that count the messages of `general`).
    pub async fn quiet_guild_with(&self, owner: &str, others: &[&str]) -> (Value, String) {
        let (guild, general) = self.guild_with(owner, &[]).await;
        let gid = guild["id"].as_str().expect("id").to_owned();
        self.patch(
            &format!("/guilds/{gid}"),
            owner,
            json!({"system_channel_id": null}),
        )
        .await
        .ok(200);
        if !others.is_empty() {
            let invite = self
                .post(&format!("/channels/{general}/invites"), owner, json!({}))
                .await
                .ok(200);
            let code = invite["code"].as_str().expect("code");
            for t in others {
                self.post(&format!("/invites/{code}"), t, json!({}))
                    .await
                    .ok(200);
            }
        }
        (guild, general)
    }

    /// Creates an application; returns (application id, bot token as `Bot ...`).
    pub async fn bot(&self, owner: &str, name: &str) -> (String, String) {
        let app = self
            .post("/applications", owner, json!({"name": name}))
            .await
            .ok(201);
        (
            app["id"].as_str().expect("id").to_owned(),
            format!("Bot {}", app["token"].as_str().expect("token")),
        )
    }

    /// Posts a message; returns its JSON.
    pub async fn say(&self, token: &str, channel: &str, content: &str) -> Value {
        self.post(
            &format!("/channels/{channel}/messages"),
            token,
            json!({"content": content}),
        )
        .await
        .ok(200)
    }

    /// The next event published on the bus named `name`, skipping others (at most 5 s).
    pub async fn event(&self, name: &str) -> Published {
        let mut rx = self.events.lock().await;
        let wait = async {
            loop {
                let e = rx.recv().await.expect("bus open");
                if e.name() == name {
                    return Published {
                        audience: e.audience(),
                        data: e
                            .data()
                            .map_or(Value::Null, |d| serde_json::from_str(&d).expect("JSON")),
                    };
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), wait)
            .await
            .unwrap_or_else(|_| panic!("no {name} event"))
    }

    /// Names of the events published so far and not yet read.
    pub async fn drain_events(&self) -> Vec<String> {
        let mut rx = self.events.lock().await;
        let mut names = Vec::new();
        while let Ok(e) = rx.try_recv() {
            names.push(e.name().to_owned());
        }
        names
    }

    /// Opens the server's database directly (for checks the API does not expose).
    pub async fn store(&self) -> std::sync::Arc<dyn hearth_store::Store> {
        hearth_store::connect(&self.db.url).await.expect("store")
    }
}

/// An event read from the bus: who it is for, and the `d` clients receive.
#[derive(Debug)]
pub struct Published {
    /// Who may receive it.
    pub audience: hearth_protocol::events::Audience,
    /// Its dispatch payload, parsed (null for the hubs' own events).
    pub data: Value,
}

/// The ids of the messages people wrote (types 0 and 19) in a JSON array of messages: without
/// the server's system messages (a join).
pub fn said(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .filter(|m| m["type"] == 0 || m["type"] == 19)
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The ids of a JSON array of objects.
pub fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

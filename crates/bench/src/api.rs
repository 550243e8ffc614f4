//! The REST calls the workloads need: registration, a guild, invites, messages, history.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::Semaphore;

/// Why a call failed: the HTTP status, or a transport problem (no status).
#[derive(Debug, Clone)]
pub enum CallError {
    Status(u16, String),
    Transport(String),
}

impl CallError {
    /// The key errors are counted under: the status code, or `transport`.
    pub fn kind(&self) -> String {
        match self {
            CallError::Status(code, _) => code.to_string(),
            CallError::Transport(_) => "transport".to_owned(),
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status(code, body) => write!(f, "HTTP {code}: {body}"),
            CallError::Transport(e) => write!(f, "transport: {e}"),
        }
    }
}

/// A client of one hearth server.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    /// `http://host:port/api/v10`.
    root: String,
    /// `ws://host:port/gateway?v=10&encoding=json`.
    pub gateway: String,
}

/// A guild set up for a run: its id and its general channel.
#[derive(Debug, Clone)]
pub struct Guild {
    pub id: String,
    pub channel: String,
}

impl Api {
    pub fn new(base: &str) -> Result<Api, String> {
        let base = base.trim_end_matches('/');
        if !base.starts_with("http://") {
            return Err(format!("--base must be http://HOST:PORT, not {base}"));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1024)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Api {
            http,
            root: format!("{base}/api/v10"),
            gateway: gateway_url(base)?,
        })
    }

    /// One call; the JSON body of a 2xx answer (null when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let mut req = self.http.request(method, format!("{}{path}", self.root));
        if let Some(t) = token {
            req = req.header("Authorization", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| CallError::Transport(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CallError::Transport(e.to_string()))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            return Err(CallError::Status(
                status.as_u16(),
                text.chars().take(300).collect(),
            ));
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|e| CallError::Transport(format!("bad JSON: {e}")))
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Result<Value, CallError> {
        self.call(reqwest::Method::POST, path, token, Some(&body))
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Result<Value, CallError> {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// Registers `count` accounts named `<prefix><i>`, at most `parallel` at a time; their tokens.
    pub async fn register_many(
        &self,
        prefix: &str,
        count: usize,
        parallel: usize,
    ) -> Result<Vec<String>, String> {
        let gate = Arc::new(Semaphore::new(parallel.max(1)));
        let mut tasks = Vec::with_capacity(count);
        for i in 0..count {
            let api = self.clone();
            let gate = gate.clone();
            let name = format!("{prefix}{i}");
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await;
                let v = api
                    .post(
                        "/auth/register",
                        None,
                        json!({"username": name, "password": "bench-password-1"}),
                    )
                    .await
                    .map_err(|e| format!("registering {name}: {e}"))?;
                v["token"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("registering {name}: no token in {v}"))
            }));
        }
        let mut tokens = Vec::with_capacity(count);
        for t in tasks {
            tokens.push(t.await.map_err(|e| e.to_string())??);
        }
        Ok(tokens)
    }

    /// A guild owned by `owner`, joined by every one of `members` through an invite.
    pub async fn guild_with(
        &self,
        name: &str,
        owner: &str,
        members: &[String],
    ) -> Result<Guild, String> {
        let g = self
            .post("/guilds", Some(owner), json!({"name": name}))
            .await
            .map_err(|e| format!("creating the guild: {e}"))?;
        let channel = str_field(&g, "system_channel_id")?;
        let inv = self
            .post(
                &format!("/channels/{channel}/invites"),
                Some(owner),
                json!({"max_age": 0, "max_uses": 0}),
            )
            .await
            .map_err(|e| format!("creating an invite: {e}"))?;
        let invite = str_field(&inv, "code")?;
        let mut tasks = Vec::new();
        for chunk in members.chunks(16) {
            for token in chunk {
                let api = self.clone();
                let token = token.clone();
                let path = format!("/invites/{invite}");
                tasks.push(tokio::spawn(async move {
                    api.post(&path, Some(&token), json!({})).await
                }));
            }
            for t in tasks.drain(..) {
                t.await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("joining the guild: {e}"))?;
            }
        }
        Ok(Guild {
            id: str_field(&g, "id")?,
            channel,
        })
    }

    /// Makes `guild`'s channel private to `members`: a role allowed VIEW_CHANNEL there, given
    /// to each of them, and VIEW_CHANNEL denied to @everyone. Members without the role (and
    /// their sessions) no longer see the channel.
    pub async fn make_private(
        &self,
        guild: &Guild,
        owner: &str,
        members: &[String],
    ) -> Result<(), String> {
        const VIEW: u64 = 1 << 10;
        let fail = |what: &str, e: CallError| format!("making the channel private: {what}: {e}");
        let role = self
            .post(
                &format!("/guilds/{}/roles", guild.id),
                Some(owner),
                json!({"name": "insiders"}),
            )
            .await
            .map_err(|e| fail("role", e))?;
        let role = str_field(&role, "id")?;
        for token in members {
            let me = self
                .get("/users/@me", token)
                .await
                .map_err(|e| fail("user", e))?;
            let user = str_field(&me, "id")?;
            self.call(
                reqwest::Method::PUT,
                &format!("/guilds/{}/members/{user}/roles/{role}", guild.id),
                Some(owner),
                None,
            )
            .await
            .map_err(|e| fail("giving the role", e))?;
        }
        for (target, kind, allow, deny) in [(&role, 0, VIEW, 0), (&guild.id, 0, 0, VIEW)] {
            self.call(
                reqwest::Method::PUT,
                &format!("/channels/{}/permissions/{target}", guild.channel),
                Some(owner),
                Some(&json!({"type": kind, "allow": allow.to_string(), "deny": deny.to_string()})),
            )
            .await
            .map_err(|e| fail("overwrite", e))?;
        }
        Ok(())
    }
}

/// The gateway URL of a node: its base URL `http://HOST:PORT` (the same as `--base`) or
/// `ws://HOST:PORT` become `ws://HOST:PORT/gateway?v=10&encoding=json`; a `ws://` URL with a
/// path is taken as it is.
pub fn gateway_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if let Some(rest) = url.strip_prefix("http://") {
        if !rest.is_empty() {
            return Ok(format!("ws://{rest}/gateway?v=10&encoding=json"));
        }
    } else if let Some(rest) = url.strip_prefix("ws://") {
        if rest.contains('/') {
            return Ok(url.to_owned());
        }
        if !rest.is_empty() {
            return Ok(format!("ws://{rest}/gateway?v=10&encoding=json"));
        }
    }
    Err(format!(
        "a gateway must be http://HOST:PORT or ws://HOST:PORT[/PATH], not {url}"
    ))
}

fn str_field(v: &Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {key} in {v}"))
}

/// A prefix for this run's account names (unique across runs on the same server).
pub fn run_prefix(tag: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("hb{tag}{}_", now.as_millis() % 10_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_urls_of_nodes() {
        let want = "ws://127.0.0.1:8081/gateway?v=10&encoding=json";
        assert_eq!(gateway_url("http://127.0.0.1:8081").unwrap(), want);
        assert_eq!(gateway_url("http://127.0.0.1:8081/").unwrap(), want);
        assert_eq!(gateway_url("ws://127.0.0.1:8081").unwrap(), want);
        assert_eq!(gateway_url(want).unwrap(), want);
        assert!(gateway_url("https://example.org").is_err());
        assert_eq!(
            gateway_url("http://h:1/chat").unwrap(),
            "ws://h:1/chat/gateway?v=10&encoding=json"
        );
        assert!(gateway_url("http://").is_err());
        assert_eq!(Api::new("http://127.0.0.1:8081/").unwrap().gateway, want);
        assert!(Api::new("127.0.0.1:8081").is_err());
    }
}

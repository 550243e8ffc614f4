//! One gateway connection: HELLO, then IDENTIFY or RESUME, heartbeats and commands; a writer
//! task drains the session's buffer to the socket.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hearth_core::Snowflake;
use hearth_protocol::events::{Event, SessionDispatch};
use hearth_state::GuildState;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::compress::{ZlibStream, ZstdStream};
use crate::hub::{Frame, GuildViews, Session, Verdict};
use crate::payload::{self, close, intents, op};
use crate::presence;
use crate::{wire, Hub, WsError, WsMessage};

/// What the client asked for in the connection URL.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `compress=zlib-stream`.
    pub zlib: bool,
    /// `compress=zstd-stream`.
    pub zstd: bool,
    /// `v=` other than 10 (the connection is closed with 4012 after HELLO).
    pub bad_version: bool,
    /// The URL to resume at (READY `resume_gateway_url`).
    pub resume_url: String,
}

/// What the reader tells the writer.
#[derive(Debug)]
enum Control {
    /// A non-dispatch payload (HELLO, ACK, INVALID_SESSION, RECONNECT).
    Send(String),
    /// Start draining this session's buffer as connection `id`.
    Attach(Arc<Session>),
    /// Close with a code and reason, then stop.
    Close(u16, &'static str),
}

/// Serves one connection until it closes.
pub async fn serve<Si, St>(hub: Arc<Hub>, sink: Si, mut stream: St, options: ConnectOptions)
where
    Si: Sink<WsMessage> + Unpin + Send + 'static,
    St: Stream<Item = Result<WsMessage, WsError>> + Unpin + Send,
{
    let _counted = hub.connection_guard();
    let id = hub.connection_id();
    let (ctl, ctl_rx) = mpsc::channel::<Control>(64);
    let write_timeout = Duration::from_secs(hub.config.write_timeout_secs);
    let compressor = if options.zstd {
        ZstdStream::new().ok().map(Compressor::Zstd)
    } else if options.zlib {
        Some(Compressor::Zlib(ZlibStream::default()))
    } else {
        None
    };
    let mut writer = tokio::spawn(write(sink, ctl_rx, id, compressor, write_timeout));
    let interval = hub.config.heartbeat_interval_ms;
    let _ = ctl
        .send(Control::Send(
            json!({"op": op::HELLO, "d": {"heartbeat_interval": interval}}).to_string(),
        ))
        .await;
    let mut conn = Connection {
        hub: hub.clone(),
        id,
        ctl: ctl.clone(),
        session: None,
        resume_url: options.resume_url.clone(),
        commands: Vec::new(),
        device: "desktop",
    };
    if options.bad_version {
        let _ = ctl
            .send(Control::Close(
                close::INVALID_API_VERSION,
                "invalid API version",
            ))
            .await;
    }
    let liveness = Duration::from_millis(interval * 3 / 2);
    let mut deadline = tokio::time::Instant::now() + liveness;
    let mut shutdown = hub.shutdown_signal();
    let mut client_code = None;
    let mut writer_done = false;
    loop {
        tokio::select! {
            read = tokio::time::timeout_at(deadline, stream.next()) => match read {
                Err(_) => {
                    let _ = ctl.send(Control::Close(close::SESSION_TIMED_OUT, "no heartbeat")).await;
                    break;
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    if let Some((code, reason)) = refusal_for(e) {
                        let _ = ctl.send(Control::Close(code, reason)).await;
                    }
                    break;
                }
                Ok(Some(Ok(WsMessage::Close(frame)))) => {
                    client_code = frame.as_ref().map(|f| f.0);
                    // Answer the close handshake with the client's own code.
                    let code = client_code.unwrap_or(1000);
                    let _ = ctl.send(Control::Close(code, "")).await;
                    break;
                }
                Ok(Some(Ok(message))) => {
                    let outcome = match payload_text(message) {
                        Ok(Some(text)) => conn.command(&text).await,
                        // Pings (the transport answers them) and pongs.
                        Ok(None) => Ok(Beat::No),
                        Err(refusal) => Err(refusal),
                    };
                    match outcome {
                        Ok(Beat::Yes) => deadline = tokio::time::Instant::now() + liveness,
                        Ok(Beat::No) => {}
                        Err((code, reason)) => {
                            let _ = ctl.send(Control::Close(code, reason)).await;
                            break;
                        }
                    }
                }
            },
            _ = &mut writer => {
                writer_done = true;
                break;
            }
            _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => {
                let _ = ctl.send(Control::Send(json!({"op": op::RECONNECT, "d": null}).to_string())).await;
                let _ = ctl.send(Control::Close(close::UNKNOWN_ERROR, "server restarting")).await;
                break;
            }
        }
    }
    drop(ctl);
    drop(conn.ctl);
    // Let the writer flush the close frame, but not forever.
    if !writer_done {
        let _ = tokio::time::timeout(write_timeout, &mut writer).await;
        writer.abort();
    }
    if let Some(session) = conn.session {
        if matches!(client_code, Some(1000) | Some(1001)) {
            // A client that closes normally ends its session.
            hub.remove(&session.id);
        } else {
            session.detach(id);
        }
    }
}

/// Whether a command counts as a heartbeat (it resets the liveness deadline).
enum Beat {
    Yes,
    No,
}

type Refusal = (u16, &'static str);

/// The close a message the transport could not read calls for; None when the connection is
/// gone (or broke the WebSocket protocol) and nothing can be sent.
fn refusal_for(e: WsError) -> Option<Refusal> {
    match e {
        WsError::TooLarge => Some((close::DECODE_ERROR, "payload too large")),
        WsError::InvalidUtf8 => Some((close::INVALID_FRAME_PAYLOAD, "invalid UTF-8")),
        WsError::Broken => None,
    }
}

/// The text of a client's payload, None for a message that is not one (a ping or a pong).
/// hearth serves only `encoding=json`, so a binary message is read as JSON text exactly like
/// a text message (some libraries send every payload as binary); its bytes must be UTF-8 as a
/// text message's are.
fn payload_text(message: WsMessage) -> Result<Option<String>, Refusal> {
    match message {
        WsMessage::Text(text) => Ok(Some(text)),
        WsMessage::Binary(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| (close::INVALID_FRAME_PAYLOAD, "invalid UTF-8")),
        WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Close(_) => Ok(None),
    }
}

struct Connection {
    hub: Arc<Hub>,
    id: u64,
    ctl: mpsc::Sender<Control>,
    session: Option<Arc<Session>>,
    resume_url: String,
    /// Times of recent commands, for the per-minute budget.
    commands: Vec<Instant>,
    /// Device kind from IDENTIFY properties.
    device: &'static str,
}

#[derive(Deserialize)]
struct Payload {
    op: u64,
    #[serde(default)]
    d: Value,
}

/// A payload: a JSON object with a numeric `op`. serde reads a struct from a JSON array too
/// (`[1, null]` as `{op: 1, d: null}`), so the text must open an object (checked on its first
/// character, without parsing twice).
fn parse(text: &str) -> Option<Payload> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

#[derive(Deserialize)]
struct Identify {
    token: String,
    #[serde(default)]
    properties: Value,
    #[serde(default)]
    presence: Option<Value>,
    #[serde(default)]
    intents: Option<u64>,
    #[serde(default)]
    large_threshold: Option<i64>,
    #[serde(default)]
    shard: Option<[u64; 2]>,
}

#[derive(Deserialize)]
struct Resume {
    token: String,
    session_id: String,
    #[serde(default)]
    seq: Option<u64>,
}

impl Connection {
    async fn send(&self, v: Value) {
        let _ = self.ctl.send(Control::Send(v.to_string())).await;
    }

    async fn command(&mut self, text: &str) -> Result<Beat, Refusal> {
        // The transport enforces the limit before reading; this holds it for any transport.
        if text.len() > self.hub.config.max_payload_bytes {
            return Err((close::DECODE_ERROR, "payload too large"));
        }
        let p = parse(text).ok_or((close::DECODE_ERROR, "invalid payload"))?;
        if p.op == op::HEARTBEAT {
            self.send(json!({"op": op::HEARTBEAT_ACK, "d": null})).await;
            return Ok(Beat::Yes);
        }
        let now = Instant::now();
        self.commands
            .retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        self.commands.push(now);
        if self.commands.len() > self.hub.config.commands_per_minute as usize {
            return Err((close::RATE_LIMITED, "too many commands"));
        }
        match (p.op, self.session.is_some()) {
            (op::IDENTIFY, false) => self.identify(p.d).await.map(|_| Beat::No),
            (op::IDENTIFY, true) => Err((close::ALREADY_AUTHENTICATED, "already identified")),
            (op::RESUME, false) => self.resume(p.d).await.map(|_| Beat::No),
            (op::RESUME, true) => Err((close::ALREADY_AUTHENTICATED, "already identified")),
            (op::PRESENCE_UPDATE, true) => self.update_presence(&p.d).map(|_| Beat::No),
            (op::VOICE_STATE_UPDATE | op::REQUEST_SOUNDBOARD_SOUNDS, true) => Ok(Beat::No),
            (op::REQUEST_GUILD_MEMBERS, true) => self.request_members(p.d).await.map(|_| Beat::No),
            (
                op::PRESENCE_UPDATE
                | op::VOICE_STATE_UPDATE
                | op::REQUEST_GUILD_MEMBERS
                | op::REQUEST_SOUNDBOARD_SOUNDS,
                false,
            ) => Err((close::NOT_AUTHENTICATED, "not identified")),
            _ => Err((close::UNKNOWN_OPCODE, "unknown opcode")),
        }
    }

    /// op 3: a new status and activities for the account.
    fn update_presence(&self, d: &Value) -> Result<(), Refusal> {
        let Some(session) = &self.session else {
            return Err((close::NOT_AUTHENTICATED, "not identified"));
        };
        let update = presence::parse_update(d).ok_or((close::DECODE_ERROR, "invalid presence"))?;
        self.hub.set_presence(session, Some(update), self.device);
        Ok(())
    }

    async fn authenticate(&self, token: &str) -> Result<(hearth_store::User, String), Refusal> {
        let token = token.strip_prefix("Bot ").unwrap_or(token);
        let hash = hearth_store::token_hash(token);
        match self.hub.store.fetch_session(&hash).await {
            Ok(Some((session, user))) if (session.kind == "bot") == user.bot => Ok((user, hash)),
            Ok(_) => Err((close::AUTHENTICATION_FAILED, "authentication failed")),
            Err(e) => {
                tracing::error!(error = %e, "gateway authentication");
                Err((close::UNKNOWN_ERROR, "try again"))
            }
        }
    }

    async fn identify(&mut self, d: Value) -> Result<(), Refusal> {
        let body: Identify =
            serde_json::from_value(d).map_err(|_| (close::DECODE_ERROR, "invalid identify"))?;
        let (user, hash) = self.authenticate(&body.token).await?;
        let wanted = match body.intents {
            Some(bits) => bits,
            None if user.bot => return Err((close::INVALID_INTENTS, "intents are required")),
            None => intents::ALL,
        };
        if wanted & !intents::ALL != 0 {
            return Err((close::INVALID_INTENTS, "invalid intents"));
        }
        if user.bot
            && !self.hub.config.allow_privileged_intents
            && wanted & intents::PRIVILEGED != 0
        {
            return Err((close::DISALLOWED_INTENTS, "disallowed intents"));
        }
        if body
            .shard
            .is_some_and(|[shard, count]| count != 1 || shard != 0)
        {
            return Err((close::INVALID_SHARD, "this server runs one shard"));
        }
        let large = body.large_threshold.unwrap_or(50).clamp(50, 250);
        let user_id = Snowflake::from_i64(user.id);
        let store = self.hub.store.clone();
        let failed = |e: hearth_store::StoreError| {
            tracing::error!(error = %e, "gateway identify");
            (close::UNKNOWN_ERROR, "try again")
        };
        let guilds = payload::user_guild_ids(store.as_ref(), user_id)
            .await
            .map_err(failed)?;
        // Subscribed before the state is read: whatever commits after the read reaches us.
        let hold = self.hub.hold_interest(user_id, &guilds).await;
        let session = Session::new(user_id, user.bot, wanted, hash, large);
        let mut ready = json!({
            "v": 10,
            "user": wire::current_user(&user),
            "guilds": guilds.iter().map(|g| json!({"id": g, "unavailable": true})).collect::<Vec<_>>(),
            "session_id": session.id,
            "resume_gateway_url": self.resume_url,
            "session_type": "normal",
            "user_settings": {},
            "_trace": ["hearth"],
            // Discord sends these in every READY and some libraries iterate them unchecked.
            // hearth has no direct messages, friends, join requests or voice regions yet, so
            // each is empty; with no friends there are no presences to list here either.
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        });
        if user.bot {
            ready["application"] = json!({"id": user_id, "flags": 0});
        }
        if let Some(shard) = body.shard {
            ready["shard"] = json!(shard);
        }
        let mut first = vec![Frame::new(SessionDispatch::Ready.name(), &ready)];
        let mut presences =
            if wanted & intents::GUILDS != 0 && wanted & intents::GUILD_PRESENCES != 0 {
                self.hub.guild_presences(&guilds).await.map_err(failed)?
            } else {
                Default::default()
            };
        // Each guild's state is read whatever the intents: the hub decides from it who may see
        // which channel.
        let mut views = GuildViews::default();
        for g in &guilds {
            // The node's state of the guild (read now if not kept yet), knowing this member.
            let kept = self.hub.states.guild(*g).await.map_err(failed)?;
            if let Some(v) = payload::guild_create(store.as_ref(), *g, user_id, large)
                .await
                .map_err(failed)?
            {
                let view = match kept {
                    Some(view) => view,
                    None => self.hub.states.install(GuildState::from_guild_create(&v)),
                };
                self.hub
                    .states
                    .meet(*g, &view, user_id)
                    .await
                    .map_err(failed)?;
                let mut v = views.add(view, &v, user_id);
                if wanted & intents::GUILDS != 0 {
                    if wanted & intents::GUILD_PRESENCES != 0 {
                        v.presences = presences.remove(g).unwrap_or_default();
                    }
                    let available = Event::GuildCreate {
                        user_id,
                        guild: Box::new(v),
                    };
                    first.extend(Frame::dispatch(&available));
                }
            }
        }
        self.hub.register(session.clone(), &guilds, first, views);
        drop(hold);
        let update = body.presence.as_ref().and_then(presence::parse_update);
        self.hub
            .set_presence(&session, update, presence::device_kind(&body.properties));
        self.device = presence::device_kind(&body.properties);
        session
            .attach(self.id, 0)
            .map_err(|_| (close::UNKNOWN_ERROR, "try again"))?;
        let _ = self.ctl.send(Control::Attach(session.clone())).await;
        self.session = Some(session);
        Ok(())
    }

    async fn resume(&mut self, d: Value) -> Result<(), Refusal> {
        let body: Resume =
            serde_json::from_value(d).map_err(|_| (close::DECODE_ERROR, "invalid resume"))?;
        let (user, hash) = self.authenticate(&body.token).await?;
        let found = self
            .hub
            .find(&body.session_id)
            .filter(|s| s.token_hash == hash && s.user_id.as_i64() == user.id);
        let Some(session) = found else {
            self.send(json!({"op": op::INVALID_SESSION, "d": false}))
                .await;
            return Ok(());
        };
        if session.attach(self.id, body.seq.unwrap_or(0)).is_err() {
            self.hub.remove(&session.id);
            self.send(json!({"op": op::INVALID_SESSION, "d": false}))
                .await;
            return Ok(());
        }
        self.hub.send_to(
            &session,
            Frame::new(SessionDispatch::Resumed.name(), &json!({})),
        );
        let _ = self.ctl.send(Control::Attach(session.clone())).await;
        self.session = Some(session);
        Ok(())
    }

    /// REQUEST_GUILD_MEMBERS: members of a guild of the session, by user id or by name prefix,
    /// in chunks of up to 1000 (GUILD_MEMBERS_CHUNK), echoing the nonce.
    async fn request_members(&mut self, d: Value) -> Result<(), Refusal> {
        let Some(session) = self.session.clone() else {
            return Err((close::NOT_AUTHENTICATED, "not identified"));
        };
        let guild_id: Snowflake = serde_json::from_value(d["guild_id"].clone())
            .map_err(|_| (close::DECODE_ERROR, "invalid guild_id"))?;
        if !self.hub.in_guild(&session.id, guild_id) {
            return Ok(());
        }
        let limit = d["limit"].as_u64().unwrap_or(0);
        let query = d["query"].as_str().unwrap_or("").to_lowercase();
        let nonce = d.get("nonce").cloned().unwrap_or(Value::Null);
        let store = self.hub.store.clone();
        let failed = |_| (close::UNKNOWN_ERROR, "try again");
        let mut members = Vec::new();
        let mut not_found = Vec::new();
        // `user_ids` is a list, or a single id.
        let ids: Option<&[Value]> = match d.get("user_ids") {
            Some(Value::Array(a)) if !a.is_empty() => Some(a.as_slice()),
            Some(v @ (Value::String(_) | Value::Number(_))) => Some(std::slice::from_ref(v)),
            _ => None,
        };
        if let Some(ids) = ids {
            for v in ids.iter().take(100) {
                let Ok(uid) = serde_json::from_value::<Snowflake>(v.clone()) else {
                    continue;
                };
                match (
                    store.fetch_member(guild_id, uid).await.map_err(failed)?,
                    store.fetch_user(uid).await.map_err(failed)?,
                ) {
                    (Some(m), Some(u)) => {
                        members.push(payload::to_value(&wire::member(&m, Some(&u))))
                    }
                    _ => not_found.push(json!(uid)),
                }
            }
        } else {
            let cap = if limit == 0 { u64::MAX } else { limit.min(100) };
            let mut after = Snowflake(0);
            'pages: loop {
                let page = store
                    .fetch_members(guild_id, after, 1000)
                    .await
                    .map_err(failed)?;
                let Some(last) = page.last() else { break };
                after = Snowflake::from_i64(last.1.id);
                for (m, u) in &page {
                    let name_matches = query.is_empty()
                        || u.username.to_lowercase().starts_with(&query)
                        || m.nick
                            .as_ref()
                            .is_some_and(|n| n.to_lowercase().starts_with(&query));
                    if name_matches {
                        members.push(payload::to_value(&wire::member(m, Some(u))));
                        if members.len() as u64 >= cap {
                            break 'pages;
                        }
                    }
                }
                if page.len() < 1000 {
                    break;
                }
            }
        }
        let chunks: Vec<&[Value]> = if members.is_empty() {
            vec![&[]]
        } else {
            members.chunks(1000).collect()
        };
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let mut data = json!({
                "guild_id": guild_id, "members": chunk, "chunk_index": i, "chunk_count": count, "nonce": nonce,
            });
            if i == 0 && !not_found.is_empty() {
                data["not_found"] = json!(not_found);
            }
            if d["presences"].as_bool() == Some(true) {
                data["presences"] = json!([]);
            }
            self.hub.send_to(
                &session,
                Frame::new(SessionDispatch::GuildMembersChunk.name(), &data),
            );
        }
        Ok(())
    }
}

/// The writer: control payloads as they come, and the session's frames once attached.
async fn write<Si>(
    mut sink: Si,
    mut ctl: mpsc::Receiver<Control>,
    id: u64,
    mut z: Option<Compressor>,
    timeout: Duration,
) where
    Si: Sink<WsMessage> + Unpin,
{
    let mut session: Option<Arc<Session>> = None;
    let (_keep, mut idle) = watch::channel(());
    loop {
        // Frames first: everything buffered for this connection, in order.
        if let Some(s) = &session {
            loop {
                match s.next(id) {
                    Ok(Some((seq, frame))) => {
                        // Queued without flushing: everything pending goes out in one write.
                        if !feed(&mut sink, &mut z, frame.text(seq), timeout).await {
                            return;
                        }
                        s.written(id, seq);
                    }
                    Ok(None) => {
                        if !matches!(
                            tokio::time::timeout(timeout, sink.flush()).await,
                            Ok(Ok(()))
                        ) {
                            return;
                        }
                        break;
                    }
                    Err(Verdict::Superseded) => return,
                    Err(verdict) => {
                        let (code, reason) = match verdict {
                            Verdict::TooSlow => (close::UNKNOWN_ERROR, "too slow"),
                            Verdict::Revoked => (close::AUTHENTICATION_FAILED, "token revoked"),
                            _ => (close::UNKNOWN_ERROR, "session lost"),
                        };
                        let _ = close_with(&mut sink, code, reason, timeout).await;
                        return;
                    }
                }
            }
        }
        tokio::select! {
            biased;
            c = ctl.recv() => match c {
                Some(Control::Send(text)) => {
                    if !send(&mut sink, &mut z, text, timeout).await {
                        return;
                    }
                }
                Some(Control::Attach(s)) => session = Some(s),
                Some(Control::Close(code, reason)) => {
                    // Pending frames go out before the close (e.g. RECONNECT at shutdown).
                    let _ = close_with(&mut sink, code, reason, timeout).await;
                    return;
                }
                None => return,
            },
            _ = async {
                match &session {
                    Some(s) => s.woken().await,
                    None => { let _ = idle.changed().await; }
                }
            } => {}
        }
    }
}

/// The transport compression of a connection.
#[derive(Debug)]
enum Compressor {
    Zlib(ZlibStream),
    Zstd(ZstdStream),
}

/// Sends one payload and flushes.
async fn send<Si: Sink<WsMessage> + Unpin>(
    sink: &mut Si,
    z: &mut Option<Compressor>,
    text: String,
    timeout: Duration,
) -> bool {
    let Some(msg) = encode(z, text) else {
        return false;
    };
    matches!(
        tokio::time::timeout(timeout, sink.send(msg)).await,
        Ok(Ok(()))
    )
}

/// Queues one payload without flushing.
async fn feed<Si: Sink<WsMessage> + Unpin>(
    sink: &mut Si,
    z: &mut Option<Compressor>,
    text: String,
    timeout: Duration,
) -> bool {
    let Some(msg) = encode(z, text) else {
        return false;
    };
    matches!(
        tokio::time::timeout(timeout, sink.feed(msg)).await,
        Ok(Ok(()))
    )
}

/// A payload as the connection's transport sends it.
fn encode(z: &mut Option<Compressor>, text: String) -> Option<WsMessage> {
    Some(match z {
        Some(Compressor::Zlib(z)) => WsMessage::Binary(z.compress(text.as_bytes())),
        Some(Compressor::Zstd(z)) => WsMessage::Binary(z.compress(text.as_bytes()).ok()?),
        None => WsMessage::Text(text),
    })
}

async fn close_with<Si: Sink<WsMessage> + Unpin>(
    sink: &mut Si,
    code: u16,
    reason: &str,
    timeout: Duration,
) -> bool {
    let msg = WsMessage::Close(Some((code, reason.to_owned())));
    matches!(
        tokio::time::timeout(timeout, sink.send(msg)).await,
        Ok(Ok(()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_messages_are_read_as_text_when_they_are_utf8() {
        let heartbeat = br#"{"op": 1, "d": null}"#.to_vec();
        assert_eq!(
            payload_text(WsMessage::Binary(heartbeat)),
            Ok(Some(r#"{"op": 1, "d": null}"#.to_owned()))
        );
        assert_eq!(
            payload_text(WsMessage::Binary(vec![b'{', 0xff, b'}'])),
            Err((close::INVALID_FRAME_PAYLOAD, "invalid UTF-8"))
        );
        assert_eq!(payload_text(WsMessage::Ping(vec![1])), Ok(None));
    }

    #[test]
    fn only_json_objects_with_a_numeric_op_are_payloads() {
        let heartbeat = parse(r#"{"op": 1, "d": null}"#).expect("a payload");
        assert_eq!((heartbeat.op, heartbeat.d), (1, Value::Null));
        assert_eq!(parse(r#"{"op": 2}"#).map(|p| p.d), Some(Value::Null));
        for refused in [
            r#"[1, null]"#,
            "1",
            r#""op""#,
            "null",
            r#"{"op": "1"}"#,
            "{",
        ] {
            assert!(parse(refused).is_none(), "{refused}");
        }
    }
}

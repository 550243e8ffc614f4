//! One gateway connection: HELLO, then IDENTIFY or RESUME, heartbeats and commands; a writer
//! task drains the session's buffer to the socket.
//!
//! This file holds the reader: the loop over the client's messages, its liveness deadline and
//! the command dispatch. `identify.rs` starts a session (IDENTIFY, RESUME), `members.rs`
//! answers REQUEST_GUILD_MEMBERS, and `writer.rs` is the writer task with the transport
//! compression.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{Sink, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::hub::Session;
use crate::payload::{close, op};
use crate::presence;
use crate::{Hub, WsError, WsMessage};

mod identify;
mod members;
mod writer;

use writer::Compressor;

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
    let compressor = Compressor::for_options(&options);
    let mut writer = tokio::spawn(writer::write(sink, ctl_rx, id, compressor, write_timeout));
    let interval = hub.config.heartbeat_interval_ms;
    let mut conn = Connection {
        hub: hub.clone(),
        id,
        ctl,
        session: None,
        resume_url: options.resume_url,
        commands: Vec::new(),
        device: "desktop",
    };
    conn.send(json!({"op": op::HELLO, "d": {"heartbeat_interval": interval}}))
        .await;
    if options.bad_version {
        conn.close(close::INVALID_API_VERSION, "invalid API version")
            .await;
    }
    let liveness = Duration::from_millis(interval * 3 / 2);
    let ending = conn.read(&mut stream, &mut writer, liveness).await;
    // The writer stops once the reader's side of the control queue is gone.
    drop(conn.ctl);
    // Let the writer flush the close frame, but not forever.
    if !ending.writer_done {
        let _ = tokio::time::timeout(write_timeout, &mut writer).await;
        writer.abort();
    }
    if let Some(session) = conn.session {
        if matches!(ending.client_code, Some(1000) | Some(1001)) {
            // A client that closes normally ends its session.
            hub.remove(&session.id);
        } else {
            hub.detach(&session, id);
        }
    }
}

/// How the reader loop ended.
struct Ending {
    /// The code of the client's close frame, when the client closed.
    client_code: Option<u16>,
    /// The writer stopped first (the socket failed or the session was closed).
    writer_done: bool,
}

impl Ending {
    /// The reader stopped, with or without the client's close frame.
    fn reader(client_code: Option<u16>) -> Self {
        Ending {
            client_code,
            writer_done: false,
        }
    }
}

/// What one read from the client means for the loop.
enum Next {
    /// Go on; with a heartbeat, from a fresh liveness deadline.
    Read(Beat),
    /// The connection is over (the client closed with this code, if any).
    Stop(Option<u16>),
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

impl Connection {
    /// Reads the client's messages until the connection ends: the client closes or goes
    /// silent past the liveness deadline, a message is refused, the writer stops, or the
    /// server shuts down (RECONNECT, then a close).
    async fn read<St>(
        &mut self,
        stream: &mut St,
        writer: &mut JoinHandle<()>,
        liveness: Duration,
    ) -> Ending
    where
        St: Stream<Item = Result<WsMessage, WsError>> + Unpin + Send,
    {
        let mut deadline = tokio::time::Instant::now() + liveness;
        let mut shutdown = self.hub.shutdown_signal();
        loop {
            tokio::select! {
                read = tokio::time::timeout_at(deadline, stream.next()) => {
                    let Ok(read) = read else {
                        self.close(close::SESSION_TIMED_OUT, "no heartbeat").await;
                        return Ending::reader(None);
                    };
                    match self.on_read(read).await {
                        Next::Read(Beat::Yes) => deadline = tokio::time::Instant::now() + liveness,
                        Next::Read(Beat::No) => {}
                        Next::Stop(client_code) => return Ending::reader(client_code),
                    }
                },
                _ = &mut *writer => {
                    return Ending { client_code: None, writer_done: true };
                }
                _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => {
                    self.send(json!({"op": op::RECONNECT, "d": null})).await;
                    self.close(close::UNKNOWN_ERROR, "server restarting").await;
                    return Ending::reader(None);
                }
            }
        }
    }

    /// Handles one read from the client: the end of the stream, a transport error, a close
    /// frame (answered with the client's own code) or a message.
    async fn on_read(&mut self, read: Option<Result<WsMessage, WsError>>) -> Next {
        match read {
            None => Next::Stop(None),
            Some(Err(e)) => {
                if let Some((code, reason)) = refusal_for(e) {
                    self.close(code, reason).await;
                }
                Next::Stop(None)
            }
            Some(Ok(WsMessage::Close(frame))) => {
                let client_code = frame.as_ref().map(|f| f.0);
                // Answer the close handshake with the client's own code.
                self.close(client_code.unwrap_or(1000), "").await;
                Next::Stop(client_code)
            }
            Some(Ok(message)) => {
                let outcome = match payload_text(message) {
                    Ok(Some(text)) => self.command(&text).await,
                    // Pings (the transport answers them) and pongs.
                    Ok(None) => Ok(Beat::No),
                    Err(refusal) => Err(refusal),
                };
                match outcome {
                    Ok(beat) => Next::Read(beat),
                    Err((code, reason)) => {
                        self.close(code, reason).await;
                        Next::Stop(None)
                    }
                }
            }
        }
    }

    /// Hands the writer a payload that is not a dispatch (HELLO, ACK, INVALID_SESSION, ...).
    async fn send(&self, v: Value) {
        let _ = self.ctl.send(Control::Send(v.to_string())).await;
    }

    /// Asks the writer to close the socket with a code and reason.
    async fn close(&self, code: u16, reason: &'static str) {
        let _ = self.ctl.send(Control::Close(code, reason)).await;
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

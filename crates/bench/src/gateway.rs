//! A minimal gateway client: connect, HELLO, IDENTIFY, READY and the GUILD_CREATEs, then frames
//! (decompressing `zlib-stream` when asked for) and heartbeats.

use std::time::Duration;

use flate2::{Decompress, FlushDecompress};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// GUILDS | GUILD_MESSAGES.
pub const INTENTS: u64 = 1 | 512;

/// Turns WebSocket messages into payload text, inflating a zlib stream when there is one.
#[derive(Debug)]
pub struct Decoder {
    zlib: Option<(Decompress, Vec<u8>)>,
    out: Vec<u8>,
}

impl Decoder {
    pub fn new(zlib: bool) -> Decoder {
        Decoder {
            zlib: zlib.then(|| (Decompress::new(true), Vec::new())),
            out: Vec::new(),
        }
    }

    /// The payload a message completes, if any: a text frame is one, binary frames are
    /// buffered until one ends in the sync-flush marker.
    pub fn push<'a>(&'a mut self, msg: &'a Message) -> Result<Option<&'a str>, String> {
        match msg {
            Message::Text(t) => Ok(Some(t.as_str())),
            Message::Binary(b) => {
                let Some((z, buf)) = &mut self.zlib else {
                    return Err("binary frame without compression".into());
                };
                buf.extend_from_slice(b);
                if !buf.ends_with(&[0, 0, 0xff, 0xff]) {
                    return Ok(None);
                }
                self.out.clear();
                let mut consumed = 0usize;
                loop {
                    if self.out.capacity() - self.out.len() < 1024 {
                        self.out.reserve(self.out.capacity().max(4096));
                    }
                    let before = z.total_in();
                    z.decompress_vec(&buf[consumed..], &mut self.out, FlushDecompress::Sync)
                        .map_err(|e| format!("inflate: {e}"))?;
                    consumed += (z.total_in() - before) as usize;
                    if consumed == buf.len() && self.out.len() < self.out.capacity() {
                        break;
                    }
                }
                buf.clear();
                std::str::from_utf8(&self.out)
                    .map(Some)
                    .map_err(|e| format!("utf-8: {e}"))
            }
            _ => Ok(None),
        }
    }
}

/// A session that has received READY and its GUILD_CREATEs.
#[derive(Debug)]
pub struct Session {
    pub ws: Ws,
    pub decoder: Decoder,
    pub heartbeat: Duration,
    pub guilds: usize,
}

/// How one attempt to open a session failed (counted by `kind`).
#[derive(Debug, Clone)]
pub struct OpenError {
    pub kind: &'static str,
    pub detail: String,
}

fn fail(kind: &'static str, detail: impl ToString) -> OpenError {
    OpenError {
        kind,
        detail: detail.to_string(),
    }
}

/// A read buffer of `read_buffer` bytes and no write buffering: thousands of idle sessions
/// should not cost the client the default 256 KiB each.
pub fn ws_config(read_buffer: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .write_buffer_size(0)
}

/// Connects, identifies with `token` and waits for READY and a GUILD_CREATE per guild.
pub async fn open(
    url: &str,
    token: &str,
    zlib: bool,
    read_buffer: usize,
    limit: Duration,
) -> Result<Session, OpenError> {
    let url = if zlib {
        format!("{url}&compress=zlib-stream")
    } else {
        url.to_owned()
    };
    let (mut ws, _) = timeout(
        limit,
        tokio_tungstenite::connect_async_with_config(
            url.as_str(),
            Some(ws_config(read_buffer)),
            true,
        ),
    )
    .await
    .map_err(|_| fail("connect timeout", "connect"))?
    .map_err(|e| fail("connect", e))?;
    let mut decoder = Decoder::new(zlib);
    let deadline = tokio::time::Instant::now() + limit;
    let hello = next_payload(&mut ws, &mut decoder, deadline).await?;
    if hello["op"] != 10 {
        return Err(fail("protocol", format!("expected HELLO, got {hello}")));
    }
    let heartbeat =
        Duration::from_millis(hello["d"]["heartbeat_interval"].as_u64().unwrap_or(41_250));
    let identify = json!({"op": 2, "d": {
        "token": token,
        "intents": INTENTS,
        "properties": {"os": "linux", "browser": "hearth-bench", "device": "hearth-bench"},
    }});
    ws.send(Message::Text(identify.to_string().into()))
        .await
        .map_err(|e| fail("send", e))?;
    let mut want: Option<usize> = None;
    let mut guilds = 0;
    loop {
        let p = next_payload(&mut ws, &mut decoder, deadline).await?;
        match p["t"].as_str() {
            Some("READY") => {
                want = Some(p["d"]["guilds"].as_array().map_or(0, Vec::len));
            }
            Some("GUILD_CREATE") => guilds += 1,
            _ => {}
        }
        if want.is_some_and(|w| guilds >= w) {
            return Ok(Session {
                ws,
                decoder,
                heartbeat,
                guilds,
            });
        }
    }
}

/// The next payload (parsed), within the deadline.
async fn next_payload(
    ws: &mut Ws,
    decoder: &mut Decoder,
    deadline: tokio::time::Instant,
) -> Result<Value, OpenError> {
    loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Err(fail("ready timeout", "no READY in time")),
            Ok(None) => return Err(fail("closed", "connection ended")),
            Ok(Some(Err(e))) => return Err(fail("read", e)),
            Ok(Some(Ok(m))) => m,
        };
        if let Message::Close(frame) = &msg {
            let code = frame.as_ref().map_or(0, |f| u16::from(f.code));
            return Err(fail("closed", format!("close {code}")));
        }
        if let Some(text) = decoder.push(&msg).map_err(|e| fail("decode", e))? {
            return serde_json::from_str(text).map_err(|e| fail("decode", e));
        }
    }
}

/// `{"op":1,"d":null}`.
pub fn heartbeat() -> Message {
    Message::Text(r#"{"op":1,"d":null}"#.into())
}

/// When a payload is a MESSAGE_CREATE whose nonce is `<index>.<micros>`, those two numbers.
/// A plain scan rather than a parse: the listeners see hundreds of thousands of these a second.
pub fn message_create_nonce(text: &str) -> Option<(u64, u64)> {
    if !text.contains(r#""t":"MESSAGE_CREATE""#) {
        return None;
    }
    let at = text.find(r#""nonce":""#)? + r#""nonce":""#.len();
    let rest = &text[at..];
    let nonce = &rest[..rest.find('"')?];
    let (index, micros) = nonce.split_once('.')?;
    Some((index.parse().ok()?, micros.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};

    #[test]
    fn finds_the_nonce_of_message_creates_only() {
        let m = r#"{"op":0,"s":4,"t":"MESSAGE_CREATE","d":{"id":"1","nonce":"17.123456","content":"x"}}"#;
        assert_eq!(message_create_nonce(m), Some((17, 123456)));
        let other = r#"{"op":0,"s":4,"t":"MESSAGE_UPDATE","d":{"nonce":"17.123456"}}"#;
        assert_eq!(message_create_nonce(other), None);
        let foreign = r#"{"op":0,"t":"MESSAGE_CREATE","d":{"nonce":"abc"}}"#;
        assert_eq!(message_create_nonce(foreign), None);
        let none = r#"{"op":0,"t":"MESSAGE_CREATE","d":{"nonce":null}}"#;
        assert_eq!(message_create_nonce(none), None);
    }

    #[test]
    fn inflates_a_zlib_stream_split_over_frames() {
        let mut c = Compress::new(Compression::fast(), true);
        let mut d = Decoder::new(true);
        for i in 0..20 {
            let text = format!(r#"{{"op":0,"s":{i},"d":"{}"}}"#, "y".repeat(i * 300));
            let mut out = Vec::with_capacity(text.len() + 128);
            c.compress_vec(text.as_bytes(), &mut out, FlushCompress::Sync)
                .unwrap();
            assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
            let (a, b) = out.split_at(out.len() / 2);
            assert_eq!(d.push(&Message::Binary(a.to_vec().into())).unwrap(), None);
            let second = Message::Binary(b.to_vec().into());
            let got = d.push(&second).unwrap();
            assert_eq!(got, Some(text.as_str()));
        }
        let mut plain = Decoder::new(false);
        assert_eq!(plain.push(&Message::Text("{}".into())).unwrap(), Some("{}"));
        assert!(plain.push(&Message::Binary(vec![1].into())).is_err());
    }
}

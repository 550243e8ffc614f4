//! A session: its identity, and its bounded buffer of dispatch frames, numbered by its sequence.
//! The hub appends to it; the session's current connection (if any) drains it; RESUME re-reads
//! it from the client's last sequence number.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hearth_core::UserId;
use hearth_protocol::events::Event;
use tokio::sync::Notify;

use crate::GatewayConfig;

/// One dispatch: its name and its payload, serialized once.
#[derive(Debug)]
pub struct Frame {
    /// Event name (`t`).
    pub name: Arc<str>,
    /// Serialized payload (`d`).
    pub data: Arc<str>,
}

impl Frame {
    /// A frame from a name and a payload.
    pub fn new<T: serde::Serialize + ?Sized>(name: &str, data: &T) -> Arc<Frame> {
        Arc::new(Frame {
            name: name.into(),
            data: serde_json::to_string(data)
                .unwrap_or_else(|_| String::from("null"))
                .into(),
        })
    }

    /// The dispatch of an event (None for the events of the hubs, which no client receives).
    pub fn dispatch(event: &Event) -> Option<Arc<Frame>> {
        Some(Arc::new(Frame {
            name: event.name().into(),
            data: event.data()?.into(),
        }))
    }

    /// The full text of this dispatch as sequence number `seq`.
    pub fn text(&self, seq: u64) -> String {
        let mut s = String::with_capacity(self.data.len() + self.name.len() + 40);
        s.push_str("{\"op\":0,\"s\":");
        s.push_str(&seq.to_string());
        s.push_str(",\"t\":\"");
        s.push_str(&self.name);
        s.push_str("\",\"d\":");
        s.push_str(&self.data);
        s.push('}');
        s
    }
}

/// Why a connection must close, as seen from its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep going.
    Open,
    /// Another connection resumed this session.
    Superseded,
    /// Too many frames waiting: close, the session stays resumable.
    TooSlow,
    /// The session can no longer be resumed (its buffer overflowed).
    Invalid,
    /// The token the session identified with was revoked.
    Revoked,
}

#[derive(Debug)]
pub(super) struct Buffer {
    seq: u64,
    frames: VecDeque<(u64, Instant, Arc<Frame>)>,
    /// Highest sequence number written to the current connection.
    sent: u64,
    /// The attached connection (0: none).
    connection: u64,
    /// Last sequence number buffered when the connection attached: a replay up to it is not
    /// held against the connection as slowness.
    attached_at_seq: u64,
    detached_at: Option<Instant>,
    verdict: Verdict,
}

/// A gateway session: who it is, what it asked for, and its buffer.
#[derive(Debug)]
pub struct Session {
    /// Opaque id (`session_id` of READY).
    pub id: String,
    /// The user.
    pub user_id: UserId,
    /// Whether the user is a bot.
    pub bot: bool,
    /// Intent bits asked for at IDENTIFY.
    pub intents: u64,
    /// Hash of the token it identified with (RESUME must present the same token).
    pub token_hash: String,
    /// Members per guild up to which GUILD_CREATE lists them all.
    pub large_threshold: i64,
    buf: Mutex<Buffer>,
    notify: Notify,
}

impl Session {
    /// A session not yet registered.
    pub fn new(
        user_id: UserId,
        bot: bool,
        intents: u64,
        token_hash: String,
        large_threshold: i64,
    ) -> Arc<Session> {
        let id = format!("{:032x}", rand::random::<u128>());
        Arc::new(Session {
            id,
            user_id,
            bot,
            intents,
            token_hash,
            large_threshold,
            buf: Mutex::new(Buffer {
                seq: 0,
                frames: VecDeque::new(),
                sent: 0,
                connection: 0,
                attached_at_seq: 0,
                detached_at: Some(Instant::now()),
                verdict: Verdict::Open,
            }),
            notify: Notify::new(),
        })
    }

    /// Ends the session with `verdict` and wakes its connection to act on it.
    pub(super) fn end(&self, verdict: Verdict) {
        self.lock().verdict = verdict;
        self.wake();
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Buffer> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the connection's writer.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits for new frames or a verdict.
    pub async fn woken(&self) {
        self.notify.notified().await;
    }

    /// Makes `connection` the session's connection, resuming after `seq` (0: from the start).
    /// Fails when frames after `seq` are no longer buffered or `seq` is ahead of the session.
    pub fn attach(&self, connection: u64, seq: u64) -> Result<(), Verdict> {
        let mut b = self.lock();
        if b.verdict == Verdict::Invalid {
            return Err(Verdict::Invalid);
        }
        let first = b.frames.front().map_or(b.seq + 1, |f| f.0);
        if seq > b.seq || (seq < b.seq && first > seq + 1) {
            return Err(Verdict::Invalid);
        }
        b.sent = seq;
        b.connection = connection;
        b.attached_at_seq = b.seq;
        b.detached_at = None;
        b.verdict = Verdict::Open;
        drop(b);
        self.wake();
        Ok(())
    }

    /// Lets go of `connection` (the session stays resumable); false when another connection
    /// had already taken the session over.
    pub fn detach(&self, connection: u64) -> bool {
        let mut b = self.lock();
        if b.connection != connection {
            return false;
        }
        b.connection = 0;
        b.detached_at = Some(Instant::now());
        true
    }

    /// The next frame for `connection` to write, or why it must stop.
    pub fn next(&self, connection: u64) -> Result<Option<(u64, Arc<Frame>)>, Verdict> {
        let b = self.lock();
        if b.connection != connection {
            return Err(Verdict::Superseded);
        }
        if b.verdict != Verdict::Open {
            return Err(b.verdict);
        }
        let Some(first) = b.frames.front().map(|f| f.0) else {
            return Ok(None);
        };
        let wanted = b.sent + 1;
        if wanted < first {
            return Err(Verdict::Invalid);
        }
        Ok(b.frames
            .get((wanted - first) as usize)
            .map(|(s, _, f)| (*s, f.clone())))
    }

    /// Records that `connection` wrote frame `seq`.
    pub fn written(&self, connection: u64, seq: u64) {
        let mut b = self.lock();
        if b.connection == connection && seq > b.sent {
            b.sent = seq;
        }
    }

    /// The last sequence number given out.
    pub fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Buffers a new session's first frames (READY, a GUILD_CREATE per guild), however many.
    pub(super) fn preload(&self, frames: Vec<Arc<Frame>>) {
        let mut b = self.lock();
        let now = Instant::now();
        for f in frames {
            b.seq += 1;
            let seq = b.seq;
            b.frames.push_back((seq, now, f));
        }
    }

    /// Appends a frame; returns the verdict for the session afterwards.
    pub(super) fn push(&self, frame: Arc<Frame>, config: &GatewayConfig) -> Verdict {
        let mut b = self.lock();
        if b.verdict == Verdict::Invalid {
            return Verdict::Invalid;
        }
        let now = Instant::now();
        b.seq += 1;
        let seq = b.seq;
        b.frames.push_back((seq, now, frame));
        // Written frames are kept for RESUME within the window (count and age); frames not yet
        // written are never dropped: past the window the session is given up instead.
        let window = Duration::from_secs(config.resume_timeout_secs);
        while let Some((s, at, _)) = b.frames.front() {
            let (s, at) = (*s, *at);
            if s <= b.sent
                && (b.frames.len() > config.resume_buffer || now.duration_since(at) > window)
            {
                b.frames.pop_front();
            } else {
                break;
            }
        }
        let unsent = b.seq - b.sent;
        // Waiting frames that arrived since the connection attached (a replay does not count).
        let queued = b.seq - b.sent.max(b.attached_at_seq);
        if unsent as usize > config.resume_buffer {
            b.verdict = Verdict::Invalid;
            b.frames.clear();
        } else if b.connection != 0 && queued as usize > config.queue_limit {
            b.verdict = Verdict::TooSlow;
        }
        let verdict = b.verdict;
        drop(b);
        self.wake();
        verdict
    }

    pub(super) fn expired(&self, timeout: Duration) -> bool {
        let b = self.lock();
        b.verdict == Verdict::Invalid || b.detached_at.is_some_and(|at| at.elapsed() > timeout)
    }
}

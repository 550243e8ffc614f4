//! The writer half of a connection: control payloads from the reader, then the session's
//! frames once it is attached, through the connection's transport compression.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt};
use tokio::sync::{mpsc, watch};

use super::Control;
use crate::compress::{ZlibStream, ZstdStream};
use crate::hub::{Session, Verdict};
use crate::payload::close;
use crate::WsMessage;

/// The writer: control payloads as they come, and the session's frames once attached.
pub(super) async fn write<Si>(
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
            if !drain(&mut sink, &mut z, s, id, timeout).await {
                return;
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

/// Writes everything the session holds for connection `id`, then flushes. False when the
/// connection is done: the socket failed, another connection took the session over, or the
/// session is closed (with the close frame its verdict calls for).
async fn drain<Si>(
    sink: &mut Si,
    z: &mut Option<Compressor>,
    session: &Session,
    id: u64,
    timeout: Duration,
) -> bool
where
    Si: Sink<WsMessage> + Unpin,
{
    loop {
        match session.next(id) {
            Ok(Some((seq, frame))) => {
                // Queued without flushing: everything pending goes out in one write.
                if !feed(sink, z, frame.text(seq), timeout).await {
                    return false;
                }
                session.written(id, seq);
            }
            Ok(None) => {
                return matches!(
                    tokio::time::timeout(timeout, sink.flush()).await,
                    Ok(Ok(()))
                );
            }
            Err(Verdict::Superseded) => return false,
            Err(verdict) => {
                let (code, reason) = match verdict {
                    Verdict::TooSlow => (close::UNKNOWN_ERROR, "too slow"),
                    Verdict::Revoked => (close::AUTHENTICATION_FAILED, "token revoked"),
                    _ => (close::UNKNOWN_ERROR, "session lost"),
                };
                let _ = close_with(sink, code, reason, timeout).await;
                return false;
            }
        }
    }
}

/// The transport compression of a connection.
#[derive(Debug)]
pub(super) enum Compressor {
    Zlib(ZlibStream),
    Zstd(ZstdStream),
}

impl Compressor {
    /// The compression the client asked for in the connection URL, if any (zstd when both
    /// are named).
    pub(super) fn for_options(options: &super::ConnectOptions) -> Option<Self> {
        if options.zstd {
            ZstdStream::new().ok().map(Self::Zstd)
        } else if options.zlib {
            Some(Self::Zlib(ZlibStream::default()))
        } else {
            None
        }
    }
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

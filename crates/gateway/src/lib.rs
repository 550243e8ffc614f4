//! hearth-gateway: Discord Gateway v10 over any WebSocket.
//!
//! - [`hub::Hub`]: the registry of this node's sessions (by id, user and guild), fed by one bus
//!   subscription; it serializes each event once and appends the same bytes to the replay
//!   buffer of every session that may receive it.
//! - [`connection`]: one WebSocket: HELLO, IDENTIFY/RESUME, heartbeats, commands, and a writer
//!   that drains the session's buffer. Written against `Sink`/`Stream` of [`WsMessage`], so
//!   tests drive it with channels and the API adapts axum's WebSocket to it.
//! - [`payload`]: READY and GUILD_CREATE from the store; opcodes, close codes and intents.
//! - [`wire`]: stored records to wire objects (shared with the REST API).
//! - [`presence`]: statuses, activities and devices, aggregated per user.
//! - [`compress`]: the `zlib-stream` and `zstd-stream` transport compressions.
#![forbid(unsafe_code)]

pub mod compress;
pub mod config;
pub mod connection;
pub mod hub;
pub mod payload;
pub mod presence;
pub use hearth_state::wire;

pub use config::GatewayConfig;
pub use hub::Hub;

/// A WebSocket message, independent of the WebSocket library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsMessage {
    /// A text frame.
    Text(String),
    /// A binary frame (hearth's compressed payloads; a client's JSON payloads).
    Binary(Vec<u8>),
    /// A ping (answered by the transport).
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// A close frame with its code and reason.
    Close(Option<(u16, String)>),
}

/// Why a client's message could not be read, independent of the WebSocket library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsError {
    /// The message is larger than `gateway.max_payload_bytes`; the transport stopped reading it.
    TooLarge,
    /// A text message that is not valid UTF-8.
    InvalidUtf8,
    /// The connection failed, or the client broke the WebSocket protocol.
    Broken,
}

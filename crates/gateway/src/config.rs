//! Gateway settings.

use serde::{Deserialize, Serialize};

/// `[gateway]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Milliseconds between heartbeats asked of clients (HELLO); a connection silent for 1.5
    /// times this is closed (4009) and its session kept for resuming.
    pub heartbeat_interval_ms: u64,
    /// Events each session keeps for RESUME; a session further behind than this cannot resume.
    pub resume_buffer: usize,
    /// Events a connection may have waiting to be written before it is closed as too slow
    /// (resumably, while its buffer still holds what it missed).
    pub queue_limit: usize,
    /// Seconds a disconnected session stays resumable.
    pub resume_timeout_secs: u64,
    /// Commands a connection may send per minute (heartbeats excepted) before it is closed
    /// with 4008.
    pub commands_per_minute: u32,
    /// Whether bots may use the privileged intents (members, presences, message content);
    /// when false, asking for them closes the connection with 4014.
    pub allow_privileged_intents: bool,
    /// Seconds one write to a client may take before the connection is dropped as stalled.
    pub write_timeout_secs: u64,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            heartbeat_interval_ms: 41_250,
            resume_buffer: 1024,
            queue_limit: 512,
            resume_timeout_secs: 120,
            commands_per_minute: 120,
            allow_privileged_intents: true,
            write_timeout_secs: 10,
        }
    }
}

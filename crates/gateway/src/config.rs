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
    /// Largest payload a client may send, in bytes: one WebSocket message, all its frames
    /// together. A larger one closes the connection with 4002 before it is read into memory.
    pub max_payload_bytes: usize,
}

/// The smallest `max_payload_bytes` allowed: Discord's own limit on what clients send, so that
/// every payload a Discord library sends fits.
pub const MIN_PAYLOAD_BYTES: usize = 4096;

impl GatewayConfig {
    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_payload_bytes < MIN_PAYLOAD_BYTES {
            return Err(format!(
                "gateway.max_payload_bytes must be at least {MIN_PAYLOAD_BYTES}"
            ));
        }
        Ok(())
    }
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
            max_payload_bytes: 64 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_limit_below_discords_own_is_refused() {
        assert_eq!(GatewayConfig::default().validate(), Ok(()));
        let small = GatewayConfig {
            max_payload_bytes: MIN_PAYLOAD_BYTES - 1,
            ..GatewayConfig::default()
        };
        assert!(small.validate().unwrap_err().contains("at least 4096"));
    }
}

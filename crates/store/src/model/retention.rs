//! The stored records of deletion and retention rules (see [`crate::RetentionStore`]).

use hearth_core::{ChannelId, GuildId, MessageId};
use sqlx::FromRow;

/// A channel's own rules. A channel without a stored row has the default: not secret, and
/// the guild's retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct ChannelRetention {
    /// Channel.
    pub channel_id: ChannelId,
    /// A deleted message leaves no row (no tombstone).
    pub secret: bool,
    /// Messages older than this many days are purged; None: the guild's rule.
    pub retention_days: Option<i64>,
}

impl ChannelRetention {
    /// The rules of a channel that has none stored.
    pub fn none(channel_id: ChannelId) -> Self {
        ChannelRetention {
            channel_id,
            secret: false,
            retention_days: None,
        }
    }
}

/// A channel whose messages expire: its own retention, or else its guild's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct RetentionTarget {
    /// Channel.
    pub channel_id: ChannelId,
    /// Its guild (None for a DM or group DM).
    pub guild_id: Option<GuildId>,
    /// Days its messages are kept.
    pub retention_days: i64,
}

/// What one purge of a channel removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Purged {
    /// The messages removed that were not deleted yet (clients still show them), ascending.
    pub visible: Vec<MessageId>,
    /// Rows removed in all, tombstones included.
    pub rows: u64,
}

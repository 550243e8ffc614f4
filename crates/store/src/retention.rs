//! Deletion and retention rules: [`RetentionStore`]. How a single delete leaves a tombstone
//! (or, in a secret channel, nothing) is [`crate::MessageStore::delete_message`]'s; this trait
//! holds the rules and the purge of expired messages.

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MessageId, Timestamp};

use crate::{ChannelRetention, Purged, Result, RetentionTarget};

/// Secret channels, retention per guild and channel, and the purge.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// A channel's own rules ([`ChannelRetention::none`] when it has none stored).
    async fn fetch_channel_retention(&self, channel_id: ChannelId) -> Result<ChannelRetention>;
    /// A guild's retention in days, if it has one.
    async fn fetch_guild_retention(&self, guild_id: GuildId) -> Result<Option<i64>>;
    /// Every channel whose messages expire, with the days that apply (its own, else its
    /// guild's), by ascending channel id.
    async fn fetch_retention_targets(&self) -> Result<Vec<RetentionTarget>>;
    /// Stores a channel's rules (a row with neither rule is removed).
    async fn update_channel_retention(&self, rules: &ChannelRetention, at: Timestamp)
        -> Result<()>;
    /// Stores a guild's retention (None removes it).
    async fn update_guild_retention(
        &self,
        guild_id: GuildId,
        days: Option<i64>,
        at: Timestamp,
    ) -> Result<()>;
    /// Removes up to `limit` messages of a channel older than `before` (rows, tombstones
    /// included, and everything that refers to them), oldest first, in one transaction.
    /// Several nodes may purge at once: each row is removed, and reported, by one of them.
    async fn delete_messages_before(
        &self,
        channel_id: ChannelId,
        before: MessageId,
        limit: i64,
    ) -> Result<Purged>;
}

//! Channel permission overwrites: [`OverwriteStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Snowflake};

use crate::{Overwrite, Result};

/// The permission overwrites of guild channels, one per channel and target (a role or a
/// member).
#[async_trait]
pub trait OverwriteStore: Send + Sync {
    /// Creates or replaces the overwrite of `target_id` in a channel; true when it is new.
    async fn put_overwrite(&self, overwrite: &Overwrite) -> Result<bool>;
    /// A channel's overwrites by target id.
    async fn fetch_channel_overwrites(&self, channel_id: ChannelId) -> Result<Vec<Overwrite>>;
    /// The overwrites of all of a guild's channels, by channel id, then target id.
    async fn fetch_guild_overwrites(&self, guild_id: GuildId) -> Result<Vec<Overwrite>>;
    /// Replaces all of a channel's overwrites with `overwrites` in one transaction, all written
    /// under `channel_id` and `guild_id` whatever their own say (of several for one target, the
    /// last wins); returns the stored set by target id. Replacements of one channel's set run
    /// one after the other, so the set left is one of them whole; a channel that does not exist
    /// keeps none.
    async fn replace_overwrites(
        &self,
        channel_id: ChannelId,
        guild_id: GuildId,
        overwrites: &[Overwrite],
    ) -> Result<Vec<Overwrite>>;
    /// Deletes one overwrite; true when it existed.
    async fn delete_overwrite(&self, channel_id: ChannelId, target_id: Snowflake) -> Result<bool>;
}

//! Each person's notification settings and channel preferences: [`ChannelPreferenceStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{ChannelPreferences, GuildPreferences, PreferenceEntry, Result};

/// Per user: one row of settings per guild (and one for the DMs, `guild_id` None) and one row
/// per channel with the channel's override, favourite and last access. An entry is a guild's
/// row with its channels' rows. The store checks neither membership nor visibility (the API
/// does); it keeps a channel's rows only while the channel exists.
#[async_trait]
pub trait ChannelPreferenceStore: Send + Sync {
    /// `user_id`'s entry for `guild_id` (None: the DMs): the guild row if written, and the
    /// rows of the entry's channels, by channel id.
    async fn fetch_preference_entry(
        &self,
        user_id: UserId,
        guild_id: Option<GuildId>,
    ) -> Result<PreferenceEntry>;
    /// Every entry of `user_id` that has a guild row or a channel row, ordered by guild id
    /// (the DMs' first); each entry's channels by channel id. One read of each table.
    async fn fetch_preference_entries(&self, user_id: UserId) -> Result<Vec<PreferenceEntry>>;
    /// Writes an entry in one transaction: the guild row `guild` (its `version` and
    /// `updated_at` are the store's: one more than stored, or 1, and `at`) and each row of
    /// `channels` (created, or replaced except for its `last_accessed_at`, which stays); each
    /// channel row must name `guild.user_id` and `guild.guild_id`. Answers the entry as it is
    /// then. A channel or user that does not exist:
    /// [`StoreError::MissingParent`](crate::StoreError::MissingParent), nothing written.
    async fn update_preference_entry(
        &self,
        guild: &GuildPreferences,
        channels: &[ChannelPreferences],
        at: Timestamp,
    ) -> Result<PreferenceEntry>;
    /// Records that `user_id` opened `channel_id` (of `guild_id`, None for a private channel)
    /// at `at`, unless the stored last access is less than `coalesce_micros` older (then
    /// nothing is written): one statement. True when written. A channel or user that does not
    /// exist: [`StoreError::MissingParent`](crate::StoreError::MissingParent).
    async fn update_last_access(
        &self,
        user_id: UserId,
        channel_id: ChannelId,
        guild_id: Option<GuildId>,
        at: Timestamp,
        coalesce_micros: i64,
    ) -> Result<bool>;
}

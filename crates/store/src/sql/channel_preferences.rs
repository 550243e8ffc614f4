//! The SQL of [`crate::ChannelPreferenceStore`].
//!
//! The DMs' entry is stored as guild 0 (see the migration) and read back as no guild: the
//! columns are listed so that `NULLIF(guild_id, 0)` gives the records their `Option<GuildId>`.

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Snowflake, Timestamp, UserId};

use super::{Backend, DB};
use crate::{
    ChannelPreferenceStore, ChannelPreferences, GuildPreferences, PreferenceEntry, Result,
};

type Tx<'c> = sqlx::Transaction<'c, DB>;

/// The columns of `guild_preferences`, the guild as an `Option`.
const GUILD_COLUMNS: &str = "user_id, NULLIF(guild_id, 0) AS guild_id, muted, mute_end_time,
    mute_window, message_notifications, suppress_everyone, suppress_roles, mobile_push,
    hide_muted_channels, notify_highlights, flags, version, updated_at";

/// The columns of `channel_preferences`, the guild as an `Option`.
const CHANNEL_COLUMNS: &str = "user_id, channel_id, NULLIF(guild_id, 0) AS guild_id, muted,
    mute_end_time, mute_window, message_notifications, collapsed, favorite, last_accessed_at";

/// The stored form of an entry's guild: its id, or 0 for the DMs.
fn scope(guild_id: Option<GuildId>) -> i64 {
    guild_id.map_or(0, |g| Snowflake::from(g).as_i64())
}

/// The entry of `guild_id` as `executor` sees it.
async fn entry_in<'e, E>(
    executor: E,
    user_id: UserId,
    guild_id: Option<GuildId>,
) -> Result<PreferenceEntry>
where
    E: sqlx::Executor<'e, Database = DB> + Copy,
{
    let guild = sqlx::query_as(&format!(
        "SELECT {GUILD_COLUMNS} FROM guild_preferences WHERE user_id = $1 AND guild_id = $2"
    ))
    .bind(user_id)
    .bind(scope(guild_id))
    .fetch_optional(executor)
    .await?;
    let channels = sqlx::query_as(&format!(
        "SELECT {CHANNEL_COLUMNS} FROM channel_preferences
         WHERE user_id = $1 AND guild_id = $2 ORDER BY channel_id"
    ))
    .bind(user_id)
    .bind(scope(guild_id))
    .fetch_all(executor)
    .await?;
    Ok(PreferenceEntry { guild, channels })
}

/// Writes the guild row, one version up (or version 1), at `at`.
async fn put_guild_in(tx: &mut Tx<'_>, g: &GuildPreferences, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO guild_preferences (user_id, guild_id, muted, mute_end_time, mute_window,
            message_notifications, suppress_everyone, suppress_roles, mobile_push,
            hide_muted_channels, notify_highlights, flags, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13)
         ON CONFLICT (user_id, guild_id) DO UPDATE SET
            muted = excluded.muted, mute_end_time = excluded.mute_end_time,
            mute_window = excluded.mute_window,
            message_notifications = excluded.message_notifications,
            suppress_everyone = excluded.suppress_everyone,
            suppress_roles = excluded.suppress_roles, mobile_push = excluded.mobile_push,
            hide_muted_channels = excluded.hide_muted_channels,
            notify_highlights = excluded.notify_highlights, flags = excluded.flags,
            version = guild_preferences.version + 1, updated_at = excluded.updated_at",
    )
    .bind(g.user_id)
    .bind(scope(g.guild_id))
    .bind(g.muted)
    .bind(g.mute_end_time)
    .bind(g.mute_window)
    .bind(g.message_notifications)
    .bind(g.suppress_everyone)
    .bind(g.suppress_roles)
    .bind(g.mobile_push)
    .bind(g.hide_muted_channels)
    .bind(g.notify_highlights)
    .bind(g.flags)
    .bind(at.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a channel row, keeping its last access.
async fn put_channel_in(tx: &mut Tx<'_>, c: &ChannelPreferences) -> Result<()> {
    sqlx::query(
        "INSERT INTO channel_preferences (user_id, channel_id, guild_id, muted, mute_end_time,
            mute_window, message_notifications, collapsed, favorite, last_accessed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)
         ON CONFLICT (user_id, channel_id) DO UPDATE SET
            guild_id = excluded.guild_id, muted = excluded.muted,
            mute_end_time = excluded.mute_end_time, mute_window = excluded.mute_window,
            message_notifications = excluded.message_notifications,
            collapsed = excluded.collapsed, favorite = excluded.favorite",
    )
    .bind(c.user_id)
    .bind(c.channel_id)
    .bind(scope(c.guild_id))
    .bind(c.muted)
    .bind(c.mute_end_time)
    .bind(c.mute_window)
    .bind(c.message_notifications)
    .bind(c.collapsed)
    .bind(c.favorite)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl ChannelPreferenceStore for Backend {
    async fn fetch_preference_entry(
        &self,
        user_id: UserId,
        guild_id: Option<GuildId>,
    ) -> Result<PreferenceEntry> {
        entry_in(self.reader(), user_id, guild_id).await
    }

    async fn fetch_preference_entries(&self, user_id: UserId) -> Result<Vec<PreferenceEntry>> {
        let guilds: Vec<GuildPreferences> = sqlx::query_as(&format!(
            "SELECT {GUILD_COLUMNS} FROM guild_preferences WHERE user_id = $1"
        ))
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        let channels: Vec<ChannelPreferences> = sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channel_preferences
             WHERE user_id = $1 ORDER BY channel_id"
        ))
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        let mut scopes: Vec<i64> = guilds
            .iter()
            .map(|g| scope(g.guild_id))
            .chain(channels.iter().map(|c| scope(c.guild_id)))
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        Ok(scopes
            .into_iter()
            .map(|s| PreferenceEntry {
                guild: guilds.iter().find(|g| scope(g.guild_id) == s).cloned(),
                channels: channels
                    .iter()
                    .filter(|c| scope(c.guild_id) == s)
                    .cloned()
                    .collect(),
            })
            .collect())
    }

    async fn update_preference_entry(
        &self,
        guild: &GuildPreferences,
        channels: &[ChannelPreferences],
        at: Timestamp,
    ) -> Result<PreferenceEntry> {
        let mut tx = self.writer().begin().await?;
        put_guild_in(&mut tx, guild, at).await?;
        for c in channels {
            put_channel_in(&mut tx, c).await?;
        }
        tx.commit().await?;
        // Read through the writer, which saw the commit.
        entry_in(self.writer(), guild.user_id, guild.guild_id).await
    }

    async fn update_last_access(
        &self,
        user_id: UserId,
        channel_id: ChannelId,
        guild_id: Option<GuildId>,
        at: Timestamp,
        coalesce_micros: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO channel_preferences (user_id, channel_id, guild_id, last_accessed_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, channel_id) DO UPDATE SET
                last_accessed_at = excluded.last_accessed_at
             WHERE channel_preferences.last_accessed_at IS NULL
                OR channel_preferences.last_accessed_at <= excluded.last_accessed_at - $5",
        )
        .bind(user_id)
        .bind(channel_id)
        .bind(scope(guild_id))
        .bind(at.0)
        .bind(coalesce_micros)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

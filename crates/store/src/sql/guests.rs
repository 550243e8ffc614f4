//! The SQL of [`crate::GuestStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use super::members::member_in;
use super::{Backend, DB};
use crate::{ChannelCounters, GuestStore, Member, Result};

#[async_trait]
impl GuestStore for Backend {
    async fn fetch_expired_guests(&self, now: Timestamp, limit: i64) -> Result<Vec<Member>> {
        let keys: Vec<(GuildId, UserId)> = sqlx::query_as(
            "SELECT guild_id, user_id FROM members
             WHERE guest_expires_at IS NOT NULL AND guest_expires_at <= $1 AND kind = 'guest'
             ORDER BY guest_expires_at, guild_id, user_id LIMIT $2",
        )
        .bind(now.0)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::with_capacity(keys.len());
        for (guild, user) in keys {
            // A guest removed in between is skipped.
            if let Some(m) = member_in(self.reader(), guild, user).await? {
                out.push(m);
            }
        }
        Ok(out)
    }

    async fn fetch_default_channels(&self, guild_id: GuildId) -> Result<Vec<ChannelId>> {
        let rows: Vec<(ChannelId,)> = sqlx::query_as(
            "SELECT channel_id FROM guild_default_channels WHERE guild_id = $1
             ORDER BY position, channel_id",
        )
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn fetch_channel_counters(&self, guild_id: GuildId) -> Result<Vec<ChannelCounters>> {
        Ok(sqlx::query_as(
            "SELECT id AS channel_id, message_count, last_activity_at FROM channels
             WHERE guild_id = $1 ORDER BY id",
        )
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn update_default_channels(
        &self,
        guild_id: GuildId,
        channels: &[ChannelId],
    ) -> Result<()> {
        let mut tx: sqlx::Transaction<'_, DB> = self.writer().begin().await?;
        sqlx::query("DELETE FROM guild_default_channels WHERE guild_id = $1")
            .bind(guild_id)
            .execute(&mut *tx)
            .await?;
        let mut seen = Vec::with_capacity(channels.len());
        for c in channels {
            if seen.contains(c) {
                continue;
            }
            sqlx::query(
                "INSERT INTO guild_default_channels (guild_id, channel_id, position)
                 VALUES ($1, $2, $3)",
            )
            .bind(guild_id)
            .bind(*c)
            .bind(seen.len() as i64)
            .execute(&mut *tx)
            .await?;
            seen.push(*c);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_expired_guest(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<bool> {
        let r = sqlx::query(
            "DELETE FROM members WHERE guild_id = $1 AND user_id = $2 AND kind = 'guest'
                AND guest_expires_at IS NOT NULL AND guest_expires_at <= $3",
        )
        .bind(guild_id)
        .bind(user_id)
        .bind(now.0)
        .execute(self.writer())
        .await?;
        Ok(r.rows_affected() > 0)
    }
}

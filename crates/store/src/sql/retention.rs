//! The SQL of [`crate::RetentionStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MessageId, Timestamp};

use super::messages::{uncount_in, unlink_messages_in};
use super::{Backend, DB};
use crate::{ChannelRetention, Purged, Result, RetentionStore, RetentionTarget};

/// Whether a channel is secret, read inside a delete's transaction.
pub(super) async fn is_secret_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    channel_id: ChannelId,
) -> Result<bool> {
    let row: Option<(bool,)> =
        sqlx::query_as("SELECT secret FROM channel_retention WHERE channel_id = $1")
            .bind(channel_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some_and(|(s,)| s))
}

#[async_trait]
impl RetentionStore for Backend {
    async fn fetch_channel_retention(&self, channel_id: ChannelId) -> Result<ChannelRetention> {
        let row: Option<ChannelRetention> = sqlx::query_as(
            "SELECT channel_id, secret, retention_days FROM channel_retention
             WHERE channel_id = $1",
        )
        .bind(channel_id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.unwrap_or_else(|| ChannelRetention::none(channel_id)))
    }

    async fn fetch_guild_retention(&self, guild_id: GuildId) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT retention_days FROM guild_retention WHERE guild_id = $1")
                .bind(guild_id)
                .fetch_optional(self.reader())
                .await?;
        Ok(row.map(|(d,)| d))
    }

    async fn fetch_retention_targets(&self) -> Result<Vec<RetentionTarget>> {
        Ok(sqlx::query_as(
            "SELECT c.id AS channel_id, c.guild_id,
                COALESCE(cr.retention_days, gr.retention_days) AS retention_days
             FROM channels c
             LEFT JOIN channel_retention cr ON cr.channel_id = c.id
             LEFT JOIN guild_retention gr ON gr.guild_id = c.guild_id
             WHERE cr.retention_days IS NOT NULL OR gr.retention_days IS NOT NULL
             ORDER BY c.id",
        )
        .fetch_all(self.reader())
        .await?)
    }

    async fn update_channel_retention(
        &self,
        rules: &ChannelRetention,
        at: Timestamp,
    ) -> Result<()> {
        if !rules.secret && rules.retention_days.is_none() {
            sqlx::query("DELETE FROM channel_retention WHERE channel_id = $1")
                .bind(rules.channel_id)
                .execute(self.writer())
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO channel_retention (channel_id, secret, retention_days, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel_id) DO UPDATE SET secret = excluded.secret,
                retention_days = excluded.retention_days, updated_at = excluded.updated_at",
        )
        .bind(rules.channel_id)
        .bind(rules.secret)
        .bind(rules.retention_days)
        .bind(at.0)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn update_guild_retention(
        &self,
        guild_id: GuildId,
        days: Option<i64>,
        at: Timestamp,
    ) -> Result<()> {
        match days {
            None => {
                sqlx::query("DELETE FROM guild_retention WHERE guild_id = $1")
                    .bind(guild_id)
                    .execute(self.writer())
                    .await?;
            }
            Some(days) => {
                sqlx::query(
                    "INSERT INTO guild_retention (guild_id, retention_days, updated_at)
                     VALUES ($1, $2, $3)
                     ON CONFLICT (guild_id) DO UPDATE SET
                        retention_days = excluded.retention_days, updated_at = excluded.updated_at",
                )
                .bind(guild_id)
                .bind(days)
                .bind(at.0)
                .execute(self.writer())
                .await?;
            }
        }
        Ok(())
    }

    async fn delete_messages_before(
        &self,
        channel_id: ChannelId,
        before: MessageId,
        limit: i64,
    ) -> Result<Purged> {
        let mut tx = self.writer().begin().await?;
        // Of several purges at once, each row is returned to the one that removed it.
        let rows: Vec<(MessageId, Option<i64>)> = sqlx::query_as(
            "DELETE FROM messages WHERE channel_id = $1 AND id IN (
                SELECT id FROM messages WHERE channel_id = $1 AND id < $2 ORDER BY id LIMIT $3)
             RETURNING id, deleted_at",
        )
        .bind(channel_id)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<MessageId> = rows.iter().map(|(id, _)| *id).collect();
        unlink_messages_in(&mut tx, channel_id, &ids).await?;
        let mut visible: Vec<MessageId> = rows
            .iter()
            .filter(|(_, deleted)| deleted.is_none())
            .map(|(id, _)| *id)
            .collect();
        uncount_in(&mut tx, channel_id, visible.len() as i64).await?;
        tx.commit().await?;
        visible.sort_unstable();
        Ok(Purged {
            visible,
            rows: rows.len() as u64,
        })
    }
}

//! The SQL of [`crate::BanStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MessageId, Snowflake, Timestamp, UserId};

use super::Backend;
use crate::{Ban, BanOutcome, BanStore, CheckText, Result};

/// The smallest snowflake that could have been made at `at` (to the millisecond; instants
/// before the Discord epoch give 0).
fn first_id_at(at: Timestamp) -> i64 {
    let millis = u64::try_from(at.0.div_euclid(1000)).unwrap_or(0);
    Snowflake::from_unix_millis(millis).as_i64()
}

#[async_trait]
impl BanStore for Backend {
    async fn insert_ban(&self, b: &Ban) -> Result<bool> {
        b.check_text()?;
        // ON CONFLICT: a ban recorded meanwhile by another caller is "banned already".
        let r = sqlx::query(
            "INSERT INTO bans (guild_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id, user_id) DO NOTHING",
        )
        .bind(b.guild_id)
        .bind(b.user_id)
        .bind(&b.reason)
        .bind(b.created_at)
        .execute(self.writer())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    async fn ban_member(
        &self,
        b: &Ban,
        delete_messages_since: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<BanOutcome> {
        b.check_text()?;
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO bans (guild_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id, user_id) DO UPDATE SET reason = excluded.reason",
        )
        .bind(b.guild_id)
        .bind(b.user_id)
        .bind(&b.reason)
        .bind(b.created_at)
        .execute(&mut *tx)
        .await?;
        // member_roles follow by their foreign key.
        let r = sqlx::query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2")
            .bind(b.guild_id)
            .bind(b.user_id)
            .execute(&mut *tx)
            .await?;
        let mut deleted: Vec<(ChannelId, MessageId)> = Vec::new();
        if let Some(since) = delete_messages_since {
            // Per channel of the guild, a range scan of messages_author.
            deleted = sqlx::query_as(
                "UPDATE messages SET deleted_at = $4
                 WHERE channel_id IN (SELECT c.id FROM channels c WHERE c.guild_id = $1)
                    AND author_id = $2 AND id >= $3 AND deleted_at IS NULL
                 RETURNING channel_id, id",
            )
            .bind(b.guild_id)
            .bind(b.user_id)
            .bind(first_id_at(since))
            .bind(at.0)
            .fetch_all(&mut *tx)
            .await?;
            deleted.sort_unstable();
            // Their reactions go with them, per channel.
            for run in deleted.chunk_by(|a, b| a.0 == b.0) {
                let ids: Vec<i64> = run.iter().map(|(_, id)| id.as_i64()).collect();
                for chunk in ids.chunks(super::ID_CHUNK) {
                    super::reactions::delete_for_messages_in(&mut tx, run[0].0, chunk).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(BanOutcome {
            was_member: r.rows_affected() > 0,
            deleted,
        })
    }

    async fn fetch_ban(&self, guild_id: GuildId, user_id: UserId) -> Result<Option<Ban>> {
        Ok(
            sqlx::query_as("SELECT * FROM bans WHERE guild_id = $1 AND user_id = $2")
                .bind(guild_id)
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    async fn fetch_bans(
        &self,
        guild_id: GuildId,
        before: Option<UserId>,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<Ban>> {
        if let (Some(before), None) = (before, after) {
            // The page just below `before` (what a client paging back expects).
            let mut v: Vec<Ban> = sqlx::query_as(
                "SELECT * FROM bans WHERE guild_id = $1 AND user_id < $2
                 ORDER BY user_id DESC LIMIT $3",
            )
            .bind(guild_id)
            .bind(before)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
            v.reverse();
            return Ok(v);
        }
        Ok(sqlx::query_as(
            "SELECT * FROM bans WHERE guild_id = $1 AND user_id > $2 AND user_id < $3
             ORDER BY user_id LIMIT $4",
        )
        .bind(guild_id)
        .bind(after.map_or(-1, UserId::as_i64))
        .bind(before.map_or(i64::MAX, UserId::as_i64))
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }

    async fn delete_ban(&self, guild_id: GuildId, user_id: UserId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM bans WHERE guild_id = $1 AND user_id = $2")
            .bind(guild_id)
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

//! The SQL of [`crate::ChannelStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId};

use super::overwrites::{channel_overwrites, replace_overwrites_in};
use super::{Backend, DB};
use crate::{Channel, ChannelMove, ChannelStore, CheckText, Overwrite, Result};

/// Writes a new channel (a guild's first one is written this way by
/// [`crate::GuildStore::insert_guild`]).
pub(super) async fn insert_channel_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    c: &Channel,
) -> Result<()> {
    c.check_text()?;
    sqlx::query(
        "INSERT INTO channels (id, guild_id, type, name, topic, position, parent_id, nsfw,
            rate_limit_per_user, last_message_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id)
    .bind(c.guild_id)
    .bind(c.kind)
    .bind(&c.name)
    .bind(&c.topic)
    .bind(c.position)
    .bind(c.parent_id)
    .bind(c.nsfw)
    .bind(c.rate_limit_per_user)
    .bind(c.last_message_id)
    .bind(c.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a channel's editable fields; the stored channel (None: no such channel).
async fn update_channel_in<'e, E>(ex: E, c: &Channel) -> Result<Option<Channel>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    c.check_text()?;
    Ok(sqlx::query_as(
        "UPDATE channels SET name = $2, topic = $3, position = $4, parent_id = $5,
            nsfw = $6, rate_limit_per_user = $7
         WHERE id = $1 RETURNING *",
    )
    .bind(c.id)
    .bind(&c.name)
    .bind(&c.topic)
    .bind(c.position)
    .bind(c.parent_id)
    .bind(c.nsfw)
    .bind(c.rate_limit_per_user)
    .fetch_optional(ex)
    .await?)
}

#[async_trait]
impl ChannelStore for Backend {
    async fn insert_channel(&self, c: &Channel) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        insert_channel_in(&mut tx, c).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_channel_with_overwrites(
        &self,
        c: &Channel,
        overwrites: &[Overwrite],
    ) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        insert_channel_in(&mut tx, c).await?;
        if let Some(guild) = c.guild_id {
            replace_overwrites_in(&mut tx, c.id, guild, overwrites).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn fetch_channel(&self, id: ChannelId) -> Result<Option<Channel>> {
        Ok(sqlx::query_as("SELECT * FROM channels WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn fetch_guild_channels(&self, guild_id: GuildId) -> Result<Vec<Channel>> {
        Ok(sqlx::query_as(
            "SELECT * FROM channels WHERE guild_id = $1 AND type NOT IN (10, 11, 12)
                 ORDER BY position, id",
        )
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn update_channel(&self, c: &Channel) -> Result<Option<Channel>> {
        update_channel_in(self.writer(), c).await
    }

    async fn update_channel_with_overwrites(
        &self,
        c: &Channel,
        overwrites: Option<&[Overwrite]>,
    ) -> Result<Option<(Channel, Vec<Overwrite>)>> {
        let mut tx = self.writer().begin().await?;
        // The channel's row is written first: on PostgreSQL its lock makes this and other
        // replacements of the channel's overwrites take turns.
        let Some(changed) = update_channel_in(&mut *tx, c).await? else {
            return Ok(None);
        };
        let stored = match (overwrites, changed.guild_id) {
            (Some(list), Some(guild)) => replace_overwrites_in(&mut tx, c.id, guild, list).await?,
            _ => channel_overwrites(&mut *tx, c.id).await?,
        };
        tx.commit().await?;
        Ok(Some((changed, stored)))
    }

    async fn update_channel_positions(
        &self,
        guild_id: GuildId,
        moves: &[ChannelMove],
    ) -> Result<Vec<Channel>> {
        let mut tx = self.writer().begin().await?;
        let mut out = Vec::with_capacity(moves.len());
        for m in moves {
            let c: Option<Channel> = sqlx::query_as(
                "UPDATE channels SET position = COALESCE($3, position),
                    parent_id = CASE WHEN $4 THEN $5 ELSE parent_id END
                 WHERE id = $1 AND guild_id = $2 RETURNING *",
            )
            .bind(m.id)
            .bind(guild_id)
            .bind(m.position)
            .bind(m.parent_id.is_some())
            .bind(m.parent_id.flatten())
            .fetch_optional(&mut *tx)
            .await?;
            out.extend(c);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn delete_channel(&self, id: ChannelId) -> Result<Option<Channel>> {
        let mut tx = self.writer().begin().await?;
        // A channel's threads go with it (before its children lose their parent below).
        sqlx::query(
            "DELETE FROM channels WHERE id IN (SELECT channel_id FROM threads WHERE parent_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Channels in a deleted category stay, without a parent (as on Discord).
        sqlx::query("UPDATE channels SET parent_id = NULL WHERE parent_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE guilds SET system_channel_id = NULL WHERE system_channel_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let c: Option<Channel> = sqlx::query_as("DELETE FROM channels WHERE id = $1 RETURNING *")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(c)
    }
}

//! The SQL of [`crate::OverwriteStore`].

use std::collections::BTreeMap;

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Snowflake};
use sqlx::QueryBuilder;

use super::{Backend, DB, ROW_CHUNK};
use crate::{Overwrite, OverwriteStore, Result};

/// A channel's overwrites by target id.
pub(super) async fn channel_overwrites<'e, E>(ex: E, channel: ChannelId) -> Result<Vec<Overwrite>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    Ok(
        sqlx::query_as("SELECT * FROM channel_overwrites WHERE channel_id = $1 ORDER BY target_id")
            .bind(channel)
            .fetch_all(ex)
            .await?,
    )
}

/// Replaces a channel's overwrites inside `tx` (of several for one target, the last given
/// wins); returns the stored set by target id. The caller holds the channel's row (it wrote
/// it in `tx`), so that two replacements do not interleave.
pub(super) async fn replace_overwrites_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    channel: ChannelId,
    guild: GuildId,
    overwrites: &[Overwrite],
) -> Result<Vec<Overwrite>> {
    // One per target, the last given: the rows share a primary key otherwise.
    let latest: BTreeMap<Snowflake, &Overwrite> =
        overwrites.iter().map(|o| (o.target_id, o)).collect();
    let rows: Vec<&Overwrite> = latest.into_values().collect();
    sqlx::query("DELETE FROM channel_overwrites WHERE channel_id = $1")
        .bind(channel)
        .execute(&mut **tx)
        .await?;
    for chunk in rows.chunks(ROW_CHUNK) {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny) ",
        );
        q.push_values(chunk, |mut b, o| {
            b.push_bind(channel)
                .push_bind(o.target_id)
                .push_bind(guild)
                .push_bind(o.kind)
                .push_bind(o.allow)
                .push_bind(o.deny);
        });
        q.build().execute(&mut **tx).await?;
    }
    channel_overwrites(&mut **tx, channel).await
}

#[async_trait]
impl OverwriteStore for Backend {
    async fn put_overwrite(&self, o: &Overwrite) -> Result<bool> {
        // Update first, insert when there was nothing to update: portable (no PostgreSQL-only
        // xmax), and a racing insert meets the upsert, not an error.
        let mut tx = self.writer().begin().await?;
        let r = sqlx::query(
            "UPDATE channel_overwrites SET guild_id = $3, kind = $4, allow = $5, deny = $6
             WHERE channel_id = $1 AND target_id = $2",
        )
        .bind(o.channel_id)
        .bind(o.target_id)
        .bind(o.guild_id)
        .bind(o.kind)
        .bind(o.allow)
        .bind(o.deny)
        .execute(&mut *tx)
        .await?;
        let created = r.rows_affected() == 0;
        if created {
            sqlx::query(
                "INSERT INTO channel_overwrites (channel_id, target_id, guild_id, kind, allow, deny)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (channel_id, target_id) DO UPDATE SET guild_id = excluded.guild_id,
                    kind = excluded.kind, allow = excluded.allow, deny = excluded.deny",
            )
            .bind(o.channel_id)
            .bind(o.target_id)
            .bind(o.guild_id)
            .bind(o.kind)
            .bind(o.allow)
            .bind(o.deny)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn fetch_channel_overwrites(&self, channel_id: ChannelId) -> Result<Vec<Overwrite>> {
        channel_overwrites(self.reader(), channel_id).await
    }

    async fn fetch_guild_overwrites(&self, guild_id: GuildId) -> Result<Vec<Overwrite>> {
        Ok(sqlx::query_as(
            "SELECT * FROM channel_overwrites WHERE guild_id = $1 ORDER BY channel_id, target_id",
        )
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn replace_overwrites(
        &self,
        channel_id: ChannelId,
        guild_id: GuildId,
        overwrites: &[Overwrite],
    ) -> Result<Vec<Overwrite>> {
        let channel = channel_id;
        let mut tx = self.writer().begin().await?;
        // A write that changes nothing, for its row lock: PostgreSQL would otherwise let two
        // replacements delete the old set side by side and then both insert, one failing on
        // the other's rows (SQLite has one writer; `SELECT ... FOR UPDATE` is PostgreSQL's).
        let held = sqlx::query("UPDATE channels SET id = id WHERE id = $1")
            .bind(channel)
            .execute(&mut *tx)
            .await?;
        if held.rows_affected() == 0 {
            return Ok(Vec::new());
        }
        let stored = replace_overwrites_in(&mut tx, channel, guild_id, overwrites).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_overwrite(&self, channel_id: ChannelId, target_id: Snowflake) -> Result<bool> {
        let r =
            sqlx::query("DELETE FROM channel_overwrites WHERE channel_id = $1 AND target_id = $2")
                .bind(channel_id)
                .bind(target_id)
                .execute(self.writer())
                .await?;
        Ok(r.rows_affected() > 0)
    }
}

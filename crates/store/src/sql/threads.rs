//! The SQL of [`crate::ThreadStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MessageId, Timestamp, UserId};
use sqlx::QueryBuilder;

use super::channels::insert_channel_in;
use super::{push_id_list, sorted_ids, Backend, DB, ID_CHUNK};
use crate::{
    nul_free, Channel, Result, Thread, ThreadMember, ThreadMeta, ThreadPatch, ThreadStore,
};

/// HAS_THREAD, on the message a thread was made from.
const HAS_THREAD: i64 = 1 << 5;

/// The columns of a [`Thread`]: the channel's, the metadata and the member count (`c` the
/// channel, `t` the thread).
const THREAD: &str = "SELECT c.*, t.channel_id, t.owner_id, t.archived, t.locked, t.invitable,
        t.auto_archive_duration, t.archive_timestamp,
        (SELECT COUNT(*) FROM thread_members m WHERE m.channel_id = t.channel_id) AS member_count
    FROM threads t JOIN channels c ON c.id = t.channel_id";

async fn thread_in<'e, E>(ex: E, id: ChannelId) -> Result<Option<Thread>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    Ok(sqlx::query_as(&format!("{THREAD} WHERE t.channel_id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

#[async_trait]
impl ThreadStore for Backend {
    async fn insert_thread(
        &self,
        channel: &Channel,
        meta: &ThreadMeta,
        starter: Option<MessageId>,
        at: Timestamp,
    ) -> Result<bool> {
        let parent = channel.parent_id.unwrap_or_default();
        let mut tx = self.writer().begin().await?;
        if let Some(message) = starter {
            let marked = sqlx::query(
                "UPDATE messages SET flags = flags | $3
                 WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL",
            )
            .bind(parent)
            .bind(message)
            .bind(HAS_THREAD)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() == 0 {
                return Ok(false);
            }
        }
        insert_channel_in(&mut tx, channel).await?;
        sqlx::query(
            "INSERT INTO threads (channel_id, guild_id, parent_id, owner_id, archived, locked,
                invitable, auto_archive_duration, archive_timestamp, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(channel.id)
        .bind(channel.guild_id)
        .bind(parent)
        .bind(meta.owner_id)
        .bind(meta.archived)
        .bind(meta.locked)
        .bind(meta.invitable)
        .bind(meta.auto_archive_duration)
        .bind(meta.archive_timestamp)
        .bind(channel.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO thread_members (channel_id, user_id, joined_at) VALUES ($1, $2, $3)",
        )
        .bind(channel.id)
        .bind(meta.owner_id)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn insert_thread_member(
        &self,
        thread_id: ChannelId,
        user_id: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO thread_members (channel_id, user_id, joined_at) VALUES ($1, $2, $3)
             ON CONFLICT (channel_id, user_id) DO NOTHING",
        )
        .bind(thread_id)
        .bind(user_id)
        .bind(at.0)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn fetch_thread(&self, thread_id: ChannelId) -> Result<Option<Thread>> {
        thread_in(self.reader(), thread_id).await
    }

    async fn fetch_active_threads(&self, guild_id: GuildId) -> Result<Vec<Thread>> {
        Ok(sqlx::query_as(&format!(
            "{THREAD} WHERE t.guild_id = $1 AND t.archived = FALSE ORDER BY t.channel_id"
        ))
        .bind(guild_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn fetch_archived_threads(
        &self,
        parent_id: ChannelId,
        kinds: &[i64],
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Thread>> {
        let mut q = QueryBuilder::<DB>::new(THREAD);
        q.push(" WHERE t.parent_id = ")
            .push_bind(parent_id)
            .push(" AND t.archived = TRUE AND t.archive_timestamp < ")
            .push_bind(before.unwrap_or(i64::MAX))
            .push(" AND c.type IN ");
        push_id_list(&mut q, kinds);
        q.push(" ORDER BY t.archive_timestamp DESC, t.channel_id DESC LIMIT ")
            .push_bind(limit);
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    async fn fetch_thread_members(&self, thread_id: ChannelId) -> Result<Vec<ThreadMember>> {
        Ok(sqlx::query_as(
            "SELECT channel_id, user_id, joined_at, flags FROM thread_members
             WHERE channel_id = $1 ORDER BY user_id",
        )
        .bind(thread_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn fetch_thread_member(
        &self,
        thread_id: ChannelId,
        user_id: UserId,
    ) -> Result<Option<ThreadMember>> {
        Ok(sqlx::query_as(
            "SELECT channel_id, user_id, joined_at, flags FROM thread_members
             WHERE channel_id = $1 AND user_id = $2",
        )
        .bind(thread_id)
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?)
    }

    async fn fetch_joined_threads(
        &self,
        user_id: UserId,
        thread_ids: &[ChannelId],
    ) -> Result<Vec<ThreadMember>> {
        let mut out = Vec::new();
        for chunk in sorted_ids(thread_ids).chunks(ID_CHUNK) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT channel_id, user_id, joined_at, flags FROM thread_members WHERE user_id = ",
            );
            q.push_bind(user_id).push(" AND channel_id IN ");
            push_id_list(&mut q, chunk);
            q.push(" ORDER BY channel_id");
            out.extend(
                q.build_query_as::<ThreadMember>()
                    .fetch_all(self.reader())
                    .await?,
            );
        }
        Ok(out)
    }

    async fn update_thread(
        &self,
        thread_id: ChannelId,
        patch: &ThreadPatch,
        at: Timestamp,
    ) -> Result<Option<Thread>> {
        nul_free(&[("name", patch.name.as_deref())])?;
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query(
            "UPDATE threads SET
                archive_timestamp = CASE WHEN $2 IS NOT NULL AND archived <> $2
                    THEN $6 ELSE archive_timestamp END,
                archived = COALESCE($2, archived),
                locked = COALESCE($3, locked),
                auto_archive_duration = COALESCE($4, auto_archive_duration),
                invitable = COALESCE($5, invitable)
             WHERE channel_id = $1",
        )
        .bind(thread_id)
        .bind(patch.archived)
        .bind(patch.locked)
        .bind(patch.auto_archive_duration)
        .bind(patch.invitable)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        if let Some(name) = &patch.name {
            sqlx::query("UPDATE channels SET name = $2 WHERE id = $1")
                .bind(thread_id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        let out = thread_in(&mut *tx, thread_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_idle_threads(&self, now: Timestamp) -> Result<Vec<Thread>> {
        let mut tx = self.writer().begin().await?;
        let ids: Vec<(ChannelId,)> = sqlx::query_as(
            "UPDATE threads SET archived = TRUE, archive_timestamp = $1
             WHERE archived = FALSE AND channel_id IN (
                SELECT t.channel_id FROM threads t JOIN channels c ON c.id = t.channel_id
                WHERE t.archived = FALSE AND COALESCE(c.last_activity_at, t.created_at)
                    + t.auto_archive_duration * 60000000 <= $1)
             RETURNING channel_id",
        )
        .bind(now.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.extend(thread_in(&mut *tx, id).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn delete_thread_member(&self, thread_id: ChannelId, user_id: UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM thread_members WHERE channel_id = $1 AND user_id = $2")
            .bind(thread_id)
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

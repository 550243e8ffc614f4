//! The SQL of [`crate::MessageStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, MessageId, Timestamp, UserId};
use sqlx::QueryBuilder;

use super::retention::is_secret_in;
use super::search::{index_in, reindex_in, unindex_in};
use super::{push_id_list, reactions, sorted_ids, Backend, DB, ID_CHUNK};
use crate::{nul_free, CheckText, HistoryPage, Message, MessageStore, Result};

/// Newest first, below an id.
const OLDER: &str = "SELECT * FROM messages WHERE channel_id = $1 AND id < $2
    AND deleted_at IS NULL ORDER BY id DESC LIMIT $3";
/// Oldest first, above an id.
const NEWER: &str = "SELECT * FROM messages WHERE channel_id = $1 AND id > $2
    AND deleted_at IS NULL ORDER BY id ASC LIMIT $3";

/// Erases a message: in a secret channel the row goes; elsewhere it stays as a tombstone (id,
/// author, type, times, reference) without its content, embeds and nonce.
const ERASE: &str = "UPDATE messages SET deleted_at = $3, content = '', embeds = '[]', nonce = NULL
    WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL";
const ERASE_SECRET: &str = "DELETE FROM messages WHERE channel_id = $1 AND id = $2
    AND deleted_at IS NULL";

/// Removes what refers to messages that were deleted or purged, in their transaction: their
/// reactions and their search index entries.
pub(super) async fn unlink_messages_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    channel: ChannelId,
    ids: &[MessageId],
) -> Result<()> {
    let raw: Vec<i64> = ids.iter().map(|id| id.as_i64()).collect();
    for chunk in raw.chunks(ID_CHUNK) {
        reactions::delete_for_messages_in(tx, channel, chunk).await?;
    }
    unindex_in(tx, ids).await
}

/// Takes `n` deleted messages off a channel's message count.
pub(super) async fn uncount_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    channel: ChannelId,
    n: i64,
) -> Result<()> {
    if n > 0 {
        sqlx::query(
            "UPDATE channels SET message_count =
                CASE WHEN message_count > $2 THEN message_count - $2 ELSE 0 END
             WHERE id = $1",
        )
        .bind(channel)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl MessageStore for Backend {
    async fn insert_message(&self, m: &Message) -> Result<()> {
        m.check_text()?;
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO messages (channel_id, id, author_id, type, content, nonce, tts, flags,
                embeds, reference_message_id, reference_channel_id, reference_guild_id,
                reference_kind, edited_at, deleted_at, mention_user_ids, mention_role_ids,
                mention_everyone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18)",
        )
        .bind(m.channel_id)
        .bind(m.id)
        .bind(m.author_id)
        .bind(m.kind)
        .bind(&m.content)
        .bind(&m.nonce)
        .bind(m.tts)
        .bind(m.flags)
        .bind(&m.embeds)
        .bind(m.reference_message_id)
        .bind(m.reference_channel_id)
        .bind(m.reference_guild_id)
        .bind(m.reference_kind)
        .bind(m.edited_at)
        .bind(m.deleted_at)
        .bind(&m.mention_user_ids)
        .bind(&m.mention_role_ids)
        .bind(m.mention_everyone)
        .execute(&mut *tx)
        .await?;
        if m.deleted_at.is_none() {
            index_in(&mut tx, m).await?;
        }
        // One statement moves the newest message and keeps the channel's counters (the
        // message count and the last activity); with the message and its search entry, a
        // POST runs three statements.
        sqlx::query(
            "UPDATE channels SET
                last_message_id = CASE WHEN last_message_id IS NULL OR last_message_id < $2
                    THEN $2 ELSE last_message_id END,
                message_count = message_count + 1,
                last_activity_at = CASE WHEN last_activity_at IS NULL OR last_activity_at < $3
                    THEN $3 ELSE last_activity_at END
             WHERE id = $1",
        )
        .bind(m.channel_id)
        .bind(m.id)
        .bind(m.id.unix_millis() as i64 * 1000)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fetch_message(&self, channel_id: ChannelId, id: MessageId) -> Result<Option<Message>> {
        Ok(sqlx::query_as(
            "SELECT * FROM messages WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(channel_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    async fn fetch_messages(
        &self,
        channel_id: ChannelId,
        page: HistoryPage,
        limit: i64,
    ) -> Result<Vec<Message>> {
        let ch = channel_id.as_i64();
        let run = |sql: &'static str, bound: i64, n: i64| {
            sqlx::query_as::<_, Message>(sql)
                .bind(ch)
                .bind(bound)
                .bind(n)
                .fetch_all(self.reader())
        };
        Ok(match page {
            HistoryPage::Latest => run(OLDER, i64::MAX, limit).await?,
            HistoryPage::Before(id) => run(OLDER, id.as_i64(), limit).await?,
            HistoryPage::After(id) => {
                let mut v = run(NEWER, id.as_i64(), limit).await?;
                v.reverse();
                v
            }
            HistoryPage::Around(id) => {
                // The message itself and the newer half, then the older half.
                let older_n = limit / 2;
                let mut v = run(NEWER, id.as_i64().saturating_sub(1), limit - older_n).await?;
                v.reverse();
                v.extend(run(OLDER, id.as_i64(), older_n).await?);
                v
            }
        })
    }

    async fn fetch_message_by_nonce(
        &self,
        channel_id: ChannelId,
        author_id: UserId,
        nonce: &str,
        since: MessageId,
    ) -> Result<Option<Message>> {
        nul_free(&[("nonce", Some(nonce))])?;
        Ok(sqlx::query_as(
            "SELECT * FROM messages WHERE channel_id = $1 AND author_id = $2 AND nonce = $3
                AND id > $4 AND deleted_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(channel_id)
        .bind(author_id)
        .bind(nonce)
        .bind(since)
        .fetch_optional(self.reader())
        .await?)
    }

    async fn fetch_last_message_id(
        &self,
        channel_id: ChannelId,
        author_id: UserId,
    ) -> Result<Option<MessageId>> {
        // A person's own messages (default, reply) count; the server's system messages in
        // their name (a join) do not. Newest first along messages_author: the first row found.
        let row: Option<(MessageId,)> = sqlx::query_as(
            "SELECT id FROM messages WHERE channel_id = $1 AND author_id = $2 AND type IN (0, 19)
             ORDER BY id DESC LIMIT 1",
        )
        .bind(channel_id)
        .bind(author_id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    async fn update_message(&self, m: &Message) -> Result<Option<Message>> {
        m.check_text()?;
        let mut tx = self.writer().begin().await?;
        let stored: Option<Message> = sqlx::query_as(
            "UPDATE messages SET content = $3, embeds = $4, flags = $5, edited_at = $6,
                mention_user_ids = $7, mention_role_ids = $8, mention_everyone = $9
             WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING *",
        )
        .bind(m.channel_id)
        .bind(m.id)
        .bind(&m.content)
        .bind(&m.embeds)
        .bind(m.flags)
        .bind(m.edited_at)
        .bind(&m.mention_user_ids)
        .bind(&m.mention_role_ids)
        .bind(m.mention_everyone)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(stored) = &stored {
            reindex_in(&mut tx, stored).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_message(
        &self,
        channel_id: ChannelId,
        id: MessageId,
        at: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let erase = if is_secret_in(&mut tx, channel_id).await? {
            sqlx::query(ERASE_SECRET).bind(channel_id).bind(id)
        } else {
            sqlx::query(ERASE).bind(channel_id).bind(id).bind(at.0)
        };
        let r = erase.execute(&mut *tx).await?;
        let deleted = r.rows_affected() > 0;
        if deleted {
            unlink_messages_in(&mut tx, channel_id, &[id]).await?;
            uncount_in(&mut tx, channel_id, 1).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn delete_messages(
        &self,
        channel_id: ChannelId,
        ids: &[MessageId],
        at: Timestamp,
    ) -> Result<Vec<MessageId>> {
        let mut out: Vec<MessageId> = Vec::new();
        let mut tx = self.writer().begin().await?;
        let secret = is_secret_in(&mut tx, channel_id).await?;
        for chunk in sorted_ids(ids).chunks(ID_CHUNK) {
            let mut q = if secret {
                QueryBuilder::<DB>::new("DELETE FROM messages WHERE channel_id = ")
            } else {
                let mut q = QueryBuilder::<DB>::new(
                    "UPDATE messages SET content = '', embeds = '[]', nonce = NULL, deleted_at = ",
                );
                q.push_bind(at.0);
                q.push(" WHERE channel_id = ");
                q
            };
            q.push_bind(channel_id);
            q.push(" AND deleted_at IS NULL AND id IN ");
            push_id_list(&mut q, chunk);
            q.push(" RETURNING id");
            let rows: Vec<(MessageId,)> = q.build_query_as().fetch_all(&mut *tx).await?;
            out.extend(rows.into_iter().map(|(id,)| id));
        }
        unlink_messages_in(&mut tx, channel_id, &out).await?;
        uncount_in(&mut tx, channel_id, out.len() as i64).await?;
        tx.commit().await?;
        out.sort_unstable();
        Ok(out)
    }
}

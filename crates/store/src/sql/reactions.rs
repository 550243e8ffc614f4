//! The SQL of [`crate::ReactionStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, MessageId, Timestamp, UserId};
use sqlx::QueryBuilder;

use super::{push_id_list, sorted_ids, Backend, DB};
use crate::{nul_free, ReactionCount, ReactionStore, Result, User};

/// Deletes the reactions of the messages `ids` (ascending, at most `ID_CHUNK`) of a channel,
/// inside the transaction that deletes the messages.
pub(super) async fn delete_for_messages_in(
    tx: &mut sqlx::Transaction<'_, DB>,
    channel_id: ChannelId,
    ids: &[i64],
) -> Result<()> {
    let mut q = QueryBuilder::<DB>::new("DELETE FROM reactions WHERE channel_id = ");
    q.push_bind(channel_id);
    q.push(" AND message_id IN ");
    push_id_list(&mut q, ids);
    q.build().execute(&mut **tx).await?;
    Ok(())
}

#[async_trait]
impl ReactionStore for Backend {
    async fn insert_reaction(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        user_id: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        nul_free(&[("emoji", Some(emoji))])?;
        // Only a message that is not deleted takes a reaction: the row is selected from it.
        let done = sqlx::query(
            "INSERT INTO reactions (channel_id, message_id, emoji, user_id, reacted_at)
             SELECT channel_id, id, $3, $4, $5 FROM messages
             WHERE channel_id = $1 AND id = $2 AND deleted_at IS NULL
             ON CONFLICT (channel_id, message_id, emoji, user_id) DO NOTHING",
        )
        .bind(channel_id)
        .bind(message_id)
        .bind(emoji)
        .bind(user_id)
        .bind(at.0)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn fetch_reaction_emoji(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
    ) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT emoji FROM reactions WHERE channel_id = $1 AND message_id = $2
             GROUP BY emoji ORDER BY MIN(reacted_at), emoji",
        )
        .bind(channel_id)
        .bind(message_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(e,)| e).collect())
    }

    async fn fetch_reaction_counts(
        &self,
        channel_id: ChannelId,
        message_ids: &[MessageId],
        viewer: UserId,
    ) -> Result<Vec<ReactionCount>> {
        let ids = sorted_ids(message_ids);
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        // A page of history is a run of consecutive messages, so one index range with three
        // parameters covers it (cheaper than a list of fifty ids); the rows of messages in the
        // range but not asked for are dropped here.
        let rows: Vec<ReactionCount> = sqlx::query_as(
            "SELECT message_id, emoji, COUNT(*) AS count,
                CAST(MAX(CASE WHEN user_id = $4 THEN 1 ELSE 0 END) AS BIGINT) AS me
             FROM reactions WHERE channel_id = $1 AND message_id >= $2 AND message_id <= $3
             GROUP BY message_id, emoji ORDER BY message_id, MIN(reacted_at), emoji",
        )
        .bind(channel_id)
        .bind(first)
        .bind(last)
        .bind(viewer)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .filter(|r| ids.binary_search(&r.message_id.as_i64()).is_ok())
            .collect())
    }

    async fn fetch_reaction_users(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        after: UserId,
        limit: i64,
    ) -> Result<Vec<User>> {
        nul_free(&[("emoji", Some(emoji))])?;
        Ok(sqlx::query_as(
            "SELECT users.* FROM reactions JOIN users ON users.id = reactions.user_id
             WHERE reactions.channel_id = $1 AND reactions.message_id = $2
                AND reactions.emoji = $3 AND reactions.user_id > $4
             ORDER BY reactions.user_id LIMIT $5",
        )
        .bind(channel_id)
        .bind(message_id)
        .bind(emoji)
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }

    async fn delete_reaction(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        user_id: UserId,
    ) -> Result<bool> {
        nul_free(&[("emoji", Some(emoji))])?;
        let done = sqlx::query(
            "DELETE FROM reactions
             WHERE channel_id = $1 AND message_id = $2 AND emoji = $3 AND user_id = $4",
        )
        .bind(channel_id)
        .bind(message_id)
        .bind(emoji)
        .bind(user_id)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_reactions(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: Option<&str>,
    ) -> Result<u64> {
        nul_free(&[("emoji", emoji)])?;
        let done = sqlx::query(
            "DELETE FROM reactions WHERE channel_id = $1 AND message_id = $2
                AND ($3 IS NULL OR emoji = $3)",
        )
        .bind(channel_id)
        .bind(message_id)
        .bind(emoji)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}

//! Reactions to messages: [`ReactionStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, MessageId, Timestamp, UserId};
use sqlx::FromRow;

use crate::{Result, User};

/// One emoji's reactions on a message, as a message object lists them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReactionCount {
    /// The message.
    pub message_id: MessageId,
    /// The emoji (a unicode emoji).
    pub emoji: String,
    /// How many users reacted with it.
    pub count: i64,
    /// 1 when the viewer is one of them, else 0.
    pub me: i64,
}

/// Reactions: one per user, message and emoji. The store checks neither permissions nor
/// limits (the API does, under the channel's ordering lock); it keeps reactions only on
/// messages that exist and are not deleted.
#[async_trait]
pub trait ReactionStore: Send + Sync {
    /// Adds `user_id`'s reaction `emoji` to the message at `at`: one statement. True when it
    /// is new; false when it was there already, or the message is missing or deleted.
    async fn insert_reaction(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        user_id: UserId,
        at: Timestamp,
    ) -> Result<bool>;
    /// The distinct emoji on a message, in the order of their first reaction.
    async fn fetch_reaction_emoji(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
    ) -> Result<Vec<String>>;
    /// The reactions on several messages of a channel (a page of history), in one query over
    /// the range of their ids: each message's emoji with their count and whether `viewer` is
    /// among them, by message id then by first reaction.
    async fn fetch_reaction_counts(
        &self,
        channel_id: ChannelId,
        message_ids: &[MessageId],
        viewer: UserId,
    ) -> Result<Vec<ReactionCount>>;
    /// Users who reacted with `emoji`, by id, those above `after`, at most `limit`.
    async fn fetch_reaction_users(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        after: UserId,
        limit: i64,
    ) -> Result<Vec<User>>;
    /// Removes one user's reaction; true when it existed.
    async fn delete_reaction(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: &str,
        user_id: UserId,
    ) -> Result<bool>;
    /// Removes every reaction of a message (`emoji` None) or every reaction with `emoji`;
    /// answers how many were removed.
    async fn delete_reactions(
        &self,
        channel_id: ChannelId,
        message_id: MessageId,
        emoji: Option<&str>,
    ) -> Result<u64>;
}

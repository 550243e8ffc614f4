//! Messages: [`MessageStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, MessageId, Timestamp, UserId};

use crate::{HistoryPage, Message, Result};

/// Messages. A deleted message stays as a tombstone (`deleted_at` set); reads skip tombstones
/// unless they say otherwise.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message and advances the channel's last message id, in one transaction.
    async fn insert_message(&self, message: &Message) -> Result<()>;
    /// One message that is not deleted.
    async fn fetch_message(&self, channel_id: ChannelId, id: MessageId) -> Result<Option<Message>>;
    /// A page of history, newest first in every mode.
    async fn fetch_messages(
        &self,
        channel_id: ChannelId,
        page: HistoryPage,
        limit: i64,
    ) -> Result<Vec<Message>>;
    /// An author's message in a channel with this nonce, made after `since`.
    async fn fetch_message_by_nonce(
        &self,
        channel_id: ChannelId,
        author_id: UserId,
        nonce: &str,
        since: MessageId,
    ) -> Result<Option<Message>>;
    /// The id of an author's newest message in a channel (one they wrote: not a system message
    /// in their name), deleted ones included (slow mode).
    async fn fetch_last_message_id(
        &self,
        channel_id: ChannelId,
        author_id: UserId,
    ) -> Result<Option<MessageId>>;
    /// Replaces content, embeds, flags and mentions and sets the edit time; returns the stored
    /// message.
    async fn update_message(&self, message: &Message) -> Result<Option<Message>>;
    /// Tombstones a message; true when it existed and was not deleted yet.
    async fn delete_message(
        &self,
        channel_id: ChannelId,
        id: MessageId,
        at: Timestamp,
    ) -> Result<bool>;
    /// Tombstones several messages of a channel at `at` in one transaction; returns the ids that
    /// existed and were not deleted yet, ascending.
    async fn delete_messages(
        &self,
        channel_id: ChannelId,
        ids: &[MessageId],
        at: Timestamp,
    ) -> Result<Vec<MessageId>>;
}

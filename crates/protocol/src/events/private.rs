//! The events of private channels (DMs and group DMs). Each is published once per recipient,
//! wrapped in [`super::Event::Private`] with that recipient's id, so each copy travels on its
//! recipient's own topic and reaches every session of theirs, on any node, exactly once.

use hearth_core::{ChannelId, MessageId, UserId};
use serde::{Deserialize, Serialize};

use super::{ReactionAdd, ReactionRemove, ReactionRemoveAll, ReactionRemoveEmoji};
use crate::objects::{Message, PrivateChannel, User};

/// One event of a private channel, as its recipients receive it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum PrivateEvent {
    /// CHANNEL_CREATE: a DM or group DM the recipient is in was made (or they were added).
    ChannelCreate(Box<PrivateChannel>),
    /// CHANNEL_UPDATE: a group DM's name or icon changed.
    ChannelUpdate(Box<PrivateChannel>),
    /// CHANNEL_DELETE: the recipient left (or was removed from) a group DM.
    ChannelDelete(Box<PrivateChannel>),
    /// CHANNEL_RECIPIENT_ADD: someone joined a group DM.
    RecipientAdd(Recipient),
    /// CHANNEL_RECIPIENT_REMOVE: someone left or was removed from a group DM.
    RecipientRemove(Recipient),
    /// MESSAGE_CREATE in a private channel (the message has its `channel_type` and no guild).
    MessageCreate(Box<Message>),
    /// MESSAGE_UPDATE in a private channel.
    MessageUpdate(Box<Message>),
    /// MESSAGE_DELETE in a private channel: `{"id", "channel_id"}`.
    MessageDelete(PrivateMessageDelete),
    /// TYPING_START in a private channel: `{"channel_id", "user_id", "timestamp"}`.
    TypingStart(PrivateTyping),
    /// MESSAGE_DELETE_BULK in a private channel (messages purged by its retention):
    /// `{"ids", "channel_id"}`.
    MessageDeleteBulk(PrivateMessageDeleteBulk),
    /// MESSAGE_REACTION_ADD in a private channel (no `guild_id`, no `member`).
    ReactionAdd(Box<ReactionAdd>),
    /// MESSAGE_REACTION_REMOVE in a private channel.
    ReactionRemove(Box<ReactionRemove>),
    /// MESSAGE_REACTION_REMOVE_ALL in a private channel.
    ReactionRemoveAll(ReactionRemoveAll),
    /// MESSAGE_REACTION_REMOVE_EMOJI in a private channel.
    ReactionRemoveEmoji(Box<ReactionRemoveEmoji>),
}

/// CHANNEL_RECIPIENT_ADD / REMOVE: `{"channel_id", "user"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// The group DM.
    pub channel_id: ChannelId,
    /// Who joined or left.
    pub user: User,
}

/// MESSAGE_DELETE in a private channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateMessageDelete {
    /// The deleted message.
    pub id: MessageId,
    /// Its channel.
    pub channel_id: ChannelId,
}

/// MESSAGE_DELETE_BULK in a private channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateMessageDeleteBulk {
    /// The deleted messages.
    pub ids: Vec<MessageId>,
    /// Their channel.
    pub channel_id: ChannelId,
}

/// TYPING_START in a private channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateTyping {
    /// The channel.
    pub channel_id: ChannelId,
    /// Who is typing.
    pub user_id: UserId,
    /// When they started (unix seconds).
    pub timestamp: i64,
}

impl PrivateEvent {
    /// The dispatch name.
    pub fn name(&self) -> &'static str {
        match self {
            PrivateEvent::ChannelCreate(_) => "CHANNEL_CREATE",
            PrivateEvent::ChannelUpdate(_) => "CHANNEL_UPDATE",
            PrivateEvent::ChannelDelete(_) => "CHANNEL_DELETE",
            PrivateEvent::RecipientAdd(_) => "CHANNEL_RECIPIENT_ADD",
            PrivateEvent::RecipientRemove(_) => "CHANNEL_RECIPIENT_REMOVE",
            PrivateEvent::MessageCreate(_) => "MESSAGE_CREATE",
            PrivateEvent::MessageUpdate(_) => "MESSAGE_UPDATE",
            PrivateEvent::MessageDelete(_) => "MESSAGE_DELETE",
            PrivateEvent::TypingStart(_) => "TYPING_START",
            PrivateEvent::MessageDeleteBulk(_) => "MESSAGE_DELETE_BULK",
            PrivateEvent::ReactionAdd(_) => "MESSAGE_REACTION_ADD",
            PrivateEvent::ReactionRemove(_) => "MESSAGE_REACTION_REMOVE",
            PrivateEvent::ReactionRemoveAll(_) => "MESSAGE_REACTION_REMOVE_ALL",
            PrivateEvent::ReactionRemoveEmoji(_) => "MESSAGE_REACTION_REMOVE_EMOJI",
        }
    }

    /// The dispatch payload as JSON text.
    pub fn data(&self) -> String {
        use super::json;
        match self {
            PrivateEvent::ChannelCreate(c)
            | PrivateEvent::ChannelUpdate(c)
            | PrivateEvent::ChannelDelete(c) => json(c.as_ref()),
            PrivateEvent::RecipientAdd(r) | PrivateEvent::RecipientRemove(r) => json(r),
            PrivateEvent::MessageCreate(m) | PrivateEvent::MessageUpdate(m) => json(m.as_ref()),
            PrivateEvent::MessageDelete(m) => json(m),
            PrivateEvent::TypingStart(t) => json(t),
            PrivateEvent::MessageDeleteBulk(m) => json(m),
            PrivateEvent::ReactionAdd(r) => json(r.as_ref()),
            PrivateEvent::ReactionRemove(r) => json(r.as_ref()),
            PrivateEvent::ReactionRemoveAll(r) => json(r),
            PrivateEvent::ReactionRemoveEmoji(r) => json(r.as_ref()),
        }
    }
}

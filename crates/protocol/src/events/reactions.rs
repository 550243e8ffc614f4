//! The payloads of the reaction dispatches. Each carries `guild_id` in a guild channel and
//! leaves it out in a DM or group DM, so one payload serves both the guild event and the
//! private one.

use hearth_core::{ChannelId, GuildId, MessageId, UserId};
use serde::{Deserialize, Serialize};

use crate::objects::{Member, PartialEmoji};

/// MESSAGE_REACTION_ADD: `{user_id, channel_id, message_id, guild_id?, member?, emoji,
/// message_author_id, burst, burst_colors, type}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionAdd {
    /// Who reacted.
    pub user_id: UserId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The message.
    pub message_id: MessageId,
    /// The guild, in a guild channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
    /// The reacting member with its `user`, in a guild channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<Member>,
    /// The emoji.
    pub emoji: PartialEmoji,
    /// The message's author.
    pub message_author_id: UserId,
    /// A super reaction: false.
    pub burst: bool,
    /// Super reaction colours: none.
    pub burst_colors: Vec<String>,
    /// 0 normal, 1 super: 0.
    #[serde(rename = "type")]
    pub kind: i64,
}

/// MESSAGE_REACTION_REMOVE: `{user_id, channel_id, message_id, guild_id?, emoji, burst, type}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionRemove {
    /// Whose reaction was removed.
    pub user_id: UserId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The message.
    pub message_id: MessageId,
    /// The guild, in a guild channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
    /// The emoji.
    pub emoji: PartialEmoji,
    /// A super reaction: false.
    pub burst: bool,
    /// 0 normal, 1 super: 0.
    #[serde(rename = "type")]
    pub kind: i64,
}

/// MESSAGE_REACTION_REMOVE_ALL: `{channel_id, message_id, guild_id?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionRemoveAll {
    /// The channel.
    pub channel_id: ChannelId,
    /// The message.
    pub message_id: MessageId,
    /// The guild, in a guild channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
}

/// MESSAGE_REACTION_REMOVE_EMOJI: `{channel_id, message_id, guild_id?, emoji}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionRemoveEmoji {
    /// The channel.
    pub channel_id: ChannelId,
    /// The message.
    pub message_id: MessageId,
    /// The guild, in a guild channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
    /// The emoji whose reactions were removed.
    pub emoji: PartialEmoji,
}

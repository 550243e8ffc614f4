//! Messages as the wire shows them (spec 4.6), with their references and forwarded snapshots.

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Reaction, User};

/// A reply's pointer to the message it answers, or a forward's to the message it forwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageReference {
    /// 0: reply, 1: forward.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Replied-to message.
    pub message_id: MessageId,
    /// Its channel.
    pub channel_id: ChannelId,
    /// Its guild.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
}

/// A message (spec 4.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// Channel.
    pub channel_id: ChannelId,
    /// Guild, for guild channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
    /// 0 default, 19 reply.
    #[serde(rename = "type")]
    pub kind: i64,
    /// Text.
    pub content: String,
    /// Author.
    pub author: User,
    /// Creation time.
    pub timestamp: Timestamp,
    /// Last edit time.
    pub edited_timestamp: Option<Timestamp>,
    /// Text to speech.
    pub tts: bool,
    /// Mentions @everyone.
    pub mention_everyone: bool,
    /// Mentioned users.
    pub mentions: Vec<User>,
    /// Mentioned roles.
    pub mention_roles: Vec<RoleId>,
    /// Attachments.
    #[schema(value_type = Vec<Object>)]
    pub attachments: Vec<serde_json::Value>,
    /// Embeds.
    #[schema(value_type = Vec<Object>)]
    pub embeds: Vec<serde_json::Value>,
    /// Components.
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<serde_json::Value>,
    /// Pinned.
    pub pinned: bool,
    /// Flag bits.
    pub flags: i64,
    /// The sender's nonce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The channel's type (discord.js needs it for DMs).
    pub channel_type: i64,
    /// For replies: what is answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
    /// For replies: the answered message, or null when it was deleted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::double_option"
    )]
    #[schema(no_recursion)]
    pub referenced_message: Option<Option<Box<Message>>>,
    /// Reactions, in fetched messages that have any (never in events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// For forwards: the forwarded message as it was when forwarded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_snapshots: Vec<MessageSnapshot>,
}

/// One forwarded message (`message_snapshots[]`): `{"message": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageSnapshot {
    /// The forwarded message's fields.
    pub message: SnapshotMessage,
}

/// The part of a forwarded message a snapshot keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotMessage {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: i64,
    /// Its text.
    pub content: String,
    /// Its embeds.
    #[schema(value_type = Vec<Object>)]
    pub embeds: Vec<serde_json::Value>,
    /// Its attachments.
    #[schema(value_type = Vec<Object>)]
    pub attachments: Vec<serde_json::Value>,
    /// When it was posted.
    pub timestamp: Timestamp,
    /// When it was last edited, before it was forwarded.
    pub edited_timestamp: Option<Timestamp>,
    /// Its flags.
    pub flags: i64,
    /// Users it mentioned.
    pub mentions: Vec<User>,
    /// Roles it mentioned.
    pub mention_roles: Vec<RoleId>,
}

//! A reply's or a forward's target in a new message.

use hearth_core::{ChannelId, GuildId, MessageId};
use serde::Deserialize;
use utoipa::ToSchema;

/// A reply's or a forward's target in `POST /channels/{id}/messages`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MessageReferenceRequest {
    /// 0: reply (the default), 1: forward.
    #[serde(default, rename = "type")]
    #[schema(minimum = 0, maximum = 1)]
    pub kind: Option<u8>,
    /// Replied-to or forwarded message.
    pub message_id: MessageId,
    /// Its channel (a reply's must be this channel; a forward needs it).
    #[serde(default)]
    pub channel_id: Option<ChannelId>,
    /// Its guild.
    #[serde(default)]
    pub guild_id: Option<GuildId>,
    /// Send even if the target does not exist (as a plain message).
    #[serde(default)]
    pub fail_if_not_exists: Option<bool>,
}

//! The objects of people: a user as others see them, relationships and private channels (DMs and
//! group DMs).

use hearth_core::{ChannelId, MessageId, RelationshipKind, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Channel, User};

/// A relationship with another user, from the caller's side (`GET /users/@me/relationships`,
/// READY's `relationships`, RELATIONSHIP_ADD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Relationship {
    /// The other user's id.
    pub id: UserId,
    /// 1 friend, 2 blocked, 3 incoming friend request, 4 outgoing friend request.
    #[serde(rename = "type")]
    pub kind: RelationshipKind,
    /// The other user.
    pub user: User,
    /// The caller's own name for a friend.
    pub nickname: Option<String>,
    /// When the relationship took its type.
    pub since: Timestamp,
}

/// A private channel: a DM (type 1) or a group DM (type 3), Discord's shape (no guild keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrivateChannel {
    /// Id.
    pub id: ChannelId,
    /// Channel type: 1 DM, 3 group DM.
    #[serde(rename = "type")]
    pub kind: i64,
    /// Newest message.
    pub last_message_id: Option<MessageId>,
    /// Channel flags.
    pub flags: u64,
    /// The other recipients (the receiver is left out, as on Discord).
    pub recipients: Vec<User>,
    /// A group DM's name (a DM has none: the key is left out).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::double_option"
    )]
    pub name: Option<Option<String>>,
    /// A group DM's icon hash.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::double_option"
    )]
    pub icon: Option<Option<String>>,
    /// Who owns a group DM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<UserId>,
}

/// A channel of either kind, as `GET` and `DELETE /channels/{id}` answer it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnyChannel {
    /// A guild channel.
    Guild(Channel),
    /// A DM or group DM.
    Private(PrivateChannel),
}

/// A user as `GET /users/{id}` answers it: the user, and (hearth extension) when they were
/// last seen, for a caller who shares a guild with them or is their friend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserProfile {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// When they last stopped being visibly online (went offline, or invisible); absent when
    /// never, or when the caller neither shares a guild with them nor is their friend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub last_seen_at: Option<Timestamp>,
}

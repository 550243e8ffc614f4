//! The payloads of the thread dispatches.

use hearth_core::{ChannelId, GuildId, UserId};
use serde::{Deserialize, Serialize};

use crate::objects::{Channel, ThreadMember};

/// THREAD_CREATE: the thread, with `newly_created` when it was just made (absent when a
/// session is told of an existing thread).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadCreate {
    /// The thread (with `guild_id`, `parent_id` and its thread keys).
    #[serde(flatten)]
    pub thread: Channel,
    /// True when the thread was just created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newly_created: Option<bool>,
}

/// THREAD_DELETE: `{"id", "guild_id", "parent_id", "type"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadDelete {
    /// The thread.
    pub id: ChannelId,
    /// Its guild.
    pub guild_id: GuildId,
    /// Its parent channel.
    pub parent_id: ChannelId,
    /// Its channel type.
    #[serde(rename = "type")]
    pub kind: i64,
}

/// THREAD_MEMBER_UPDATE (to the member): their thread member, with `guild_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMemberUpdate {
    /// The thread member.
    #[serde(flatten)]
    pub member: ThreadMember,
    /// The thread's guild.
    pub guild_id: GuildId,
}

/// THREAD_MEMBERS_UPDATE: who joined or left a thread, and how many members it has now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMembersUpdate {
    /// The thread.
    pub id: ChannelId,
    /// Its guild.
    pub guild_id: GuildId,
    /// Members now.
    pub member_count: i64,
    /// Those who joined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_members: Vec<ThreadMember>,
    /// Those who left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_member_ids: Vec<UserId>,
}

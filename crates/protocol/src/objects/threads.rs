//! What a thread adds to a channel object, and thread members (spec: thread metadata, thread
//! member).

use hearth_core::{ChannelId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The keys a thread channel (type 10, 11 or 12) has beyond a channel's; absent on other
/// channels. Its `parent_id` is the channel it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadFields {
    /// Who created it.
    pub owner_id: UserId,
    /// Messages in it (not deleted).
    pub message_count: i64,
    /// Messages ever sent in it (hearth: as `message_count`).
    pub total_message_sent: i64,
    /// Members who joined it (Discord stops counting at 50; hearth does not).
    pub member_count: i64,
    /// Archive state and settings.
    pub thread_metadata: ThreadMetadata,
    /// The receiver's own thread member, where Discord sends it (thread lists, joins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<ThreadMember>,
}

/// The OpenAPI schema of the keys [`ThreadFields`] adds to a channel object: each is present
/// on threads and absent on other channels, so none is required in the schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadKeys {
    /// Who created it.
    pub owner_id: Option<UserId>,
    /// Messages in it (not deleted).
    pub message_count: Option<i64>,
    /// Messages ever sent in it.
    pub total_message_sent: Option<i64>,
    /// Members who joined it.
    pub member_count: Option<i64>,
    /// Archive state and settings.
    pub thread_metadata: Option<ThreadMetadata>,
    /// The receiver's own thread member.
    pub member: Option<ThreadMember>,
}

/// A thread's archive state and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadMetadata {
    /// Archived: out of the active list until a message (or a moderator) unarchives it.
    pub archived: bool,
    /// Minutes of inactivity before it is archived: 60, 1440, 4320 or 10080.
    pub auto_archive_duration: i64,
    /// When `archived` last changed (or the creation).
    pub archive_timestamp: Timestamp,
    /// Locked: only MANAGE_THREADS may unarchive it or post in it.
    pub locked: bool,
    /// Private threads: whether non-moderators may add others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitable: Option<bool>,
    /// When it was created.
    pub create_timestamp: Timestamp,
}

/// A member of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadMember {
    /// The thread.
    pub id: ChannelId,
    /// The member.
    pub user_id: UserId,
    /// When they joined.
    pub join_timestamp: Timestamp,
    /// Notification flags.
    pub flags: i64,
}

/// A list of threads (`GET /guilds/{id}/threads/active`, the archived lists): the threads,
/// the caller's thread members among them and, for the archived lists, whether more follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadList {
    /// The threads.
    pub threads: Vec<super::Channel>,
    /// The caller's own thread members, for the threads they joined.
    pub members: Vec<ThreadMember>,
    /// Archived lists: whether older threads remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

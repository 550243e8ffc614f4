//! Threads and their members: [`ThreadStore`], with the records [`Thread`] and
//! [`ThreadMember`].
//!
//! A thread is a channel (type 10, 11 or 12, its parent in `parent_id`) with one row of
//! thread metadata; what the channel row holds (name, counters, last message) is kept by the
//! channel and message methods, as for any channel.

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, MessageId, Timestamp, UserId};

use crate::{Channel, Result};

/// A thread's metadata (the `threads` row).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThreadMeta {
    /// The thread's channel.
    #[sqlx(rename = "channel_id")]
    pub thread_id: ChannelId,
    /// Who created it.
    pub owner_id: UserId,
    /// Archived: hidden from the active list; a message unarchives it unless locked.
    pub archived: bool,
    /// Locked: only MANAGE_THREADS may unarchive it or post in it.
    pub locked: bool,
    /// Whether non-moderators may add others (private threads).
    pub invitable: bool,
    /// Minutes of inactivity before it is archived: 60, 1440, 4320 or 10080.
    pub auto_archive_duration: i64,
    /// When `archived` last changed (or the creation), microseconds.
    pub archive_timestamp: i64,
}

/// A thread as read: its channel, its metadata and its counters.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Thread {
    /// The channel row (type 10, 11 or 12; `parent_id` is the parent channel).
    #[sqlx(flatten)]
    pub channel: Channel,
    /// The thread's metadata.
    #[sqlx(flatten)]
    pub meta: ThreadMeta,
    /// Messages in it (not deleted).
    pub message_count: i64,
    /// Members who joined it.
    pub member_count: i64,
}

/// One member of a thread.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThreadMember {
    /// The thread.
    #[sqlx(rename = "channel_id")]
    pub thread_id: ChannelId,
    /// The member.
    pub user_id: UserId,
    /// When they joined, microseconds.
    pub joined_at: i64,
    /// Notification flags (Discord's thread member flags).
    pub flags: i64,
}

/// A change to a thread: each `Some` field is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadPatch {
    /// A new name.
    pub name: Option<String>,
    /// Archive or unarchive (archive_timestamp moves when this changes the value).
    pub archived: Option<bool>,
    /// Lock or unlock.
    pub locked: Option<bool>,
    /// Minutes: 60, 1440, 4320 or 10080.
    pub auto_archive_duration: Option<i64>,
    /// Whether non-moderators may add others.
    pub invitable: Option<bool>,
}

/// Threads, their metadata and members. The store checks no permission (the API does).
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// Writes a new thread in one transaction: its channel row `channel` (with its guild and
    /// its parent in `parent_id`), its metadata `meta` (its `thread_id` is the channel's id)
    /// and its owner as its first member, joined at `at`. With `starter`, the thread is made
    /// from that message of the parent: the message gets the HAS_THREAD flag (32); when it is
    /// not there (or deleted), nothing is written and the answer is false. A thread with this id
    /// already: [`StoreError::Conflict`](crate::StoreError::Conflict) (`id`).
    async fn insert_thread(
        &self,
        channel: &Channel,
        meta: &ThreadMeta,
        starter: Option<MessageId>,
        at: Timestamp,
    ) -> Result<bool>;
    /// Adds `user_id` to a thread (joined at `at`); true when they were not a member. A thread
    /// or user that does not exist: [`StoreError::MissingParent`](crate::StoreError::MissingParent).
    async fn insert_thread_member(
        &self,
        thread_id: ChannelId,
        user_id: UserId,
        at: Timestamp,
    ) -> Result<bool>;
    /// A thread, with its channel and counters.
    async fn fetch_thread(&self, thread_id: ChannelId) -> Result<Option<Thread>>;
    /// The active (not archived) threads of a guild, by id.
    async fn fetch_active_threads(&self, guild_id: GuildId) -> Result<Vec<Thread>>;
    /// The archived threads of a channel of the given channel types, the most recently archived
    /// first, archived before `before` (microseconds) when given; at most `limit`.
    async fn fetch_archived_threads(
        &self,
        parent_id: ChannelId,
        kinds: &[i64],
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Thread>>;
    /// A thread's members, by user id.
    async fn fetch_thread_members(&self, thread_id: ChannelId) -> Result<Vec<ThreadMember>>;
    /// One member of a thread.
    async fn fetch_thread_member(
        &self,
        thread_id: ChannelId,
        user_id: UserId,
    ) -> Result<Option<ThreadMember>>;
    /// Which of `thread_ids` `user_id` joined.
    async fn fetch_joined_threads(
        &self,
        user_id: UserId,
        thread_ids: &[ChannelId],
    ) -> Result<Vec<ThreadMember>>;
    /// Writes a change to a thread (its channel's name, its metadata) in one transaction; when
    /// `archived` changes, `archive_timestamp` becomes `at`. The thread as it is then (None: no
    /// such thread).
    async fn update_thread(
        &self,
        thread_id: ChannelId,
        patch: &ThreadPatch,
        at: Timestamp,
    ) -> Result<Option<Thread>>;
    /// Archives every active thread whose last activity (its last message, else its creation)
    /// is older than its auto_archive_duration at `now`; answers those it archived (a thread
    /// archived meanwhile by another node is not answered twice).
    async fn update_idle_threads(&self, now: Timestamp) -> Result<Vec<Thread>>;
    /// Removes `user_id` from a thread; true when they were a member.
    async fn delete_thread_member(&self, thread_id: ChannelId, user_id: UserId) -> Result<bool>;
}

//! Guild invites: [`InviteStore`].

use async_trait::async_trait;
use hearth_core::{ChannelId, GuildId, Timestamp};

use crate::{Invite, InviteUse, Member, Result};

/// Guild invites.
#[async_trait]
pub trait InviteStore: Send + Sync {
    /// Creates an invite. A code in use → [`StoreError::Conflict`](crate::StoreError::Conflict)
    /// naming `id` (the code is the invite's primary key).
    async fn insert_invite(&self, invite: &Invite) -> Result<()>;
    /// One invite by code (expired or used up ones too; callers judge validity).
    async fn fetch_invite(&self, code: &str) -> Result<Option<Invite>>;
    /// A guild's invites, newest first.
    async fn fetch_guild_invites(&self, guild_id: GuildId) -> Result<Vec<Invite>>;
    /// A channel's invites, newest first.
    async fn fetch_channel_invites(&self, channel_id: ChannelId) -> Result<Vec<Invite>>;
    /// A still-valid invite by this inviter for this channel with these settings (for requests
    /// that do not ask for a unique invite).
    async fn fetch_reusable_invite(&self, like: &Invite, now: Timestamp) -> Result<Option<Invite>>;
    /// Joins `member.user_id` to the invite's guild, counting one use and recording the code as
    /// how the member joined, in one transaction.
    /// A user banned from the guild gets [`InviteUse::Banned`] and nothing changes.
    async fn use_invite(&self, code: &str, member: &Member, now: Timestamp) -> Result<InviteUse>;
    /// Deletes an invite; returns what it was.
    async fn delete_invite(&self, code: &str) -> Result<Option<Invite>>;
    /// Deletes every invite whose expiry is at or before `now`; returns what they were. Each
    /// invite is returned by one call only, however many run at once (the nodes of a cluster).
    async fn delete_expired_invites(&self, now: Timestamp) -> Result<Vec<Invite>>;
}

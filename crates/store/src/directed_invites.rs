//! Directed invites, from one user to another: [`DirectedInviteStore`] and its records.
//!
//! A directed invite names its recipient, a guild and optionally one channel of it (with the
//! permission bits to grant there), and an optional message. It is created pending and changes
//! once: accepted, declined, cancelled or expired, with the instant it did
//! (`resolved_at`). Code invites ([`crate::InviteStore`]) are another thing; the two share the
//! purge of expired invites.

use async_trait::async_trait;
use hearth_core::{
    ChannelId, DirectedInviteId, DirectedInviteStatus, GuildId, Permissions, Snowflake, Timestamp,
    UserId,
};
use sqlx::FromRow;

use crate::{Member, Overwrite, Result};

/// A directed invite as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DirectedInvite {
    /// Snowflake.
    pub id: DirectedInviteId,
    /// The guild it invites to.
    pub guild_id: GuildId,
    /// The channel it invites to (None: the guild as a whole).
    pub channel_id: Option<ChannelId>,
    /// Who sent it.
    pub sender_id: UserId,
    /// Who it is for.
    pub recipient_id: UserId,
    /// Bits granted in the channel on acceptance (0 for a guild invite).
    pub permissions: i64,
    /// The sender's words.
    pub message: Option<String>,
    /// Where it stands.
    #[sqlx(try_from = "i64")]
    pub status: DirectedInviteStatus,
    /// Creation instant.
    pub created_at: i64,
    /// Expiry instant (None: never).
    pub expires_at: Option<i64>,
    /// When it stopped being pending.
    pub resolved_at: Option<i64>,
}

impl DirectedInvite {
    /// Whether it is pending but past its expiry at `now` (the purge has not reached it yet).
    pub fn is_expired_at(&self, now: i64) -> bool {
        self.status == DirectedInviteStatus::Pending && self.expires_at.is_some_and(|e| e <= now)
    }

    /// Whether `user_id` sent or received it.
    pub fn is_party(&self, user_id: UserId) -> bool {
        self.sender_id == user_id || self.recipient_id == user_id
    }

    /// The member overwrite an accepted channel invite writes: the granted bits and
    /// VIEW_CHANNEL allowed, nothing denied. None for a guild invite.
    pub fn overwrite(&self) -> Option<Overwrite> {
        self.channel_id.map(|channel_id| Overwrite {
            channel_id,
            guild_id: self.guild_id,
            target_id: Snowflake::from(self.recipient_id),
            kind: 1,
            allow: self.permissions | Permissions::VIEW_CHANNEL.0 as i64,
            deny: 0,
        })
    }
}

/// Which of a user's directed invites to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectedInviteQuery {
    /// Whose.
    pub user_id: UserId,
    /// Some(false): received only; Some(true): sent only; None: both.
    pub sent: Option<bool>,
    /// Only those with this status.
    pub status: Option<DirectedInviteStatus>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// What accepting a directed invite did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectedInviteAccept {
    /// The recipient joined the guild; the invite as it is now (accepted), and the member
    /// overwrite written for a channel invite, as stored.
    Joined(DirectedInvite, Option<Overwrite>),
    /// The invite is not pending (or not the recipient's, or past its expiry); nothing changed.
    NotPending,
    /// The recipient is a member already; nothing changed.
    AlreadyMember,
    /// The recipient is banned from the guild; nothing changed.
    Banned,
}

/// How a member came in (see [`DirectedInviteStore::fetch_joined_by`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinedBy {
    /// The code invite used.
    pub code: Option<String>,
    /// The directed invite accepted.
    pub invite_id: Option<DirectedInviteId>,
}

/// Directed invites.
#[async_trait]
pub trait DirectedInviteStore: Send + Sync {
    /// Stores a new (pending) invite. A pending invite of the same sender to the same recipient
    /// and target exists already → [`StoreError::Conflict`](crate::StoreError::Conflict).
    async fn insert_directed_invite(&self, invite: &DirectedInvite) -> Result<()>;
    /// One invite by id, whatever its status.
    async fn fetch_directed_invite(&self, id: DirectedInviteId) -> Result<Option<DirectedInvite>>;
    /// The pending invite of `sender_id` to `recipient_id` for this guild and channel (None:
    /// the guild itself), if any (expired or not).
    async fn fetch_pending_directed_invite(
        &self,
        sender_id: UserId,
        recipient_id: UserId,
        guild_id: GuildId,
        channel_id: Option<ChannelId>,
    ) -> Result<Option<DirectedInvite>>;
    /// A user's invites as `query` says, newest first.
    async fn fetch_directed_invites(
        &self,
        query: &DirectedInviteQuery,
    ) -> Result<Vec<DirectedInvite>>;
    /// How a member joined: the code or the directed invite recorded on the member (both None
    /// when joined otherwise); None when not a member.
    async fn fetch_joined_by(&self, guild_id: GuildId, user_id: UserId)
        -> Result<Option<JoinedBy>>;
    /// In one transaction: the invite, if still pending and unexpired at `now` and addressed to
    /// `member.user_id`, becomes accepted (resolved at `now`); `member` is added to its guild
    /// with the invite recorded as how they joined; for a channel invite, the recipient's
    /// member overwrite there allows the granted bits and VIEW_CHANNEL (added to an overwrite
    /// already there, and no longer denied by it). Banned, already a member, or no longer
    /// pending: nothing changes.
    async fn accept_directed_invite(
        &self,
        id: DirectedInviteId,
        member: &Member,
        now: Timestamp,
    ) -> Result<DirectedInviteAccept>;
    /// A pending invite becomes `status` (declined or cancelled) at `now`; the invite as it is
    /// now, or None (nothing changes) when it was not pending.
    async fn resolve_directed_invite(
        &self,
        id: DirectedInviteId,
        status: DirectedInviteStatus,
        now: Timestamp,
    ) -> Result<Option<DirectedInvite>>;
    /// Every pending invite whose expiry is at or before `now` becomes expired (resolved at
    /// `now`); returns them as they are now. Each invite is returned by one call only, however
    /// many run at once (the nodes of a cluster).
    async fn expire_directed_invites(&self, now: Timestamp) -> Result<Vec<DirectedInvite>>;
}

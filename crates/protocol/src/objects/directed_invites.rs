//! Directed invites (a hearth extension): an invitation from one user to another, to a guild
//! or to one channel of it.

use hearth_core::{
    ChannelId, DirectedInviteId, DirectedInviteStatus, GuildId, Permissions, Timestamp,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::User;

/// A directed invite, as both its sender and its recipient see it (`/users/@me/directed-invites`,
/// DIRECTED_INVITE_CREATE and DIRECTED_INVITE_UPDATE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectedInvite {
    /// Id.
    pub id: DirectedInviteId,
    /// The guild it invites to.
    pub guild: DirectedInviteGuild,
    /// The channel it invites to (null: the guild as a whole).
    pub channel: Option<DirectedInviteChannel>,
    /// Who sent it.
    pub sender: User,
    /// Who it is for.
    pub recipient: User,
    /// The sender's words, if any.
    pub message: Option<String>,
    /// Permissions granted in the channel on acceptance (a member overwrite allowing them and
    /// VIEW_CHANNEL); `"0"` for a guild invite.
    pub permissions: Permissions,
    /// 0 pending, 1 accepted, 2 declined, 3 cancelled, 4 expired.
    pub status: DirectedInviteStatus,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When it expires if still pending (null: never).
    pub expires_at: Option<Timestamp>,
    /// When it stopped being pending (null while pending).
    pub resolved_at: Option<Timestamp>,
}

/// The guild of a directed invite, as its invite shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectedInviteGuild {
    /// Id.
    pub id: GuildId,
    /// Name.
    pub name: String,
    /// Icon hash.
    pub icon: Option<String>,
}

/// The channel of a directed invite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectedInviteChannel {
    /// Id.
    pub id: ChannelId,
    /// Name.
    pub name: Option<String>,
    /// Channel type.
    #[serde(rename = "type")]
    pub kind: i64,
}

/// How a member joined their guild (`joined_via` of `GET /guilds/{id}/members/{user_id}`, for
/// those who may manage the guild; a hearth extension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JoinedVia {
    /// The invite code used, if by a code.
    pub code: Option<String>,
    /// The directed invite accepted, if by one.
    pub directed_invite_id: Option<DirectedInviteId>,
}

/// `GET /guilds/{id}/members/{user_id}`: the member, and for a caller with MANAGE_GUILD how
/// they joined (`joined_via`, a hearth extension; absent for others).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MemberWithJoin {
    /// The member.
    #[serde(flatten)]
    pub member: super::Member,
    /// How the member joined (MANAGE_GUILD holders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_via: Option<JoinedVia>,
}

//! The payloads of the dispatches ([`super::Event`]): the wire objects of
//! [`crate::objects`] and the keys Discord adds to them in a dispatch (`guild_id`, `member`),
//! or the small objects some dispatches carry instead (`{"guild_id", "role_id"}`).
//!
//! Each serializes to exactly the `d` clients receive, and deserializes back to the same value
//! (events cross a cluster's bus as JSON).

use hearth_core::{ChannelId, GuildId, MessageId, RelationshipKind, RoleId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::objects::{AuditLogEntry, Channel, Guild, Member, Message, Role, User};

/// GUILD_CREATE: a guild with everything a session starts with (its channels, members,
/// presences and counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildCreate {
    /// The guild, with its roles.
    #[serde(flatten)]
    pub guild: Guild,
    /// When the receiving user joined.
    pub joined_at: Timestamp,
    /// More members than the session's `large_threshold`.
    pub large: bool,
    /// `false` at IDENTIFY (a guild becoming available); absent when the user just gained the
    /// guild (discord.py tells these apart: `on_guild_available` / `on_guild_join`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<bool>,
    /// How many members the guild has.
    pub member_count: i64,
    /// Every member (with `user`) when the guild is not large, else the receiver's own.
    pub members: Vec<Member>,
    /// Channels with their overwrites: every channel as read; each receiver gets those it may
    /// view.
    pub channels: Vec<Channel>,
    /// The active threads: every one as read; each receiver gets those it may view.
    pub threads: Vec<Channel>,
    /// Members visibly online, for sessions with GUILD_PRESENCES.
    pub presences: Vec<PresenceUpdate>,
    /// Voice states (none).
    pub voice_states: Vec<Value>,
    /// Stage instances (none).
    pub stage_instances: Vec<Value>,
    /// Scheduled events (none).
    pub guild_scheduled_events: Vec<Value>,
    /// Soundboard sounds (none).
    pub soundboard_sounds: Vec<Value>,
}

/// GUILD_DELETE: `{"id", "unavailable": false}` (the guild is gone for the receiver, not in
/// an outage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnavailableGuild {
    /// The guild.
    pub id: GuildId,
    /// Always `false` from hearth.
    pub unavailable: bool,
}

/// GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE: `{"guild_id", "role"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildRole {
    /// The guild.
    pub guild_id: GuildId,
    /// The role as it is now.
    pub role: Role,
}

/// GUILD_ROLE_DELETE: `{"guild_id", "role_id"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildRoleDelete {
    /// The guild.
    pub guild_id: GuildId,
    /// The deleted role.
    pub role_id: RoleId,
}

/// GUILD_MEMBER_ADD, GUILD_MEMBER_UPDATE: the member (with `user`) and `guild_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildMember {
    /// The member as it is now, with its user.
    #[serde(flatten)]
    pub member: Member,
    /// The guild.
    pub guild_id: GuildId,
}

/// GUILD_MEMBER_REMOVE, GUILD_BAN_ADD, GUILD_BAN_REMOVE: `{"guild_id", "user"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildUser {
    /// The guild.
    pub guild_id: GuildId,
    /// The user who left, was removed, banned or unbanned.
    pub user: User,
}

/// GUILD_AUDIT_LOG_ENTRY_CREATE: the entry and `guild_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildAuditLogEntry {
    /// The new entry.
    #[serde(flatten)]
    pub entry: AuditLogEntry,
    /// The guild.
    pub guild_id: GuildId,
}

/// INVITE_CREATE: the invite's metadata (without its guild and channel objects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteCreate {
    /// The channel it leads to.
    pub channel_id: ChannelId,
    /// The guild.
    pub guild_id: GuildId,
    /// 8-character code.
    pub code: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Lifetime in seconds (0: forever).
    pub max_age: i64,
    /// Allowed joins (0: unlimited).
    pub max_uses: i64,
    /// Grants temporary membership.
    pub temporary: bool,
    /// Joins so far.
    pub uses: i64,
    /// Who made it.
    pub inviter: Option<User>,
    /// 0: guild invite.
    #[serde(rename = "type")]
    pub kind: u8,
}

/// INVITE_DELETE: `{"channel_id", "guild_id", "code"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteDelete {
    /// The channel it led to.
    pub channel_id: ChannelId,
    /// The guild.
    pub guild_id: GuildId,
    /// The code.
    pub code: String,
}

/// MESSAGE_CREATE, MESSAGE_UPDATE: the message (with `guild_id`) and its author's `member`
/// (without `user`; `null` when the author is no longer a member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildMessage {
    /// The whole message.
    #[serde(flatten)]
    pub message: Message,
    /// The author's member.
    pub member: Option<Member>,
}

impl GuildMessage {
    /// The message as a bot without the MESSAGE_CONTENT intent receives others' messages:
    /// `content` empty, no embeds, attachments or components.
    pub fn without_content(&self) -> GuildMessage {
        let mut m = self.clone();
        m.message.content = String::new();
        m.message.embeds = Vec::new();
        m.message.attachments = Vec::new();
        m.message.components = Vec::new();
        m
    }
}

/// MESSAGE_DELETE: `{"id", "channel_id", "guild_id"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDelete {
    /// The deleted message.
    pub id: MessageId,
    /// Its channel.
    pub channel_id: ChannelId,
    /// Its guild.
    pub guild_id: GuildId,
}

/// MESSAGE_DELETE_BULK: `{"ids", "channel_id", "guild_id"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDeleteBulk {
    /// The deleted messages.
    pub ids: Vec<MessageId>,
    /// Their channel.
    pub channel_id: ChannelId,
    /// Its guild.
    pub guild_id: GuildId,
}

/// TYPING_START.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypingStart {
    /// Where.
    pub channel_id: ChannelId,
    /// The channel's guild.
    pub guild_id: GuildId,
    /// Who.
    pub user_id: UserId,
    /// When, in whole seconds since the Unix epoch.
    pub timestamp: i64,
    /// Their member, with `user`.
    pub member: Option<Member>,
}

/// PRESENCE_UPDATE (and each entry of GUILD_CREATE's `presences`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    /// Whose presence (only the id).
    pub user: PresenceUser,
    /// The guild it is told in.
    pub guild_id: GuildId,
    /// `online`, `idle`, `dnd` or `offline` (an invisible user appears offline).
    pub status: String,
    /// What they are doing.
    pub activities: Vec<Activity>,
    /// Status per connected device kind.
    pub client_status: ClientStatus,
}

/// PRESENCE_UPDATE of a friend (and each entry of READY's `presences`): a presence without a
/// guild, told to the user's friends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FriendPresence {
    /// Whose presence (only the id).
    pub user: PresenceUser,
    /// `online`, `idle`, `dnd` or `offline` (an invisible user appears offline).
    pub status: String,
    /// What they are doing.
    pub activities: Vec<Activity>,
    /// Status per connected device kind.
    pub client_status: ClientStatus,
}

impl From<PresenceUpdate> for FriendPresence {
    fn from(p: PresenceUpdate) -> Self {
        FriendPresence {
            user: p.user,
            status: p.status,
            activities: p.activities,
            client_status: p.client_status,
        }
    }
}

/// The user of a presence: `{"id"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceUser {
    /// The user.
    pub id: UserId,
}

/// An activity, trimmed to what other clients show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Name (at most 128 characters).
    pub name: String,
    /// 0 playing, 1 streaming, 2 listening, 3 watching, 4 custom, 5 competing.
    #[serde(rename = "type")]
    pub kind: u64,
    /// State text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Details text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Stream URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A presence's status on each kind of device the user is connected from (absent: not
/// connected from that kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStatus {
    /// Desktop clients (and bots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop: Option<String>,
    /// Phones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// Browsers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
}

/// RELATIONSHIP_REMOVE: which of the receiver's relationships ended, and what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationshipRemove {
    /// The other user's id.
    pub id: UserId,
    /// What the relationship was (1 friend, 2 blocked, 3 incoming, 4 outgoing request).
    #[serde(rename = "type")]
    pub kind: RelationshipKind,
}

//! Committed changes as events: what the API publishes on the bus after each write, what
//! every node's gateway hub turns into dispatches, and who receives them.
//!
//! [`Event`] is one enum: each variant carries its typed payload ([`payloads`], made of the
//! wire objects of [`crate::objects`]) and knows
//! - its Discord dispatch name ([`Event::name`], the `t` of the frame),
//! - its `d` ([`Event::data`], serialized from the payload: the only place a dispatch's JSON
//!   is produced),
//! - its [`Audience`] ([`Event::audience`]): who may receive it, before the gateway narrows it
//!   by intents.
//!
//! A few variants are for the hubs only and never reach a client ([`Event::SessionRevoked`],
//! [`Event::BusGap`]); their `data` is `None`.
//!
//! On a cluster the whole event crosses the bus as JSON (serde's derive below, adjacently
//! tagged: `{"kind": "<variant>", "payload": ...}`) and is deserialized on each node, so every
//! payload type deserializes back to the value it was (tested for every variant). This form is
//! internal to hearth; clients only ever see [`Event::data`].
//!
//! [`Audience`] lives here, beside the enum, rather than in `hearth-core`: it is computed from
//! the payloads, which are wire types of this crate (`hearth-core` cannot name them), and no
//! crate below this one needs it.
//!
//! # Declaring an event
//! Add a variant with its payload (a wire object, or a struct in [`payloads`] flattening one
//! with the keys Discord adds), then its arm in [`Event::name`], [`Event::audience`] and
//! [`Event::data`], and a sample in the round-trip test (which fails for a variant without
//! one). The compiler then stops at the gateway's intent table; an event that changes who may
//! see what (roles, members, channels, ownership) also needs its arm in the hub's permission
//! views. `docs/gateway.md` ("How an event is declared") follows an event from the handler to
//! the client.

mod payloads;
mod private;
mod reactions;
mod threads;

use hearth_core::{ChannelId, GuildId, Permissions, UserId};
use serde::{Deserialize, Serialize};

use crate::guild_settings::UserGuildSettings;
use crate::objects::{Channel, CurrentUser, DirectedInvite, Guild, Relationship};
use crate::settings::UserSettings;
pub use payloads::*;
pub use private::*;
pub use reactions::*;
pub use threads::*;

/// Who may receive an event. The gateway narrows this further by intents, and for guild
/// events by each member's permissions as its hub knows them.
///
/// Audiences still to come, and where they go:
/// - thread members, for private threads: a `Thread` variant (the hub's views then need
///   thread membership; public threads are seen by those who see their parent);
/// - a user's own sessions (USER_UPDATE, a guild gained or lost): [`Audience::User`];
/// - holders of a permission in a guild or a channel: [`Audience::GuildPermission`] and
///   [`Audience::ChannelPermission`].
///
/// An event for several users is published once per user, each to [`Audience::User`]: a
/// cluster bus carries user events on a subject per user, and one copy per subject keeps a
/// node that holds several of the users from delivering the event twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Members of a guild (guild settings, roles, members joining and leaving, presence).
    Guild {
        /// The guild.
        guild_id: GuildId,
    },
    /// Members of a guild holding a guild-level permission (bans: BAN_MEMBERS; audit log
    /// entries: VIEW_AUDIT_LOG).
    GuildPermission {
        /// The guild.
        guild_id: GuildId,
        /// What a receiver must hold.
        permission: Permissions,
    },
    /// Members of the guild who may view the channel (messages, typing, channel changes).
    Channel {
        /// The channel's guild.
        guild_id: GuildId,
        /// The channel.
        channel_id: ChannelId,
    },
    /// Members holding a permission in a channel (invites: MANAGE_CHANNELS there).
    ChannelPermission {
        /// The channel's guild.
        guild_id: GuildId,
        /// The channel.
        channel_id: ChannelId,
        /// What a receiver must hold in the channel.
        permission: Permissions,
    },
    /// Every session of one user.
    User {
        /// The user.
        user_id: UserId,
    },
    /// No session: notices for the hubs alone ([`Event::BusGap`], made by each node's bus and
    /// never published), and the events of a channel outside any guild, which has no
    /// audience until direct messages are served.
    Nobody,
}

impl Audience {
    /// The guild the audience is drawn from, if any.
    pub fn guild_id(&self) -> Option<GuildId> {
        match self {
            Audience::Guild { guild_id }
            | Audience::GuildPermission { guild_id, .. }
            | Audience::Channel { guild_id, .. }
            | Audience::ChannelPermission { guild_id, .. } => Some(*guild_id),
            Audience::User { .. } | Audience::Nobody => None,
        }
    }
}

/// One committed change (or a notice for the hubs), with its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Event {
    /// GUILD_CREATE to a user who gained a guild (created it, joined it, was added as a bot).
    /// Their sessions start following the guild with it.
    GuildCreate {
        /// Who gained the guild.
        user_id: UserId,
        /// The guild, with every channel (each session gets those it may view).
        guild: Box<GuildCreate>,
    },
    /// GUILD_UPDATE: the guild's settings changed.
    GuildUpdate(Box<Guild>),
    /// GUILD_DELETE to every member: the guild was deleted.
    GuildDelete(UnavailableGuild),
    /// GUILD_DELETE to one user who lost the guild (left, was kicked or banned).
    GuildLost {
        /// Who lost it.
        user_id: UserId,
        /// The guild.
        guild: UnavailableGuild,
    },
    /// GUILD_ROLE_CREATE.
    GuildRoleCreate(GuildRole),
    /// GUILD_ROLE_UPDATE.
    GuildRoleUpdate(GuildRole),
    /// GUILD_ROLE_DELETE.
    GuildRoleDelete(GuildRoleDelete),
    /// GUILD_MEMBER_ADD.
    GuildMemberAdd(Box<GuildMember>),
    /// GUILD_MEMBER_UPDATE.
    GuildMemberUpdate(Box<GuildMember>),
    /// GUILD_MEMBER_REMOVE.
    GuildMemberRemove(GuildUser),
    /// GUILD_BAN_ADD.
    GuildBanAdd(GuildUser),
    /// GUILD_BAN_REMOVE.
    GuildBanRemove(GuildUser),
    /// GUILD_AUDIT_LOG_ENTRY_CREATE.
    GuildAuditLogEntryCreate(Box<GuildAuditLogEntry>),
    /// CHANNEL_CREATE (the channel carries its `guild_id`).
    ChannelCreate(Box<Channel>),
    /// CHANNEL_UPDATE.
    ChannelUpdate(Box<Channel>),
    /// CHANNEL_DELETE.
    ChannelDelete(Box<Channel>),
    /// INVITE_CREATE.
    InviteCreate(Box<InviteCreate>),
    /// INVITE_DELETE.
    InviteDelete(InviteDelete),
    /// MESSAGE_CREATE.
    MessageCreate(Box<GuildMessage>),
    /// MESSAGE_UPDATE (the whole message).
    MessageUpdate(Box<GuildMessage>),
    /// MESSAGE_DELETE.
    MessageDelete(MessageDelete),
    /// MESSAGE_DELETE_BULK.
    MessageDeleteBulk(MessageDeleteBulk),
    /// TYPING_START.
    TypingStart(Box<TypingStart>),
    /// PRESENCE_UPDATE: a user's visible presence in one of their guilds.
    PresenceUpdate(Box<PresenceUpdate>),
    /// USER_UPDATE: the user changed themself (to their own sessions).
    UserUpdate(Box<CurrentUser>),
    /// An event of a private channel (DM or group DM), for one of its recipients: published
    /// once per recipient (see [`Audience`]).
    Private {
        /// The recipient whose sessions receive it.
        user_id: UserId,
        /// The event.
        event: PrivateEvent,
    },
    /// RELATIONSHIP_ADD to one user: a relationship of theirs began or took another type (a
    /// friend request sent or received, a friendship, a block).
    RelationshipAdd {
        /// Whose relationship.
        user_id: UserId,
        /// The relationship, from their side.
        relationship: Box<Relationship>,
    },
    /// RELATIONSHIP_UPDATE to one user: their nickname for a friend changed.
    RelationshipUpdate {
        /// Whose relationship.
        user_id: UserId,
        /// The relationship, from their side.
        relationship: Box<Relationship>,
    },
    /// RELATIONSHIP_REMOVE to one user: a relationship of theirs ended (a friend removed, a
    /// request declined or cancelled, a block lifted, or the other blocked them).
    RelationshipRemove {
        /// Whose relationship.
        user_id: UserId,
        /// Which one, and what it was.
        relationship: RelationshipRemove,
    },
    /// USER_SETTINGS_UPDATE to one user: their settings document changed (the whole new
    /// document, every setting and the new version).
    UserSettingsUpdate {
        /// Whose settings.
        user_id: UserId,
        /// The settings as they are now.
        settings: Box<UserSettings>,
    },
    /// PRESENCE_UPDATE to one user: the presence of one of their friends (no guild).
    FriendPresence {
        /// The friend who is told.
        user_id: UserId,
        /// The presence of the other.
        presence: Box<FriendPresence>,
    },
    /// DIRECTED_INVITE_CREATE to one user (a hearth extension): a directed invite was sent by
    /// or to them. Published once for the sender and once for the recipient.
    DirectedInviteCreate {
        /// The sender or the recipient, whose sessions receive it.
        user_id: UserId,
        /// The invite.
        invite: Box<DirectedInvite>,
    },
    /// DIRECTED_INVITE_UPDATE to one user (a hearth extension): a directed invite sent by or to
    /// them was accepted, declined, cancelled or expired. Published once for each side.
    DirectedInviteUpdate {
        /// The sender or the recipient, whose sessions receive it.
        user_id: UserId,
        /// The invite as it is now.
        invite: Box<DirectedInvite>,
    },
    /// USER_GUILD_SETTINGS_UPDATE to one user: their notification settings and channel
    /// preferences for a guild (or their DMs) changed (the whole entry).
    UserGuildSettingsUpdate {
        /// Whose settings.
        user_id: UserId,
        /// The entry as it is now.
        settings: Box<UserGuildSettings>,
    },
    /// THREAD_CREATE: a thread was created (`newly_created`), to those who may view it.
    ThreadCreate(Box<ThreadCreate>),
    /// THREAD_UPDATE: a thread was renamed, archived, unarchived, locked or unlocked.
    ThreadUpdate(Box<Channel>),
    /// THREAD_DELETE, to those who may view the thread's parent.
    ThreadDelete(ThreadDelete),
    /// THREAD_MEMBER_UPDATE to one user: they joined a thread (or were added).
    ThreadMemberUpdate {
        /// The member, whose sessions receive it.
        user_id: UserId,
        /// Their thread member.
        member: Box<ThreadMemberUpdate>,
    },
    /// THREAD_MEMBERS_UPDATE: members joined or left a thread, to those who may view it.
    ThreadMembersUpdate(Box<ThreadMembersUpdate>),
    /// A token was revoked: its owner's gateway sessions opened with it end. For the hubs only.
    SessionRevoked {
        /// The token's owner.
        user_id: UserId,
        /// The token's hash, as sessions keep it.
        token_hash: String,
    },
    /// Events may have been lost on the way to this node (its bus connection was interrupted or
    /// fell behind): no session here can resume without a gap. Made by the bus of each node
    /// for its own hub; never published.
    BusGap,
    /// MESSAGE_REACTION_ADD in a guild channel.
    MessageReactionAdd(Box<ReactionAdd>),
    /// MESSAGE_REACTION_REMOVE in a guild channel.
    MessageReactionRemove(Box<ReactionRemove>),
    /// MESSAGE_REACTION_REMOVE_ALL in a guild channel.
    MessageReactionRemoveAll(ReactionRemoveAll),
    /// MESSAGE_REACTION_REMOVE_EMOJI in a guild channel.
    MessageReactionRemoveEmoji(Box<ReactionRemoveEmoji>),
}

impl Event {
    /// The dispatch name (`t`). Events for the hubs only have a name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Event::GuildCreate { .. } => "GUILD_CREATE",
            Event::GuildUpdate(_) => "GUILD_UPDATE",
            Event::GuildDelete(_) | Event::GuildLost { .. } => "GUILD_DELETE",
            Event::GuildRoleCreate(_) => "GUILD_ROLE_CREATE",
            Event::GuildRoleUpdate(_) => "GUILD_ROLE_UPDATE",
            Event::GuildRoleDelete(_) => "GUILD_ROLE_DELETE",
            Event::GuildMemberAdd(_) => "GUILD_MEMBER_ADD",
            Event::GuildMemberUpdate(_) => "GUILD_MEMBER_UPDATE",
            Event::GuildMemberRemove(_) => "GUILD_MEMBER_REMOVE",
            Event::GuildBanAdd(_) => "GUILD_BAN_ADD",
            Event::GuildBanRemove(_) => "GUILD_BAN_REMOVE",
            Event::GuildAuditLogEntryCreate(_) => "GUILD_AUDIT_LOG_ENTRY_CREATE",
            Event::ChannelCreate(_) => "CHANNEL_CREATE",
            Event::ChannelUpdate(_) => "CHANNEL_UPDATE",
            Event::ChannelDelete(_) => "CHANNEL_DELETE",
            Event::InviteCreate(_) => "INVITE_CREATE",
            Event::InviteDelete(_) => "INVITE_DELETE",
            Event::MessageCreate(_) => "MESSAGE_CREATE",
            Event::MessageUpdate(_) => "MESSAGE_UPDATE",
            Event::MessageDelete(_) => "MESSAGE_DELETE",
            Event::MessageDeleteBulk(_) => "MESSAGE_DELETE_BULK",
            Event::TypingStart(_) => "TYPING_START",
            Event::PresenceUpdate(_) => "PRESENCE_UPDATE",
            Event::UserUpdate(_) => "USER_UPDATE",
            Event::Private { event, .. } => event.name(),
            Event::RelationshipAdd { .. } => "RELATIONSHIP_ADD",
            Event::RelationshipUpdate { .. } => "RELATIONSHIP_UPDATE",
            Event::RelationshipRemove { .. } => "RELATIONSHIP_REMOVE",
            Event::UserSettingsUpdate { .. } => "USER_SETTINGS_UPDATE",
            Event::FriendPresence { .. } => "PRESENCE_UPDATE",
            Event::DirectedInviteCreate { .. } => "DIRECTED_INVITE_CREATE",
            Event::DirectedInviteUpdate { .. } => "DIRECTED_INVITE_UPDATE",
            Event::UserGuildSettingsUpdate { .. } => "USER_GUILD_SETTINGS_UPDATE",
            Event::ThreadCreate(_) => "THREAD_CREATE",
            Event::ThreadUpdate(_) => "THREAD_UPDATE",
            Event::ThreadDelete(_) => "THREAD_DELETE",
            Event::ThreadMemberUpdate { .. } => "THREAD_MEMBER_UPDATE",
            Event::ThreadMembersUpdate(_) => "THREAD_MEMBERS_UPDATE",
            Event::SessionRevoked { .. } => "hearth.session_revoked",
            Event::BusGap => "hearth.bus_gap",
            Event::MessageReactionAdd(_) => "MESSAGE_REACTION_ADD",
            Event::MessageReactionRemove(_) => "MESSAGE_REACTION_REMOVE",
            Event::MessageReactionRemoveAll(_) => "MESSAGE_REACTION_REMOVE_ALL",
            Event::MessageReactionRemoveEmoji(_) => "MESSAGE_REACTION_REMOVE_EMOJI",
        }
    }

    /// Who may receive the event.
    pub fn audience(&self) -> Audience {
        let guild = |guild_id| Audience::Guild { guild_id };
        let holders = |guild_id, permission| Audience::GuildPermission {
            guild_id,
            permission,
        };
        let channel = |guild_id: Option<GuildId>, channel_id| match guild_id {
            Some(guild_id) => Audience::Channel {
                guild_id,
                channel_id,
            },
            None => Audience::Nobody,
        };
        let user = |user_id| Audience::User { user_id };
        match self {
            Event::GuildCreate { user_id, .. } | Event::GuildLost { user_id, .. } => user(*user_id),
            Event::GuildUpdate(g) => guild(g.id),
            Event::GuildDelete(g) => guild(g.id),
            Event::GuildRoleCreate(r) | Event::GuildRoleUpdate(r) => guild(r.guild_id),
            Event::GuildRoleDelete(r) => guild(r.guild_id),
            Event::GuildMemberAdd(m) | Event::GuildMemberUpdate(m) => guild(m.guild_id),
            Event::GuildMemberRemove(u) => guild(u.guild_id),
            Event::GuildBanAdd(b) | Event::GuildBanRemove(b) => {
                holders(b.guild_id, Permissions::BAN_MEMBERS)
            }
            Event::GuildAuditLogEntryCreate(e) => holders(e.guild_id, Permissions::VIEW_AUDIT_LOG),
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) | Event::ChannelDelete(c) => {
                channel(c.guild_id, c.id)
            }
            // Invites (their codes) go to those who may manage the channel, as on Discord.
            Event::InviteCreate(i) => Audience::ChannelPermission {
                guild_id: i.guild_id,
                channel_id: i.channel_id,
                permission: Permissions::MANAGE_CHANNELS,
            },
            Event::InviteDelete(i) => Audience::ChannelPermission {
                guild_id: i.guild_id,
                channel_id: i.channel_id,
                permission: Permissions::MANAGE_CHANNELS,
            },
            Event::MessageCreate(m) | Event::MessageUpdate(m) => {
                channel(m.message.guild_id, m.message.channel_id)
            }
            Event::MessageDelete(m) => channel(Some(m.guild_id), m.channel_id),
            Event::MessageDeleteBulk(m) => channel(Some(m.guild_id), m.channel_id),
            Event::TypingStart(t) => channel(Some(t.guild_id), t.channel_id),
            Event::PresenceUpdate(p) => guild(p.guild_id),
            Event::UserUpdate(u) => user(u.user.id),
            Event::Private { user_id, .. } => user(*user_id),
            Event::RelationshipAdd { user_id, .. }
            | Event::RelationshipUpdate { user_id, .. }
            | Event::RelationshipRemove { user_id, .. }
            | Event::UserSettingsUpdate { user_id, .. }
            | Event::FriendPresence { user_id, .. }
            | Event::DirectedInviteCreate { user_id, .. }
            | Event::DirectedInviteUpdate { user_id, .. }
            | Event::UserGuildSettingsUpdate { user_id, .. }
            | Event::ThreadMemberUpdate { user_id, .. }
            | Event::SessionRevoked { user_id, .. } => user(*user_id),
            Event::ThreadCreate(t) => channel(t.thread.guild_id, t.thread.id),
            Event::ThreadUpdate(t) => channel(t.guild_id, t.id),
            // The thread is gone from the guild's state when this is delivered: its parent
            // says who could see it.
            Event::ThreadDelete(t) => channel(Some(t.guild_id), t.parent_id),
            Event::ThreadMembersUpdate(t) => channel(Some(t.guild_id), t.id),
            Event::BusGap => Audience::Nobody,
            Event::MessageReactionAdd(r) => channel(r.guild_id, r.channel_id),
            Event::MessageReactionRemove(r) => channel(r.guild_id, r.channel_id),
            Event::MessageReactionRemoveAll(r) => channel(r.guild_id, r.channel_id),
            Event::MessageReactionRemoveEmoji(r) => channel(r.guild_id, r.channel_id),
        }
    }

    /// The dispatch payload (`d`) as JSON text; `None` for the events of the hubs.
    pub fn data(&self) -> Option<String> {
        Some(match self {
            Event::GuildCreate { guild, .. } => json(guild),
            Event::GuildUpdate(g) => json(g),
            Event::GuildDelete(g) | Event::GuildLost { guild: g, .. } => json(g),
            Event::GuildRoleCreate(r) | Event::GuildRoleUpdate(r) => json(r),
            Event::GuildRoleDelete(r) => json(r),
            Event::GuildMemberAdd(m) | Event::GuildMemberUpdate(m) => json(m),
            Event::GuildMemberRemove(u) | Event::GuildBanAdd(u) | Event::GuildBanRemove(u) => {
                json(u)
            }
            Event::GuildAuditLogEntryCreate(e) => json(e),
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) | Event::ChannelDelete(c) => json(c),
            Event::InviteCreate(i) => json(i),
            Event::InviteDelete(i) => json(i),
            Event::MessageCreate(m) | Event::MessageUpdate(m) => json(m),
            Event::MessageDelete(m) => json(m),
            Event::MessageDeleteBulk(m) => json(m),
            Event::TypingStart(t) => json(t),
            Event::PresenceUpdate(p) => json(p),
            Event::UserUpdate(u) => json(u),
            Event::Private { event, .. } => event.data(),
            Event::RelationshipAdd { relationship, .. }
            | Event::RelationshipUpdate { relationship, .. } => json(relationship),
            Event::RelationshipRemove { relationship, .. } => json(relationship),
            Event::UserSettingsUpdate { settings, .. } => json(settings),
            Event::FriendPresence { presence, .. } => json(presence),
            Event::DirectedInviteCreate { invite, .. }
            | Event::DirectedInviteUpdate { invite, .. } => json(invite),
            Event::UserGuildSettingsUpdate { settings, .. } => json(settings),
            Event::ThreadCreate(t) => json(t),
            Event::ThreadUpdate(t) => json(t),
            Event::ThreadDelete(t) => json(t),
            Event::ThreadMemberUpdate { member, .. } => json(member),
            Event::ThreadMembersUpdate(t) => json(t),
            Event::SessionRevoked { .. } | Event::BusGap => return None,
            Event::MessageReactionAdd(r) => json(r),
            Event::MessageReactionRemove(r) => json(r),
            Event::MessageReactionRemoveAll(r) => json(r),
            Event::MessageReactionRemoveEmoji(r) => json(r),
        })
    }
}

/// A payload as JSON text. The payloads are plain structs with string keys: serializing them
/// cannot fail.
fn json<T: Serialize + ?Sized>(payload: &T) -> String {
    serde_json::to_string(payload).unwrap_or_else(|_| String::from("null"))
}

/// Dispatches a session receives in answer to its own commands, never through the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionDispatch {
    /// READY, after IDENTIFY.
    Ready,
    /// RESUMED, after the events a RESUME replayed.
    Resumed,
    /// GUILD_MEMBERS_CHUNK, answering REQUEST_GUILD_MEMBERS.
    GuildMembersChunk,
}

impl SessionDispatch {
    /// The dispatch name (`t`).
    pub fn name(self) -> &'static str {
        match self {
            SessionDispatch::Ready => "READY",
            SessionDispatch::Resumed => "RESUMED",
            SessionDispatch::GuildMembersChunk => "GUILD_MEMBERS_CHUNK",
        }
    }
}

#[cfg(test)]
mod tests;

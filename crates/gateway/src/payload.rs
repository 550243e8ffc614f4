//! Gateway vocabulary (opcodes, close codes, intents) and the payloads built from the store:
//! READY's pieces and GUILD_CREATE.

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};
use hearth_protocol::events::GuildCreate;
use hearth_protocol::guild_settings::ReadyGuildSettings;
use hearth_protocol::objects::Relationship;
use hearth_store::{Store, StoreError, User};
use serde_json::Value;

use crate::wire;

/// Opcodes.
pub mod op {
    /// An event (server to client).
    pub const DISPATCH: u64 = 0;
    /// Heartbeat (both ways).
    pub const HEARTBEAT: u64 = 1;
    /// Start a session.
    pub const IDENTIFY: u64 = 2;
    /// Update the client's presence.
    pub const PRESENCE_UPDATE: u64 = 3;
    /// Voice state (accepted, not served).
    pub const VOICE_STATE_UPDATE: u64 = 4;
    /// Resume a session.
    pub const RESUME: u64 = 6;
    /// Reconnect and resume (server to client).
    pub const RECONNECT: u64 = 7;
    /// Ask for guild members.
    pub const REQUEST_GUILD_MEMBERS: u64 = 8;
    /// The session cannot be resumed (server to client).
    pub const INVALID_SESSION: u64 = 9;
    /// First message (server to client).
    pub const HELLO: u64 = 10;
    /// Heartbeat acknowledged (server to client).
    pub const HEARTBEAT_ACK: u64 = 11;
    /// Soundboard sounds (accepted, not served).
    pub const REQUEST_SOUNDBOARD_SOUNDS: u64 = 31;
}

/// Close codes sent by the server.
pub mod close {
    /// A message (text, or binary JSON) that is not valid UTF-8 (the WebSocket code for
    /// inconsistent data).
    pub const INVALID_FRAME_PAYLOAD: u16 = 1007;
    /// Unknown error; also a connection closed for being too slow (clients resume).
    pub const UNKNOWN_ERROR: u16 = 4000;
    /// Unknown opcode.
    pub const UNKNOWN_OPCODE: u16 = 4001;
    /// A message that is not a valid payload: not a JSON object with a numeric `op`, or
    /// larger than `gateway.max_payload_bytes`.
    pub const DECODE_ERROR: u16 = 4002;
    /// A command before IDENTIFY.
    pub const NOT_AUTHENTICATED: u16 = 4003;
    /// A bad token.
    pub const AUTHENTICATION_FAILED: u16 = 4004;
    /// A second IDENTIFY.
    pub const ALREADY_AUTHENTICATED: u16 = 4005;
    /// RESUME with a sequence number that is not the session's.
    pub const INVALID_SEQ: u16 = 4007;
    /// Too many commands.
    pub const RATE_LIMITED: u16 = 4008;
    /// No heartbeat in time.
    pub const SESSION_TIMED_OUT: u16 = 4009;
    /// A shard this server does not serve.
    pub const INVALID_SHARD: u16 = 4010;
    /// An API version other than 10.
    pub const INVALID_API_VERSION: u16 = 4012;
    /// Undefined intent bits.
    pub const INVALID_INTENTS: u16 = 4013;
    /// Privileged intents the bot may not use.
    pub const DISALLOWED_INTENTS: u16 = 4014;
}

/// Intent bits.
pub mod intents {
    /// Guilds, channels, roles.
    pub const GUILDS: u64 = 1 << 0;
    /// Members joining, changing, leaving; member requests (privileged).
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    /// Bans.
    pub const GUILD_MODERATION: u64 = 1 << 2;
    /// Invites.
    pub const GUILD_INVITES: u64 = 1 << 6;
    /// Presences (privileged).
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    /// Messages in guilds.
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    /// Reactions in guilds.
    pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
    /// Typing in guilds.
    pub const GUILD_MESSAGE_TYPING: u64 = 1 << 11;
    /// Messages in DMs and group DMs.
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    /// Reactions in DMs and group DMs.
    pub const DIRECT_MESSAGE_REACTIONS: u64 = 1 << 13;
    /// Typing in DMs and group DMs.
    pub const DIRECT_MESSAGE_TYPING: u64 = 1 << 14;
    /// Message content for bots (privileged).
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
    use hearth_protocol::events::{Event, PrivateEvent};

    /// Every defined bit (discord.py's `Intents.all()`).
    pub const ALL: u64 = 53_608_447;
    /// The privileged bits.
    pub const PRIVILEGED: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;

    /// The intent an event needs, or None when every session of its audience receives it.
    pub fn required(event: &Event) -> Option<u64> {
        Some(match event {
            Event::GuildCreate { .. }
            | Event::GuildUpdate(_)
            | Event::GuildDelete(_)
            | Event::GuildLost { .. }
            | Event::GuildRoleCreate(_)
            | Event::GuildRoleUpdate(_)
            | Event::GuildRoleDelete(_)
            | Event::ChannelCreate(_)
            | Event::ChannelUpdate(_)
            | Event::ChannelDelete(_)
            | Event::ThreadCreate(_)
            | Event::ThreadUpdate(_)
            | Event::ThreadDelete(_)
            | Event::ThreadMemberUpdate { .. }
            | Event::ThreadMembersUpdate(_) => GUILDS,
            Event::GuildMemberAdd(_)
            | Event::GuildMemberUpdate(_)
            | Event::GuildMemberRemove(_) => GUILD_MEMBERS,
            Event::GuildBanAdd(_)
            | Event::GuildBanRemove(_)
            | Event::GuildAuditLogEntryCreate(_) => GUILD_MODERATION,
            Event::InviteCreate(_) | Event::InviteDelete(_) => GUILD_INVITES,
            Event::PresenceUpdate(_) | Event::FriendPresence { .. } => GUILD_PRESENCES,
            Event::MessageCreate(_)
            | Event::MessageUpdate(_)
            | Event::MessageDelete(_)
            | Event::MessageDeleteBulk(_) => GUILD_MESSAGES,
            Event::TypingStart(_) => GUILD_MESSAGE_TYPING,
            Event::Private { event, .. } => match event {
                PrivateEvent::MessageCreate(_)
                | PrivateEvent::MessageUpdate(_)
                | PrivateEvent::MessageDelete(_)
                | PrivateEvent::MessageDeleteBulk(_) => DIRECT_MESSAGES,
                PrivateEvent::TypingStart(_) => DIRECT_MESSAGE_TYPING,
                PrivateEvent::ReactionAdd(_)
                | PrivateEvent::ReactionRemove(_)
                | PrivateEvent::ReactionRemoveAll(_)
                | PrivateEvent::ReactionRemoveEmoji(_) => DIRECT_MESSAGE_REACTIONS,
                // Discord sends a private channel's own changes to its recipients whatever
                // their intents.
                PrivateEvent::ChannelCreate(_)
                | PrivateEvent::ChannelUpdate(_)
                | PrivateEvent::ChannelDelete(_)
                | PrivateEvent::RecipientAdd(_)
                | PrivateEvent::RecipientRemove(_) => return None,
            },
            // A user's own relationships need no intent. Bots have none (the API refuses them),
            // so none of these is ever addressed to a bot's sessions.
            Event::RelationshipAdd { .. }
            | Event::RelationshipUpdate { .. }
            | Event::RelationshipRemove { .. } => return None,
            // A person's own settings, likewise (bots have none).
            Event::UserSettingsUpdate { .. } | Event::UserGuildSettingsUpdate { .. } => {
                return None
            }
            // A person's own directed invites, likewise (bots can neither send nor receive one).
            Event::DirectedInviteCreate { .. } | Event::DirectedInviteUpdate { .. } => return None,
            Event::UserUpdate(_) | Event::SessionRevoked { .. } | Event::BusGap => return None,
            Event::MessageReactionAdd(_)
            | Event::MessageReactionRemove(_)
            | Event::MessageReactionRemoveAll(_)
            | Event::MessageReactionRemoveEmoji(_) => GUILD_MESSAGE_REACTIONS,
        })
    }
}

/// A guild as GUILD_CREATE carries it: the guild with its roles, every channel with its
/// overwrites (the hub cuts the list to what the receiver may view), members (all of them up
/// to `large_threshold`, else only the receiving user's own member), member count, no
/// presences (added for the sessions that asked) and the gateway-only lists, `unavailable:
/// false`. None when the guild is gone or `user_id` is not a member.
pub async fn guild_create(
    store: &dyn Store,
    guild_id: GuildId,
    user_id: UserId,
    large_threshold: i64,
) -> Result<Option<GuildCreate>, StoreError> {
    let Some(guild) = store.fetch_guild(guild_id).await? else {
        return Ok(None);
    };
    let Some(me) = store.fetch_member(guild_id, user_id).await? else {
        return Ok(None);
    };
    let roles = store.fetch_roles(guild_id).await?;
    let channels = store.fetch_guild_channels(guild_id).await?;
    let overwrites = store.fetch_guild_overwrites(guild_id).await?;
    let member_count = store.count_members(guild_id).await?;
    let large = member_count > large_threshold;
    let members = if large {
        match store.fetch_user(user_id).await? {
            Some(u) => vec![wire::member(&me, Some(&u))],
            None => Vec::new(),
        }
    } else {
        store
            .fetch_members(guild_id, UserId::default(), large_threshold.max(1))
            .await?
            .iter()
            .map(|(m, u)| wire::member(m, Some(u)))
            .collect()
    };
    let mut whole = wire::guild(&guild, &roles, None);
    whole.hearth_default_channel_ids = Some(store.fetch_default_channels(guild_id).await?);
    Ok(Some(GuildCreate {
        guild: whole,
        joined_at: Timestamp(me.joined_at),
        large,
        unavailable: Some(false),
        member_count,
        members,
        channels: channels
            .iter()
            .map(|c| wire::channel(c, &overwrites))
            .collect(),
        threads: store
            .fetch_active_threads(guild_id)
            .await?
            .iter()
            .map(wire::thread)
            .collect(),
        presences: Vec::new(),
        voice_states: Vec::new(),
        stage_instances: Vec::new(),
        guild_scheduled_events: Vec::new(),
        soundboard_sounds: Vec::new(),
    }))
}

/// READY's `relationships`: a person's friends, friend requests and blocks, each with the other
/// user. Bots have none.
pub async fn relationships(
    store: &dyn Store,
    user: &User,
) -> Result<Vec<Relationship>, StoreError> {
    if user.bot {
        return Ok(Vec::new());
    }
    let rows = store.fetch_relationships(user.id).await?;
    Ok(rows
        .iter()
        .map(|(r, other)| wire::relationship(r, other))
        .collect())
}

/// READY's `user_settings`: a person's settings (the defaults at version 0 when they changed
/// none); `{}` for bots, which have none.
pub async fn user_settings(store: &dyn Store, user: &User) -> Result<Value, StoreError> {
    if user.bot {
        return Ok(Value::Object(Default::default()));
    }
    let row = store.fetch_user_settings(user.id).await?;
    Ok(to_value(&wire::user_settings(row.as_ref())))
}

/// READY's `user_guild_settings`: a person's entries of the guilds they are in (`guilds`) and of
/// their DMs, whose channel overrides are cut to the private channels they are in (`private`;
/// a guild's rows of deleted channels went with them). The entry of a guild they left is kept
/// for their return, and not listed. Bots have none.
pub async fn guild_settings(
    store: &dyn Store,
    user: &User,
    guilds: &[GuildId],
    private: &[ChannelId],
) -> Result<ReadyGuildSettings, StoreError> {
    let mut entries = Vec::new();
    if !user.bot {
        let now = Timestamp::now();
        for mut entry in store.fetch_preference_entries(user.id).await? {
            let guild_id = entry
                .guild
                .as_ref()
                .map(|g| g.guild_id)
                .or_else(|| entry.channels.first().map(|c| c.guild_id))
                .flatten();
            match guild_id {
                Some(g) if !guilds.contains(&g) => continue,
                Some(_) => {}
                None => entry.channels.retain(|c| private.contains(&c.channel_id)),
            }
            entries.push(wire::guild_settings(&entry, guild_id, now));
        }
    }
    let version = entries.iter().map(|e| e.version).max().unwrap_or(0);
    Ok(ReadyGuildSettings {
        entries,
        partial: false,
        version,
    })
}

/// A serializable value as JSON (wire objects always serialize).
pub fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Every guild id of a user (all pages).
pub async fn user_guild_ids(
    store: &dyn Store,
    user_id: UserId,
) -> Result<Vec<GuildId>, StoreError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.fetch_user_guilds(user_id, None, after, 200).await?;
        let done = page.len() < 200;
        out.extend(page.iter().map(|g| g.id));
        after = out.last().copied();
        if done {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::intents;
    use hearth_core::{ChannelId, GuildId, MessageId, Snowflake};
    use hearth_protocol::events::{Event, MessageDelete};

    #[test]
    fn all_intents_match_discord_py() {
        assert_eq!(
            intents::ALL,
            0x1FFFF | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25)
        );
        assert_eq!(
            intents::ALL & 53_575_421,
            53_575_421,
            "dpy's default is a subset"
        );
        let deleted = Event::MessageDelete(MessageDelete {
            id: MessageId(Snowflake(1)),
            channel_id: ChannelId(Snowflake(2)),
            guild_id: GuildId(Snowflake(3)),
        });
        assert_eq!(intents::required(&deleted), Some(intents::GUILD_MESSAGES));
        assert_eq!(intents::required(&Event::BusGap), None);
    }
}

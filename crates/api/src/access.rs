//! Who may do what: membership and permission checks shared by the handlers.
//!
//! Checks read the node's guild state ([`hearth_state`], the same the gateway decides with),
//! so a message POST reads nothing from the store to authorize it; what the state does not hold
//! (a channel or member created a moment ago on another node) is read from the store. A handler
//! that reads, changes and writes under an ordering lock reads what it changes with the
//! `fresh_` functions, from the store: the state may not have applied a change committed a
//! moment ago by another request.
//!
//! Unknown things answer 404 with their code; things that exist but that the caller may not see
//! answer 50001 Missing Access (a channel hidden from the caller by its overwrites included);
//! a visible thing the caller may not change answers 50013.

use hearth_core::permissions::{
    self, base_permissions, channel_permissions, thread_permissions, Member,
};
use hearth_core::{
    ChannelId, ChannelKind, GuildId, OverwriteKind, Permissions, RoleId, Timestamp, UserId,
};
use hearth_protocol::objects as wire;
use hearth_state::{lock, MemberInputs, SharedGuild};
use hearth_store::{self as db, Channel, Guild, PermissionInput};

use crate::{convert, private, ApiError, ApiResult, AppState};

/// Stored overwrites as the permission function takes them.
pub fn overwrites(rows: &[db::Overwrite]) -> Vec<permissions::Overwrite> {
    rows.iter()
        .map(|o| permissions::Overwrite {
            id: o.target_id,
            kind: OverwriteKind::try_from(o.kind).unwrap_or(OverwriteKind::Role),
            allow: Permissions(o.allow as u64),
            deny: Permissions(o.deny as u64),
        })
        .collect()
}

/// One member's permission inputs, ready for the permission function.
#[derive(Debug, Clone)]
pub struct Caller {
    guild_id: GuildId,
    user_id: UserId,
    is_owner: bool,
    everyone: Permissions,
    roles: Vec<(RoleId, Permissions)>,
    timed_out: bool,
    guest: bool,
}

impl Caller {
    /// The inputs the store loaded for `user_id` in `guild_id`.
    pub fn new(input: &PermissionInput, guild_id: GuildId, user_id: UserId) -> Caller {
        Caller {
            guild_id,
            user_id,
            is_owner: input.owner_id == user_id,
            everyone: Permissions(input.everyone as u64),
            roles: input
                .roles
                .iter()
                .map(|(id, p)| (*id, Permissions(*p as u64)))
                .collect(),
            timed_out: input
                .timed_out_until
                .is_some_and(|until| until > Timestamp::now().0),
            guest: input.guest,
        }
    }

    fn member(&self) -> Member<'_> {
        Member {
            guild_id: self.guild_id,
            user_id: self.user_id,
            is_owner: self.is_owner,
            everyone: self.everyone,
            roles: &self.roles,
            timed_out: self.timed_out,
            guest: self.guest,
        }
    }

    /// Guild-level permissions (no channel).
    pub fn base(&self) -> Permissions {
        base_permissions(&self.member())
    }

    /// Permissions in a channel with these stored overwrites (nothing without VIEW_CHANNEL).
    pub fn in_channel(&self, rows: &[db::Overwrite]) -> Permissions {
        channel_permissions(&self.member(), &overwrites(rows))
    }
}

/// The caller's guild-level permissions from what the store loaded: a timed-out member keeps
/// only VIEW_CHANNEL and READ_MESSAGE_HISTORY.
pub fn compute(input: &PermissionInput, user_id: UserId) -> Permissions {
    Caller::new(input, GuildId::default(), user_id).base()
}

impl Caller {
    /// The inputs the node's guild state holds for `user_id`.
    fn from_state(inputs: MemberInputs, guild_id: GuildId, user_id: UserId) -> Caller {
        Caller {
            guild_id,
            user_id,
            is_owner: inputs.is_owner,
            everyone: inputs.everyone,
            roles: inputs.roles,
            timed_out: inputs
                .timed_out_until
                .is_some_and(|until| until > Timestamp::now().0),
            guest: inputs.guest,
        }
    }
}

/// The node's state of a guild, knowing `user_id` if they are a member: `None` when either is
/// not there (the caller then asks the store, which has the last word).
async fn kept(
    state: &AppState,
    guild_id: GuildId,
    user_id: UserId,
) -> ApiResult<Option<SharedGuild>> {
    let states = &state.hub.states;
    let Some(shared) = states.guild(guild_id).await? else {
        return Ok(None);
    };
    if !states.meet(guild_id, &shared, user_id).await? {
        return Ok(None);
    }
    Ok(Some(shared))
}

/// The permission inputs of a member (403 50001 for a non-member).
pub async fn caller(state: &AppState, guild_id: GuildId, user_id: UserId) -> ApiResult<Caller> {
    if let Some(shared) = kept(state, guild_id, user_id).await? {
        if let Some(inputs) = lock(&shared).inputs(user_id) {
            return Ok(Caller::from_state(inputs, guild_id, user_id));
        }
    }
    fresh_caller(state, guild_id, user_id).await
}

/// The permission inputs of a member as the store holds them (403 50001 for a non-member).
pub async fn fresh_caller(
    state: &AppState,
    guild_id: GuildId,
    user_id: UserId,
) -> ApiResult<Caller> {
    let input = state
        .store
        .fetch_permission_input(guild_id, user_id)
        .await?
        .ok_or(ApiError::MissingAccess)?;
    Ok(Caller::new(&input, guild_id, user_id))
}

/// A guild the caller is a member of, with their guild-level permissions.
pub async fn guild(
    state: &AppState,
    guild_id: GuildId,
    user_id: UserId,
) -> ApiResult<(Guild, Permissions)> {
    let guild = state
        .store
        .fetch_guild(guild_id)
        .await?
        .ok_or(ApiError::UnknownGuild)?;
    let caller = caller(state, guild_id, user_id).await?;
    Ok((guild, caller.base()))
}

/// A guild channel with its overwrites, as the caller sees it.
#[derive(Debug, Clone)]
pub struct ChannelAccess {
    /// The channel.
    pub channel: Channel,
    /// Its guild.
    pub guild_id: GuildId,
    /// Its permission overwrites (a thread's: its parent's).
    pub overwrites: Vec<db::Overwrite>,
    /// The caller's permissions in it.
    pub perms: Permissions,
    /// The caller's permission inputs (for other channels of the guild).
    pub caller: Caller,
}

/// The caller's member object in a guild, from the node's state (for events that carry it),
/// else from the store.
pub async fn member(
    state: &AppState,
    guild_id: GuildId,
    user_id: UserId,
) -> ApiResult<Option<wire::Member>> {
    if let Some(shared) = kept(state, guild_id, user_id).await? {
        if let Some(m) = lock(&shared).member(user_id) {
            return Ok(Some(m.clone()));
        }
    }
    Ok(state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .map(|m| convert::member(&m, None)))
}

/// A channel the caller may view, with everything known about it (404 10003 unknown; 403 50001
/// when the caller is no member or may not view it). From the node's guild state; what it does
/// not hold is read from the store.
pub async fn channel_access(
    state: &AppState,
    channel_id: ChannelId,
    user_id: UserId,
) -> ApiResult<ChannelAccess> {
    let guild_id = state
        .hub
        .states
        .guild_of_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    if let Some(shared) = kept(state, guild_id, user_id).await? {
        let found = {
            let s = lock(&shared);
            // A thread's permissions are decided by its parent's overwrites.
            let rules = s.thread_parent(channel_id).unwrap_or(channel_id);
            match (
                s.channel_data(channel_id),
                s.channel_data(rules),
                s.inputs(user_id),
            ) {
                (Some(c), Some(r), Some(inputs)) => Some((c.clone(), r.clone(), inputs)),
                _ => None,
            }
        };
        if let Some((c, rules, inputs)) = found {
            let caller = Caller::from_state(inputs, guild_id, user_id);
            return visible(
                channel_row(&c, guild_id),
                guild_id,
                caller,
                overwrite_rows(&rules, guild_id),
            );
        }
    }
    fresh_channel_access(state, channel_id, user_id).await
}

/// [`channel_access`] as the store holds it (for a handler that changes the channel).
pub async fn fresh_channel_access(
    state: &AppState,
    channel_id: ChannelId,
    user_id: UserId,
) -> ApiResult<ChannelAccess> {
    let channel = state
        .store
        .fetch_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let guild_id = channel.guild_id.ok_or(ApiError::UnknownChannel)?;
    let caller = fresh_caller(state, guild_id, user_id).await?;
    let rules = match channel.parent_id {
        Some(parent) if ChannelKind::is_thread(channel.kind) => parent,
        _ => channel_id,
    };
    let overwrites = state.store.fetch_channel_overwrites(rules).await?;
    visible(channel, guild_id, caller, overwrites)
}

/// The access to a channel, unless the caller may not view it. For a thread, `overwrites`
/// are its parent's, and its permissions are [`thread_permissions`] of those.
fn visible(
    channel: Channel,
    guild_id: GuildId,
    caller: Caller,
    overwrites: Vec<db::Overwrite>,
) -> ApiResult<ChannelAccess> {
    let mut perms = caller.in_channel(&overwrites);
    if ChannelKind::is_thread(channel.kind) {
        perms = thread_permissions(perms);
    }
    if !perms.contains(Permissions::VIEW_CHANNEL) {
        return Err(ApiError::MissingAccess);
    }
    Ok(ChannelAccess {
        channel,
        guild_id,
        overwrites,
        perms,
        caller,
    })
}

/// A channel's record from its wire object.
fn channel_row(c: &wire::Channel, guild_id: GuildId) -> Channel {
    Channel {
        id: c.id,
        guild_id: Some(guild_id),
        kind: c.kind,
        name: c.name.clone(),
        topic: c.topic.clone(),
        position: c.position,
        parent_id: c.parent_id,
        nsfw: c.nsfw,
        rate_limit_per_user: c.rate_limit_per_user,
        last_message_id: c.last_message_id,
        created_at: c.id.unix_millis() as i64 * 1000,
    }
}

/// A channel's overwrites as stored rows, from its wire object.
fn overwrite_rows(c: &wire::Channel, guild_id: GuildId) -> Vec<db::Overwrite> {
    c.permission_overwrites
        .iter()
        .map(|o| db::Overwrite {
            channel_id: c.id,
            guild_id,
            target_id: o.id,
            kind: i64::from(o.kind),
            allow: o.allow.0 as i64,
            deny: o.deny.0 as i64,
        })
        .collect()
}

/// A channel the caller may view, with their permissions in it: a guild channel, or a private
/// channel the caller is a recipient of.
pub async fn channel(
    state: &AppState,
    channel_id: ChannelId,
    user_id: UserId,
) -> ApiResult<(Channel, Permissions)> {
    match channel_access(state, channel_id, user_id).await {
        Ok(a) => Ok((a.channel, a.perms)),
        // Not a guild channel: a private one the caller is in, with what recipients may do.
        Err(ApiError::UnknownChannel) => {
            let pc = private::recipient_access(state, channel_id, user_id).await?;
            Ok((pc.channel, private::RECIPIENT_PERMISSIONS))
        }
        Err(e) => Err(e),
    }
}

/// The guild of a guild channel (a private channel has none: 10003).
pub fn guild_of(channel: &Channel) -> ApiResult<GuildId> {
    channel.guild_id.ok_or(ApiError::UnknownChannel)
}

/// The channels of a guild whose messages the caller may read (VIEW_CHANNEL and
/// READ_MESSAGE_HISTORY), from the node's guild state, else from the store (403 50001 for a
/// non-member).
pub async fn readable_channels(
    state: &AppState,
    guild_id: GuildId,
    user_id: UserId,
) -> ApiResult<Vec<ChannelId>> {
    let needed = Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY;
    if let Some(shared) = kept(state, guild_id, user_id).await? {
        let s = lock(&shared);
        if s.inputs(user_id).is_some() {
            return Ok(s
                .channel_ids()
                .filter(|c| s.channel_permissions(user_id, *c).contains(needed))
                .collect());
        }
    }
    let caller = fresh_caller(state, guild_id, user_id).await?;
    let channels = state.store.fetch_guild_channels(guild_id).await?;
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    Ok(channels
        .iter()
        .filter(|c| {
            let mine: Vec<db::Overwrite> = all
                .iter()
                .filter(|o| o.channel_id == c.id)
                .cloned()
                .collect();
            caller.in_channel(&mine).contains(needed)
        })
        .map(|c| c.id)
        .collect())
}

/// Refuses unless `perms` holds every bit of `needed`.
pub fn require(perms: Permissions, needed: Permissions) -> ApiResult<()> {
    if perms.contains(needed) {
        Ok(())
    } else {
        Err(ApiError::MissingPermissions)
    }
}

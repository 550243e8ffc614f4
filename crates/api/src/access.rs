//! Who may do what: membership and permission checks shared by the handlers.
//!
//! Unknown things answer 404 with their code; things that exist but that the caller may not see
//! answer 50001 Missing Access (a channel hidden from the caller by its overwrites included);
//! a visible thing the caller may not change answers 50013.

use hearth_core::permissions::{self, base_permissions, channel_permissions, Member};
use hearth_core::{Permissions, Snowflake, Timestamp};
use hearth_store::{self as db, Channel, Guild, PermissionInput};

use crate::{ApiError, ApiResult, AppState};

/// Stored overwrites as the permission function takes them.
pub fn overwrites(rows: &[db::Overwrite]) -> Vec<permissions::Overwrite> {
    rows.iter()
        .map(|o| permissions::Overwrite {
            id: Snowflake::from_i64(o.target_id),
            kind: if o.kind == 1 {
                permissions::OverwriteKind::Member
            } else {
                permissions::OverwriteKind::Role
            },
            allow: Permissions(o.allow as u64),
            deny: Permissions(o.deny as u64),
        })
        .collect()
}

/// One member's permission inputs, ready for the permission function.
#[derive(Debug, Clone)]
pub struct Caller {
    guild_id: Snowflake,
    user_id: Snowflake,
    is_owner: bool,
    everyone: Permissions,
    roles: Vec<(Snowflake, Permissions)>,
    timed_out: bool,
}

impl Caller {
    /// The inputs the store loaded for `user_id` in `guild_id`.
    pub fn new(input: &PermissionInput, guild_id: Snowflake, user_id: Snowflake) -> Caller {
        Caller {
            guild_id,
            user_id,
            is_owner: input.owner_id == user_id.as_i64(),
            everyone: Permissions(input.everyone as u64),
            roles: input
                .roles
                .iter()
                .map(|(id, p)| (Snowflake::from_i64(*id), Permissions(*p as u64)))
                .collect(),
            timed_out: input
                .timed_out_until
                .is_some_and(|until| until > Timestamp::now().0),
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
pub fn compute(input: &PermissionInput, user_id: Snowflake) -> Permissions {
    Caller::new(input, Snowflake(0), user_id).base()
}

/// The permission inputs of a member (403 50001 for a non-member).
pub async fn caller(
    state: &AppState,
    guild_id: Snowflake,
    user_id: Snowflake,
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
    guild_id: Snowflake,
    user_id: Snowflake,
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
    pub guild_id: Snowflake,
    /// Its permission overwrites.
    pub overwrites: Vec<db::Overwrite>,
    /// The caller's permissions in it.
    pub perms: Permissions,
    /// The caller's permission inputs (for other channels of the guild).
    pub caller: Caller,
}

/// A channel the caller may view, with everything known about it (404 10003 unknown; 403 50001
/// when the caller is no member or may not view it).
pub async fn channel_access(
    state: &AppState,
    channel_id: Snowflake,
    user_id: Snowflake,
) -> ApiResult<ChannelAccess> {
    let channel = state
        .store
        .fetch_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let guild_id = Snowflake::from_i64(channel.guild_id.ok_or(ApiError::UnknownChannel)?);
    let caller = caller(state, guild_id, user_id).await?;
    let overwrites = state.store.fetch_channel_overwrites(channel_id).await?;
    let perms = caller.in_channel(&overwrites);
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

/// A channel the caller may view, with their permissions in it.
pub async fn channel(
    state: &AppState,
    channel_id: Snowflake,
    user_id: Snowflake,
) -> ApiResult<(Channel, Permissions)> {
    let a = channel_access(state, channel_id, user_id).await?;
    Ok((a.channel, a.perms))
}

/// Refuses unless `perms` holds every bit of `needed`.
pub fn require(perms: Permissions, needed: Permissions) -> ApiResult<()> {
    if perms.contains(needed) {
        Ok(())
    } else {
        Err(ApiError::MissingPermissions)
    }
}

//! Who may do what: membership and permission checks shared by the handlers.
//!
//! Unknown things answer 404 with their code; things that exist but that the caller may not see
//! answer 50001 Missing Access; a visible thing the caller may not change answers 50013.

use hearth_core::permissions::{base_permissions, Member};
use hearth_core::{Permissions, Snowflake, Timestamp};
use hearth_store::{Channel, Guild, PermissionInput};

use crate::{ApiError, ApiResult, AppState};

/// The caller's permissions from what the store loaded: a timed-out member keeps only
/// VIEW_CHANNEL and READ_MESSAGE_HISTORY.
pub fn compute(input: &PermissionInput, user_id: Snowflake) -> Permissions {
    let roles: Vec<(Snowflake, Permissions)> = input
        .roles
        .iter()
        .map(|p| (Snowflake(0), Permissions(*p as u64)))
        .collect();
    base_permissions(&Member {
        guild_id: Snowflake(0),
        user_id,
        is_owner: input.owner_id == user_id.as_i64(),
        everyone: Permissions(input.everyone as u64),
        roles: &roles,
        timed_out: input
            .timed_out_until
            .is_some_and(|until| until > Timestamp::now().0),
    })
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
    let input = state
        .store
        .fetch_permission_input(guild_id, user_id)
        .await?
        .ok_or(ApiError::MissingAccess)?;
    Ok((guild, compute(&input, user_id)))
}

/// A channel the caller may view, with their permissions in it.
pub async fn channel(
    state: &AppState,
    channel_id: Snowflake,
    user_id: Snowflake,
) -> ApiResult<(Channel, Permissions)> {
    let channel = state
        .store
        .fetch_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let guild_id = channel.guild_id.ok_or(ApiError::UnknownChannel)?;
    let input = state
        .store
        .fetch_permission_input(Snowflake::from_i64(guild_id), user_id)
        .await?
        .ok_or(ApiError::MissingAccess)?;
    let perms = compute(&input, user_id);
    if !perms.contains(Permissions::VIEW_CHANNEL) {
        return Err(ApiError::MissingAccess);
    }
    Ok((channel, perms))
}

/// Refuses unless `perms` holds every bit of `needed`.
pub fn require(perms: Permissions, needed: Permissions) -> ApiResult<()> {
    if perms.contains(needed) {
        Ok(())
    } else {
        Err(ApiError::MissingPermissions)
    }
}

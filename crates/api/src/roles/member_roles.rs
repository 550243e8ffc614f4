//! `/guilds/{id}/members/{user}/roles/{role}`: giving a role to a member and taking it away,
//! under MANAGE_ROLES and the role hierarchy, with audit log entries.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::{GuildId, RoleId, UserId};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actor::Actor;
use crate::change::Change;
use crate::extract::{Auth, Path};
use crate::journal::{self, action, changed, Reason};
use crate::{convert, events, ApiError, ApiResult, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(add_member_role, remove_member_role))
}

/// Gives a role (below the caller's highest, not a bot's own) to a member.
#[utoipa::path(put, path = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", tag = "roles",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path), ("role_id" = RoleId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn add_member_role(
    state: State<AppState>,
    auth: Auth,
    reason: Reason,
    path: Path<(GuildId, UserId, RoleId)>,
) -> ApiResult<StatusCode> {
    member_role(state, auth, reason, path, true).await
}

/// Takes a role (below the caller's highest, not a bot's own) from a member.
#[utoipa::path(delete, path = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", tag = "roles",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path), ("role_id" = RoleId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_member_role(
    state: State<AppState>,
    auth: Auth,
    reason: Reason,
    path: Path<(GuildId, UserId, RoleId)>,
) -> ApiResult<StatusCode> {
    member_role(state, auth, reason, path, false).await
}

async fn member_role(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, user_id, role_id)): Path<(GuildId, UserId, RoleId)>,
    add: bool,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?.manager()?;
    let role = actor.role(role_id)?.clone();
    if role.id.is_everyone_of(guild_id) {
        return Err(ApiError::UnknownRole);
    }
    if role.managed {
        return Err(ApiError::MissingPermissions);
    }
    actor.manageable(&role)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let done = if add {
        state
            .store
            .insert_member_role(guild_id, user_id, role_id)
            .await?
    } else {
        state
            .store
            .delete_member_role(guild_id, user_id, role_id)
            .await?
    };
    if !done {
        return Ok(StatusCode::NO_CONTENT);
    }
    let member = state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    let wire = convert::member(&member, Some(&user));
    change.publish(events::member_update(guild_id, wire));
    let key = if add { "$add" } else { "$remove" };
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(user_id.snowflake()),
        action: action::MEMBER_ROLE_UPDATE,
        changes: vec![changed(
            key,
            None,
            Some(json!([{ "id": role_id, "name": role.name }])),
        )],
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/users`: the caller, other users, the caller's guilds.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{GuildId, UserId};
use hearth_protocol::objects::{CurrentUser, PartialGuild, UserProfile};
use hearth_protocol::requests::{ModifyCurrentUser, UserGuildsQuery};
use hearth_store::{StoreError, UserPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::error::username_taken;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::{access, convert, events, ApiError, ApiResult, AppState};
use hearth_protocol::events::Event;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, modify_me))
        .routes(routes!(get_user))
        .routes(routes!(my_guilds))
        .routes(routes!(leave_guild))
}

/// The caller.
#[utoipa::path(get, path = "/users/@me", tag = "users",
    responses((status = 200, body = CurrentUser), (status = 401, body = hearth_protocol::ErrorBody)))]
async fn get_me(auth: Auth) -> axum::Json<CurrentUser> {
    axum::Json(convert::current_user(&auth.user))
}

/// Changes the caller's username or display name.
#[utoipa::path(patch, path = "/users/@me", tag = "users", operation_id = "modify_current_user", request_body = ModifyCurrentUser,
    responses((status = 200, body = CurrentUser), (status = 400, body = hearth_protocol::ErrorBody), (status = 401, body = hearth_protocol::ErrorBody)))]
async fn modify_me(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<ModifyCurrentUser>,
) -> ApiResult<axum::Json<CurrentUser>> {
    let mut errs = errors();
    if let Some(name) = &body.username {
        if auth.user.bot {
            errs.check("username", names::validate_application_name(name));
        } else {
            errs.check("username", names::validate_username(name));
        }
    }
    if let Some(Some(g)) = &body.global_name {
        errs.check("global_name", names::validate_global_name(g));
    }
    errs.into_result()?;
    let patch = UserPatch {
        username: body.username.map(|u| u.trim().to_owned()),
        global_name: body.global_name.map(|g| g.map(|g| g.trim().to_owned())),
    };
    match state.store.update_user(auth.id(), &patch).await {
        Ok(Some(u)) => {
            let me = convert::current_user(&u);
            state.publish(Event::UserUpdate(Box::new(me.clone())));
            Ok(axum::Json(me))
        }
        Ok(None) => Err(ApiError::Unauthorized),
        Err(StoreError::Conflict(_)) => Err(username_taken()),
        Err(e) => Err(e.into()),
    }
}

/// Any user, by id; with when they were last seen (extension) for a caller who shares a guild
/// with them or is their friend.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users", params(("user_id" = UserId, Path)),
    responses((status = 200, body = UserProfile), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<UserId>,
) -> ApiResult<axum::Json<UserProfile>> {
    let u = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownUser)?;
    let last_seen_at = if !u.bot && state.store.knows_of(auth.id(), user_id).await? {
        state.store.fetch_last_seen(user_id).await?
    } else {
        None
    };
    Ok(axum::Json(UserProfile {
        user: convert::user(&u),
        last_seen_at,
    }))
}

/// The caller's guilds, by ascending id (`limit` 1-200, default 200).
#[utoipa::path(get, path = "/users/@me/guilds", tag = "users", params(UserGuildsQuery),
    responses((status = 200, body = Vec<PartialGuild>), (status = 400, body = hearth_protocol::ErrorBody)))]
async fn my_guilds(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UserGuildsQuery>,
) -> ApiResult<axum::Json<Vec<PartialGuild>>> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 200."),
        ));
    }
    let guilds = state
        .store
        .fetch_user_guilds(auth.id(), q.before, q.after, limit)
        .await?;
    let mut out = Vec::with_capacity(guilds.len());
    for g in &guilds {
        let gid = g.id;
        let Some(input) = state.store.fetch_permission_input(gid, auth.id()).await? else {
            continue; // left between the two reads
        };
        let counts = if q.with_counts == Some(true) {
            Some((
                state.store.count_members(gid).await?,
                state.hub.online_count(gid).await?,
            ))
        } else {
            None
        };
        out.push(convert::partial_guild(
            g,
            auth.id(),
            access::compute(&input, auth.id()),
            counts,
        ));
    }
    Ok(axum::Json(out))
}

/// Leaves a guild. The owner cannot leave (transfer or delete it instead), nor anyone the
/// instance's primary guild.
#[utoipa::path(delete, path = "/users/@me/guilds/{guild_id}", tag = "users", params(("guild_id" = GuildId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn leave_guild(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let guild = state
        .store
        .fetch_guild(guild_id)
        .await?
        .ok_or(ApiError::UnknownGuild)?;
    // The owner cannot leave; nobody leaves the instance's primary guild.
    if guild.owner_id == auth.user.id || state.config.primary_guild == Some(guild_id) {
        return Err(ApiError::InvalidGuild);
    }
    if !state.store.delete_member(guild_id, auth.id()).await? {
        return Err(ApiError::UnknownGuild);
    }
    change.publish(events::member_remove(guild_id, convert::user(&auth.user)));
    change.publish(events::guild_lost(auth.id(), guild_id));
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

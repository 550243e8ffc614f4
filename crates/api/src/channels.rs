//! `/channels/{id}`: read, modify and delete a channel.

use axum::extract::State;
use hearth_core::names;
use hearth_core::{Permissions, Snowflake};
use hearth_protocol::objects::Channel;
use hearth_protocol::requests::ModifyChannel;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{errors, Auth, Json, Path};
use crate::guilds::{check_channel_fields, check_parent, TEXT};
use crate::{access, convert, events, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_channel, modify_channel, delete_channel))
}

/// A channel the caller may view.
#[utoipa::path(get, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = Snowflake, Path)),
    responses((status = 200, body = Channel), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
) -> ApiResult<axum::Json<Channel>> {
    let (channel, _) = access::channel(&state, channel_id, auth.id()).await?;
    Ok(axum::Json(convert::channel(&channel)))
}

/// Changes a channel's name, topic, position, parent, nsfw flag or slow mode (MANAGE_CHANNELS).
#[utoipa::path(patch, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = Snowflake, Path)), request_body = ModifyChannel,
    responses((status = 200, body = Channel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
    Json(body): Json<ModifyChannel>,
) -> ApiResult<axum::Json<Channel>> {
    let (first, _) = access::channel(&state, channel_id, auth.id()).await?;
    let guild_id = first.guild_id.ok_or(ApiError::UnknownChannel)?;
    // Read, change and write under the guild's lock (channel changes are ordered per guild).
    let _order = state.order.lock(Snowflake::from_i64(guild_id)).await;
    let (mut channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_CHANNELS)?;
    let mut errs = errors();
    check_channel_fields(
        &mut errs,
        body.name.as_deref(),
        body.topic.as_ref().and_then(|t| t.as_deref()),
        body.rate_limit_per_user.flatten(),
        body.permission_overwrites.as_ref(),
    );
    if let Some(parent) = body.parent_id {
        check_parent(&state, &mut errs, guild_id, channel.kind, parent).await?;
        if parent == Some(channel_id) {
            errs.add(
                "parent_id",
                names::FieldError::new(
                    "CHANNEL_PARENT_INVALID",
                    "A channel cannot be its own parent.",
                ),
            );
        }
    }
    errs.into_result()?;
    if let Some(name) = body.name {
        channel.name = Some(if channel.kind == TEXT {
            names::normalize_text_channel_name(&name)
        } else {
            name.trim().to_owned()
        });
    }
    if let Some(topic) = body.topic {
        if channel.kind == TEXT {
            channel.topic = topic;
        }
    }
    if let Some(p) = body.position {
        channel.position = p.unwrap_or(0);
    }
    if let Some(parent) = body.parent_id {
        channel.parent_id = parent.map(Snowflake::as_i64);
    }
    if let Some(nsfw) = body.nsfw {
        channel.nsfw = nsfw;
    }
    if let Some(r) = body.rate_limit_per_user {
        channel.rate_limit_per_user = r.unwrap_or(0);
    }
    let channel = state
        .store
        .update_channel(&channel)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let out = convert::channel(&channel);
    state.publish_all(events::channel("CHANNEL_UPDATE", &out));
    Ok(axum::Json(out))
}

/// Deletes a channel with its messages and invites (MANAGE_CHANNELS); answers the deleted
/// channel. Deleting a category keeps its channels, without parent.
#[utoipa::path(delete, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = Snowflake, Path)),
    responses((status = 200, body = Channel), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
) -> ApiResult<axum::Json<Channel>> {
    let (first, _) = access::channel(&state, channel_id, auth.id()).await?;
    let guild_id = first.guild_id.ok_or(ApiError::UnknownChannel)?;
    let _order = state.order.lock(Snowflake::from_i64(guild_id)).await;
    let (_, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_CHANNELS)?;
    let children: Vec<i64> = state
        .store
        .fetch_guild_channels(Snowflake::from_i64(guild_id))
        .await?
        .iter()
        .filter(|c| c.parent_id == Some(channel_id.as_i64()))
        .map(|c| c.id)
        .collect();
    let channel = state
        .store
        .delete_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let out = convert::channel(&channel);
    state.publish_all(events::channel("CHANNEL_DELETE", &out));
    // A deleted category's channels stay, without parent: each changed.
    for child in state
        .store
        .fetch_guild_channels(Snowflake::from_i64(guild_id))
        .await?
    {
        if children.contains(&child.id) {
            state.publish_all(events::channel("CHANNEL_UPDATE", &convert::channel(&child)));
        }
    }
    Ok(axum::Json(out))
}

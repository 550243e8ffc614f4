//! Channel permission overwrites: `PUT` / `DELETE /channels/{id}/permissions/{overwrite_id}`,
//! the `permission_overwrites` of channel bodies, and category sync.
//!
//! Changing overwrites takes MANAGE_ROLES in the channel, and only bits the caller holds there
//! may change (the owner and administrators hold them all). A channel is "in sync" with its
//! category while their overwrites are equal: a change to the category's overwrites carries over
//! to the channels in sync with it, a channel created in a category without overwrites of its
//! own starts with the category's, and `lock_permissions` with a new `parent_id` takes the new
//! category's.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::{ChannelId, Permissions, Snowflake};
use hearth_protocol::requests::OverwriteBody;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{errors, Auth, Json, Path};
use crate::journal::Reason;
use crate::overwrite_rules::{
    audit_overwrite, check_grant, check_one, find, publish_change, role_ids,
};
use crate::{access, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_overwrite, delete_overwrite))
}

/// Sets the permission overwrite of a role or member in a channel (MANAGE_ROLES in the channel;
/// only bits the caller holds there may change). A category's change carries over to the
/// channels in sync with it. `X-Audit-Log-Reason` is recorded.
#[utoipa::path(put, path = "/channels/{channel_id}/permissions/{overwrite_id}", tag = "channels",
    params(("channel_id" = ChannelId, Path), ("overwrite_id" = Snowflake, Path, description = "role or user id")), request_body = OverwriteBody,
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn put_overwrite(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((channel_id, target)): Path<(ChannelId, Snowflake)>,
    Json(body): Json<OverwriteBody>,
) -> ApiResult<StatusCode> {
    let first = access::channel_access(&state, channel_id, auth.id()).await?;
    let mut change = Change::begin(&state, first.guild_id).await;
    let a = access::fresh_channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::MANAGE_ROLES)?;
    let mut errs = errors();
    let roles = role_ids(&state, a.guild_id).await?;
    let checked = check_one(
        &state,
        &mut errs,
        "",
        (a.guild_id, &roles),
        Some(target),
        &body,
    )
    .await?;
    errs.into_result()?;
    let Some((target_id, kind, allow, deny)) = checked else {
        return Err(ApiError::InvalidFormBody("Invalid overwrite.".into()));
    };
    let new = db::Overwrite {
        channel_id,
        guild_id: a.guild_id,
        target_id,
        kind,
        allow,
        deny,
    };
    let before = find(&a.overwrites, target_id).cloned();
    let mut after: Vec<db::Overwrite> = a
        .overwrites
        .iter()
        .filter(|o| o.target_id != target_id)
        .cloned()
        .collect();
    after.push(new.clone());
    check_grant(a.perms | a.caller.base(), &a.overwrites, &after)?;
    if before.as_ref() == Some(&new) {
        return Ok(StatusCode::NO_CONTENT);
    }
    state.store.put_overwrite(&new).await?;
    let stored = state.store.fetch_channel_overwrites(channel_id).await?;
    publish_change(&mut change, &a.channel, &a.overwrites, &stored).await?;
    audit_overwrite(
        &mut change,
        &auth,
        &reason,
        &a.channel,
        before.as_ref(),
        Some(&new),
    )
    .await?;
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the permission overwrite of a role or member from a channel (MANAGE_ROLES in the
/// channel; only bits the caller holds there may change). Removing one that does not exist
/// changes nothing and answers 204 too.
#[utoipa::path(delete, path = "/channels/{channel_id}/permissions/{overwrite_id}", tag = "channels",
    params(("channel_id" = ChannelId, Path), ("overwrite_id" = Snowflake, Path, description = "role or user id")),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_overwrite(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((channel_id, target)): Path<(ChannelId, Snowflake)>,
) -> ApiResult<StatusCode> {
    let first = access::channel_access(&state, channel_id, auth.id()).await?;
    let mut change = Change::begin(&state, first.guild_id).await;
    let a = access::fresh_channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::MANAGE_ROLES)?;
    let Some(before) = find(&a.overwrites, target).cloned() else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let after: Vec<db::Overwrite> = a
        .overwrites
        .iter()
        .filter(|o| o.target_id != target)
        .cloned()
        .collect();
    check_grant(a.perms | a.caller.base(), &a.overwrites, &after)?;
    if state.store.delete_overwrite(channel_id, target).await? {
        publish_change(&mut change, &a.channel, &a.overwrites, &after).await?;
        audit_overwrite(&mut change, &auth, &reason, &a.channel, Some(&before), None).await?;
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

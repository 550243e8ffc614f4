//! `/channels/{id}`: read, modify and delete a channel.

use axum::extract::State;
use hearth_core::{names, ChannelId};
use hearth_core::{ChannelKind, MessageType, Permissions};
use hearth_protocol::events::{Event, PrivateEvent};
use hearth_protocol::objects::{AnyChannel, PrivateChannel};
use hearth_protocol::requests::ModifyChannel;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::channel_rules::{self, check_channel_fields, check_parent};
use crate::extract::{errors, Auth, Json, Path};
use crate::journal::Reason;
use crate::{
    access, convert, overwrite_rules, posting, private, thread_rules, workspace, ApiError,
    ApiResult, AppState,
};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_channel, modify_channel, delete_channel))
}

/// A channel the caller may view: a guild channel with its permission overwrites, or a DM or
/// group DM the caller is in.
#[utoipa::path(get, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = AnyChannel), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<axum::Json<AnyChannel>> {
    match access::fresh_channel_access(&state, channel_id, auth.id()).await {
        Ok(a) if ChannelKind::is_thread(a.channel.kind) => {
            let (_, t) = thread_rules::thread_access(&state, channel_id, auth.id()).await?;
            Ok(axum::Json(AnyChannel::Guild(thread_rules::object(&t))))
        }
        Ok(a) => {
            let mut c = convert::channel(&a.channel, &a.overwrites);
            workspace::add_counters(&state, a.guild_id, std::slice::from_mut(&mut c)).await?;
            Ok(axum::Json(AnyChannel::Guild(c)))
        }
        Err(ApiError::UnknownChannel) => {
            let pc = private::recipient_access(&state, channel_id, auth.id()).await?;
            let users = private::users(&state, &pc).await?;
            Ok(axum::Json(AnyChannel::Private(private::view(
                &pc,
                auth.id(),
                &users,
            ))))
        }
        Err(e) => Err(e),
    }
}

/// Leaving a group DM by deleting it (a DM cannot be deleted: 50003); answers it as it was.
async fn leave_private(
    state: &AppState,
    channel_id: ChannelId,
    caller: hearth_core::UserId,
) -> ApiResult<AnyChannel> {
    let mut change = Change::begin(state, channel_id).await;
    let pc = private::recipient_access(state, channel_id, caller).await?;
    if pc.channel.kind != i64::from(ChannelKind::GroupDm) {
        return Err(ApiError::DmChannel);
    }
    let users = private::users(state, &pc).await?;
    private::leave(state, &mut change, &pc, caller).await?;
    change.done().await?;
    Ok(AnyChannel::Private(private::view(&pc, caller, &users)))
}

/// Renames a group DM (any of its recipients may; an empty name clears it): CHANNEL_UPDATE to
/// every recipient. A DM has no name (50003). Without `name`, nothing changes.
async fn rename_group(
    state: &AppState,
    channel_id: ChannelId,
    caller: hearth_core::UserId,
    name: Option<&str>,
) -> ApiResult<PrivateChannel> {
    let mut change = Change::begin(state, channel_id).await;
    let pc = private::recipient_access(state, channel_id, caller).await?;
    if pc.channel.kind != i64::from(ChannelKind::GroupDm) {
        return Err(ApiError::DmChannel);
    }
    let Some(name) = name.map(str::trim) else {
        let users = private::users(state, &pc).await?;
        return Ok(private::view(&pc, caller, &users));
    };
    if name.chars().count() > 100 {
        let mut errs = errors();
        errs.add(
            "name",
            names::FieldError::new(
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ),
        );
        errs.into_result()?;
    }
    let after = state
        .store
        .update_group_dm_name(channel_id, Some(name).filter(|n| !n.is_empty()))
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let users = private::users(state, &after).await?;
    private::publish(&mut change, &after.recipients, |user| {
        PrivateEvent::ChannelUpdate(Box::new(private::view(&after, user, &users)))
    });
    change.done().await?;
    // As on Discord, the rename shows in the conversation: type 4, the new name as content.
    if let Some(me) = users.get(&caller) {
        posting::post_system(
            state,
            &after.channel,
            me,
            MessageType::ChannelNameChange,
            name.to_owned(),
        )
        .await?;
    }
    Ok(private::view(&after, caller, &users))
}

/// The overwrites a channel change asks for: the list given, or with `lock_permissions` and a
/// new parent, the parent's (None: unchanged).
async fn wanted_overwrites(
    state: &AppState,
    errs: &mut crate::error::FormErrors,
    a: &access::ChannelAccess,
    body: &ModifyChannel,
) -> ApiResult<Option<Vec<db::Overwrite>>> {
    let id = a.channel.id;
    if let Some(list) = &body.permission_overwrites {
        return Ok(Some(
            overwrite_rules::check_list(state, errs, a.guild_id, id, list).await?,
        ));
    }
    match (body.lock_permissions, body.parent_id) {
        (Some(true), Some(Some(parent))) => {
            let theirs = state.store.fetch_channel_overwrites(parent).await?;
            Ok(Some(overwrite_rules::copied(&theirs, id)))
        }
        _ => Ok(None),
    }
}

/// A channel with the fields of a change applied (a topic only on a text channel, whose name
/// is normalized).
fn changed(before: &db::Channel, body: ModifyChannel) -> db::Channel {
    let mut channel = before.clone();
    let text = channel.kind == i64::from(ChannelKind::GuildText);
    if let Some(name) = body.name {
        channel.name = Some(if text {
            names::normalize_text_channel_name(&name)
        } else {
            name.trim().to_owned()
        });
    }
    if let Some(topic) = body.topic {
        if text {
            channel.topic = topic;
        }
    }
    if let Some(p) = body.position {
        channel.position = p.unwrap_or(0);
    }
    if let Some(parent) = body.parent_id {
        channel.parent_id = parent;
    }
    if let Some(nsfw) = body.nsfw {
        channel.nsfw = nsfw;
    }
    if let Some(r) = body.rate_limit_per_user {
        channel.rate_limit_per_user = r.unwrap_or(0);
    }
    channel
}

/// Changes a channel's name, topic, position, parent, nsfw flag, slow mode (MANAGE_CHANNELS)
/// or permission overwrites (also MANAGE_ROLES; only bits the caller holds may change).
#[utoipa::path(patch, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = ChannelId, Path)), request_body = ModifyChannel,
    responses((status = 200, body = AnyChannel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_channel(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<ModifyChannel>,
) -> ApiResult<axum::Json<AnyChannel>> {
    let first = match access::channel_access(&state, channel_id, auth.id()).await {
        Err(ApiError::UnknownChannel) => {
            return Ok(axum::Json(AnyChannel::Private(
                rename_group(&state, channel_id, auth.id(), body.name.as_deref()).await?,
            )))
        }
        r => r?,
    };
    if ChannelKind::is_thread(first.channel.kind) {
        let name = body.name.as_deref();
        let out = thread_rules::modify(&state, auth.id(), channel_id, name, &body.thread).await?;
        return Ok(axum::Json(AnyChannel::Guild(out)));
    }
    // Read, change and write under the guild's lock (channel changes are ordered per guild).
    let mut change = Change::begin(&state, first.guild_id).await;
    let a = access::fresh_channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::MANAGE_CHANNELS)?;
    let guild_id = a.guild_id;
    let mut errs = errors();
    check_channel_fields(
        &mut errs,
        body.name.as_deref(),
        body.topic.as_ref().and_then(|t| t.as_deref()),
        body.rate_limit_per_user.flatten(),
        body.position.flatten(),
    );
    if let Some(parent) = body.parent_id {
        check_parent(&state, &mut errs, guild_id, a.channel.kind, parent).await?;
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
    let wanted = wanted_overwrites(&state, &mut errs, &a, &body).await?;
    errs.into_result()?;
    let wanted = wanted.filter(|w| !overwrite_rules::same(w, &a.overwrites));
    if let Some(w) = &wanted {
        access::require(a.perms, Permissions::MANAGE_ROLES)?;
        overwrite_rules::check_grant(a.perms | a.caller.base(), &a.overwrites, w)?;
    }
    let channel = changed(&a.channel, body);
    let (channel, stored) = state
        .store
        .update_channel_with_overwrites(&channel, wanted.as_deref())
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let out = convert::channel(&channel, &stored);
    change.publish(Event::ChannelUpdate(Box::new(out.clone())));
    if channel.kind == i64::from(ChannelKind::GuildCategory) {
        for child in
            overwrite_rules::sync_children(&state, &channel, &a.overwrites, &stored).await?
        {
            change.publish(Event::ChannelUpdate(Box::new(child)));
        }
    }
    channel_rules::audit_channel(
        &mut change,
        auth.id(),
        &reason,
        Some(&a.channel),
        Some(&channel),
    );
    overwrite_rules::audit_list_change(
        &mut change,
        &auth,
        &reason,
        &channel,
        &a.overwrites,
        &stored,
    )
    .await?;
    change.done().await?;
    Ok(axum::Json(AnyChannel::Guild(out)))
}

/// Deletes a channel with its messages, overwrites and invites (MANAGE_CHANNELS); answers the
/// deleted channel. Deleting a category keeps its channels, without parent. For a group DM:
/// the caller leaves it.
#[utoipa::path(delete, path = "/channels/{channel_id}", tag = "channels", params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = AnyChannel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_channel(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<axum::Json<AnyChannel>> {
    let first = match access::channel_access(&state, channel_id, auth.id()).await {
        Err(ApiError::UnknownChannel) => {
            return Ok(axum::Json(
                leave_private(&state, channel_id, auth.id()).await?,
            ))
        }
        other => other?,
    };
    if ChannelKind::is_thread(first.channel.kind) {
        let out = thread_rules::delete(&state, auth.id(), channel_id).await?;
        return Ok(axum::Json(AnyChannel::Guild(out)));
    }
    let guild_id = first.guild_id;
    let mut change = Change::begin(&state, guild_id).await;
    let a = access::fresh_channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::MANAGE_CHANNELS)?;
    let children: Vec<ChannelId> = state
        .store
        .fetch_guild_channels(guild_id)
        .await?
        .iter()
        .filter(|c| c.parent_id == Some(channel_id))
        .map(|c| c.id)
        .collect();
    let channel = state
        .store
        .delete_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let out = convert::channel(&channel, &a.overwrites);
    change.publish(Event::ChannelDelete(Box::new(out.clone())));
    // A deleted category's channels stay, without parent: each changed.
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    for child in state.store.fetch_guild_channels(guild_id).await? {
        if children.contains(&child.id) {
            change.publish(Event::ChannelUpdate(Box::new(convert::channel(
                &child, &all,
            ))));
        }
    }
    channel_rules::audit_channel(&mut change, auth.id(), &reason, Some(&channel), None);
    change.done().await?;
    Ok(axum::Json(AnyChannel::Guild(out)))
}

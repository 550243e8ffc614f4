//! `/guilds/{guild_id}/channels`: a guild's channel list: read it (the channels the caller
//! may view), create a channel, move channels.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{positions, ChannelId, GuildId};
use hearth_core::{ChannelKind, Permissions, Timestamp};
use hearth_protocol::events::Event;
use hearth_protocol::objects::Channel;
use hearth_protocol::requests::{ChannelPosition, ChannelPositions, CreateChannel};
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::channel_rules::{self, check_channel_fields, check_parent};
use crate::extract::{errors, Auth, Json, JsonList, Path};
use crate::journal::Reason;
use crate::{access, convert, overwrite_rules, workspace, ApiError, ApiResult, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_channels, create_channel, reorder_channels))
}

/// A guild's channels, by position.
#[utoipa::path(get, path = "/guilds/{guild_id}/channels", tag = "channels", params(("guild_id" = GuildId, Path)),
    responses((status = 200, body = Vec<Channel>), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_channels(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<axum::Json<Vec<Channel>>> {
    state
        .store
        .fetch_guild(guild_id)
        .await?
        .ok_or(ApiError::UnknownGuild)?;
    let caller = access::caller(&state, guild_id, auth.id()).await?;
    let channels = state.store.fetch_guild_channels(guild_id).await?;
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    // Only the channels the caller may view: the others do not exist for them.
    let mut visible: Vec<Channel> = channels
        .iter()
        .filter_map(|c| {
            let mine: Vec<db::Overwrite> = all
                .iter()
                .filter(|o| o.channel_id == c.id)
                .cloned()
                .collect();
            caller
                .in_channel(&mine)
                .contains(Permissions::VIEW_CHANNEL)
                .then(|| convert::channel(c, &mine))
        })
        .collect();
    workspace::add_counters(&state, guild_id, &mut visible).await?;
    Ok(axum::Json(visible))
}

/// Creates a text (0) or category (4) channel (MANAGE_CHANNELS). Text channel names are
/// stored lowercase with dashes for spaces.
#[utoipa::path(post, path = "/guilds/{guild_id}/channels", tag = "channels", params(("guild_id" = GuildId, Path)), request_body = CreateChannel,
    responses((status = 201, body = Channel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn create_channel(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<CreateChannel>,
) -> ApiResult<(StatusCode, axum::Json<Channel>)> {
    let mut change = Change::begin(&state, guild_id).await;
    let (guild, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_CHANNELS)?;
    let kind = body.kind.unwrap_or(ChannelKind::GuildText);
    let text = kind == ChannelKind::GuildText;
    let mut errs = errors();
    if !matches!(kind, ChannelKind::GuildText | ChannelKind::GuildCategory) {
        errs.add(
            "type",
            FieldError::new("BASE_TYPE_CHOICES", "Value must be one of (0, 4)."),
        );
    }
    check_channel_fields(
        &mut errs,
        Some(&body.name),
        body.topic.as_deref(),
        body.rate_limit_per_user,
        body.position,
    );
    check_parent(&state, &mut errs, guild.id, kind.into(), body.parent_id).await?;
    let id = ChannelId(state.ids.next());
    let given = match &body.permission_overwrites {
        Some(list) => {
            Some(overwrite_rules::check_list(&state, &mut errs, guild_id, id, list).await?)
        }
        None => None,
    };
    errs.into_result()?;
    let parent_overwrites = match body.parent_id {
        Some(p) => state.store.fetch_channel_overwrites(p).await?,
        None => Vec::new(),
    };
    // Without overwrites of its own (none given, or an empty list, as discord.py always sends
    // one), a channel starts in sync with its category.
    let list = match given {
        Some(list) if !list.is_empty() => {
            // Only bits the caller holds in the guild or the category may be granted or denied.
            let caller = access::caller(&state, guild_id, auth.id()).await?;
            let there = caller.base() | caller.in_channel(&parent_overwrites);
            access::require(perms, Permissions::MANAGE_ROLES)?;
            overwrite_rules::check_grant(there, &[], &list)?;
            list
        }
        _ => overwrite_rules::copied(&parent_overwrites, id),
    };
    let position = match body.position {
        Some(p) => p,
        None => {
            let existing = state.store.fetch_guild_channels(guild_id).await?;
            positions::next_position(
                existing
                    .iter()
                    .filter(|c| c.kind == i64::from(kind))
                    .map(|c| c.position),
            )
        }
    };
    let name = if text {
        names::normalize_text_channel_name(&body.name)
    } else {
        body.name.trim().to_owned()
    };
    let channel = db::Channel {
        id,
        guild_id: Some(guild.id),
        kind: kind.into(),
        name: Some(name),
        topic: if text { body.topic } else { None },
        position,
        parent_id: body.parent_id,
        nsfw: body.nsfw.unwrap_or(false),
        rate_limit_per_user: body.rate_limit_per_user.unwrap_or(0),
        last_message_id: None,
        created_at: Timestamp::now().0,
    };
    state
        .store
        .insert_channel_with_overwrites(&channel, &list)
        .await?;
    let stored = state.store.fetch_channel_overwrites(id).await?;
    let out = convert::channel(&channel, &stored);
    change.publish(Event::ChannelCreate(Box::new(out.clone())));
    channel_rules::audit_channel(&mut change, auth.id(), &reason, None, Some(&channel));
    overwrite_rules::audit_list_change(&mut change, &auth, &reason, &channel, &[], &stored).await?;
    change.done().await?;
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// Moves channels: new positions and parents, in one transaction (MANAGE_CHANNELS).
#[utoipa::path(patch, path = "/guilds/{guild_id}/channels", tag = "channels", params(("guild_id" = GuildId, Path)), request_body = ChannelPositions,
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn reorder_channels(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    JsonList(body): JsonList<ChannelPosition>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_CHANNELS)?;
    let channels = state.store.fetch_guild_channels(guild_id).await?;
    let mut errs = errors();
    if body.is_empty() || body.len() > 500 {
        return Err(ApiError::InvalidFormBody(
            "Must list between 1 and 500 channels.".into(),
        ));
    }
    for (i, p) in body.iter().enumerate() {
        let Some(c) = channels.iter().find(|c| c.id == p.id) else {
            errs.add(
                &format!("{i}.id"),
                FieldError::new("CHANNEL_INVALID", "Unknown channel of this guild."),
            );
            continue;
        };
        if let Some(Some(position)) = p.position {
            errs.check(
                &format!("{i}.position"),
                positions::check_channel_position(position),
            );
        }
        if let Some(Some(parent)) = p.parent_id {
            let category = i64::from(ChannelKind::GuildCategory);
            let ok = c.kind != category
                && channels
                    .iter()
                    .any(|x| x.id == parent && x.kind == category);
            if !ok {
                errs.add(
                    &format!("{i}.parent_id"),
                    FieldError::new("CHANNEL_PARENT_INVALID", "Not a category of this guild."),
                );
            }
        }
    }
    errs.into_result()?;
    let moves: Vec<db::ChannelMove> = body
        .iter()
        .map(|p| db::ChannelMove {
            id: p.id,
            position: p.position.flatten(),
            parent_id: p.parent_id,
        })
        .collect();
    // `lock_permissions` with a new parent: the channel takes the category's overwrites.
    let mut syncs = Vec::new();
    for p in body.iter().filter(|p| p.lock_permissions == Some(true)) {
        if let Some(Some(parent)) = p.parent_id {
            syncs.push((p.id, parent));
        }
    }
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    let of = |c: ChannelId| -> Vec<db::Overwrite> {
        all.iter().filter(|o| o.channel_id == c).cloned().collect()
    };
    if !syncs.is_empty() {
        access::require(perms, Permissions::MANAGE_ROLES)?;
        for (c, parent) in &syncs {
            let wanted = overwrite_rules::copied(&of(*parent), *c);
            overwrite_rules::check_grant(perms, &of(*c), &wanted)?;
        }
    }
    let mut changed = state
        .store
        .update_channel_positions(guild_id, &moves)
        .await?;
    for (c, parent) in &syncs {
        let wanted = overwrite_rules::copied(&of(*parent), *c);
        state
            .store
            .replace_overwrites(*c, guild_id, &wanted)
            .await?;
        if !changed.iter().any(|x| x.id == *c) {
            if let Some(ch) = state.store.fetch_channel(*c).await? {
                changed.push(ch);
            }
        }
    }
    let all = state.store.fetch_guild_overwrites(guild_id).await?;
    for c in changed {
        change.publish(Event::ChannelUpdate(Box::new(convert::channel(&c, &all))));
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

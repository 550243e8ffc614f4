//! `/channels/{id}/retention` and `/guilds/{id}/retention` (hearth's extension): secret
//! channels and how long messages are kept. The purge itself is [`crate::expiry`]'s.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, GuildId, Permissions, Timestamp};
use hearth_protocol::retention::{
    ChannelRetention, GuildRetention, ModifyChannelRetention, ModifyGuildRetention,
    MAX_RETENTION_DAYS,
};
use hearth_store as db;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Json, Path};
use crate::journal::{self, Reason};
use crate::{access, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_channel_retention, modify_channel_retention))
        .routes(routes!(get_guild_retention, modify_guild_retention))
}

/// Checks a number of days (1-36500), or null.
fn check_days(errs: &mut FormErrors, days: Option<i64>) {
    if days.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
        errs.add(
            "retention_days",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 36500."),
        );
    }
}

/// A channel's rules as shown, with its guild's retention.
async fn render(
    state: &AppState,
    channel: &db::Channel,
    rules: &db::ChannelRetention,
) -> ApiResult<ChannelRetention> {
    let guild_days = match channel.guild_id {
        Some(g) => state.store.fetch_guild_retention(g).await?,
        None => None,
    };
    Ok(ChannelRetention {
        channel_id: channel.id,
        secret: rules.secret,
        retention_days: rules.retention_days,
        guild_retention_days: guild_days,
        effective_retention_days: rules.retention_days.or(guild_days),
    })
}

/// A channel's deletion rules: whether it is secret, its own retention and what applies.
/// Anyone who may view the channel may read them.
#[utoipa::path(get, path = "/channels/{channel_id}/retention", tag = "retention",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = ChannelRetention), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_channel_retention(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<axum::Json<ChannelRetention>> {
    let (channel, _) = access::channel(&state, channel_id, auth.id()).await?;
    let rules = state.store.fetch_channel_retention(channel_id).await?;
    Ok(axum::Json(render(&state, &channel, &rules).await?))
}

/// Makes a channel secret (deleted messages leave no tombstone) or not, and sets or removes
/// its own retention. A guild channel needs MANAGE_CHANNELS (audit entry 11); in a DM or group
/// DM any recipient may. A category holds no messages (400 50024).
#[utoipa::path(patch, path = "/channels/{channel_id}/retention", tag = "retention",
    params(("channel_id" = ChannelId, Path)), request_body = ModifyChannelRetention,
    responses((status = 200, body = ChannelRetention), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_channel_retention(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<ModifyChannelRetention>,
) -> ApiResult<axum::Json<ChannelRetention>> {
    let mut change = Change::begin(&state, channel_id).await;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    if channel.guild_id.is_some() {
        access::require(perms, Permissions::MANAGE_CHANNELS)?;
    }
    if channel.kind == i64::from(ChannelKind::GuildCategory) {
        return Err(ApiError::WrongChannelType);
    }
    let mut errs = errors();
    check_days(&mut errs, body.retention_days.flatten());
    errs.into_result()?;
    let before = state.store.fetch_channel_retention(channel_id).await?;
    let mut after = before;
    if let Some(secret) = body.secret {
        after.secret = secret;
    }
    if let Some(days) = body.retention_days {
        after.retention_days = days;
    }
    if after != before {
        state
            .store
            .update_channel_retention(&after, Timestamp::now())
            .await?;
    }
    if let (Some(guild_id), true) = (channel.guild_id, after != before) {
        let keys = ["hearth_secret", "hearth_retention_days"];
        let side = |r: &db::ChannelRetention| json!({"hearth_secret": r.secret, "hearth_retention_days": r.retention_days});
        change.record(journal::Entry {
            guild_id,
            actor: auth.id(),
            target: Some(channel_id.snowflake()),
            action: journal::action::CHANNEL_UPDATE,
            changes: journal::diff(&side(&before), &side(&after), &keys),
            options: None,
            reason: &reason,
        });
    }
    let out = render(&state, &channel, &after).await?;
    change.done().await?;
    Ok(axum::Json(out))
}

/// A guild's retention: how many days its channels keep messages unless they have their own.
/// Any member may read it.
#[utoipa::path(get, path = "/guilds/{guild_id}/retention", tag = "retention",
    params(("guild_id" = GuildId, Path)),
    responses((status = 200, body = GuildRetention), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_guild_retention(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<axum::Json<GuildRetention>> {
    access::guild(&state, guild_id, auth.id()).await?;
    let days = state.store.fetch_guild_retention(guild_id).await?;
    Ok(axum::Json(GuildRetention {
        guild_id,
        retention_days: days,
    }))
}

/// Sets or removes a guild's retention (MANAGE_GUILD; audit entry 1).
#[utoipa::path(patch, path = "/guilds/{guild_id}/retention", tag = "retention",
    params(("guild_id" = GuildId, Path)), request_body = ModifyGuildRetention,
    responses((status = 200, body = GuildRetention), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_guild_retention(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<ModifyGuildRetention>,
) -> ApiResult<axum::Json<GuildRetention>> {
    let mut change = Change::begin(&state, guild_id).await;
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_GUILD)?;
    let mut errs = errors();
    check_days(&mut errs, body.retention_days.flatten());
    errs.into_result()?;
    let before = state.store.fetch_guild_retention(guild_id).await?;
    let after = body.retention_days.unwrap_or(before);
    if after != before {
        state
            .store
            .update_guild_retention(guild_id, after, Timestamp::now())
            .await?;
        let side = |d: Option<i64>| json!({ "hearth_retention_days": d });
        change.record(journal::Entry {
            guild_id,
            actor: auth.id(),
            target: Some(guild_id.snowflake()),
            action: journal::action::GUILD_UPDATE,
            changes: journal::diff(&side(before), &side(after), &["hearth_retention_days"]),
            options: None,
            reason: &reason,
        });
    }
    change.done().await?;
    Ok(axum::Json(GuildRetention {
        guild_id,
        retention_days: after,
    }))
}

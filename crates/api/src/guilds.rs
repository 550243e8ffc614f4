//! `/guilds`: create, read, modify and delete guilds; their channel list (list, create,
//! reorder) is in `guilds/channel_list.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelKind, GuildId, Permissions, Timestamp};
use hearth_protocol::events::{Event, UnavailableGuild};
use hearth_protocol::objects::Guild;
use hearth_protocol::requests::{CreateGuild, ModifyGuild, WithCountsQuery};
use hearth_store as db;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::journal::{self, Reason};
use crate::{access, convert, events, workspace, ApiError, ApiResult, AppState};

mod channel_list;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_guild))
        .routes(routes!(get_guild, modify_guild, delete_guild))
        .merge(channel_list::router())
}

fn check_range(errs: &mut FormErrors, field: &str, value: Option<i64>, max: i64) {
    if let Some(v) = value {
        if !(0..=max).contains(&v) {
            errs.add(
                field,
                FieldError::new(
                    "BASE_TYPE_CHOICES",
                    format!("Value must be one of 0 to {max}."),
                ),
            );
        }
    }
}

/// Creates a guild owned by the caller, with an @everyone role (id = the guild's id) and a
/// `general` text channel that receives system messages.
#[utoipa::path(post, path = "/guilds", tag = "guilds", request_body = CreateGuild,
    responses((status = 201, body = Guild), (status = 400, body = hearth_protocol::ErrorBody), (status = 401, body = hearth_protocol::ErrorBody)))]
async fn create_guild(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<CreateGuild>,
) -> ApiResult<(StatusCode, axum::Json<Guild>)> {
    let mut errs = errors();
    errs.check("name", names::validate_guild_name(&body.name));
    if body
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 120)
    {
        errs.add("description", FieldError::max_length(120));
    }
    check_range(&mut errs, "verification_level", body.verification_level, 4);
    check_range(
        &mut errs,
        "default_message_notifications",
        body.default_message_notifications,
        1,
    );
    check_range(
        &mut errs,
        "explicit_content_filter",
        body.explicit_content_filter,
        2,
    );
    errs.into_result()?;
    let id = GuildId(state.ids.next());
    let now = Timestamp::now().0;
    let general = db::Channel {
        id: state.ids.next().into(),
        guild_id: Some(id),
        kind: ChannelKind::GuildText.into(),
        name: Some("general".into()),
        topic: None,
        position: 0,
        parent_id: None,
        nsfw: false,
        rate_limit_per_user: 0,
        last_message_id: None,
        created_at: now,
    };
    let guild = db::Guild {
        id,
        name: body.name.trim().to_owned(),
        owner_id: auth.user.id,
        icon: None,
        description: body.description,
        system_channel_id: Some(general.id),
        verification_level: body.verification_level.unwrap_or(0),
        default_message_notifications: body.default_message_notifications.unwrap_or(0),
        explicit_content_filter: body.explicit_content_filter.unwrap_or(0),
        afk_timeout: 300,
        preferred_locale: "en-US".into(),
        created_at: now,
    };
    let everyone = db::Role {
        guild_id: id,
        id: id.everyone(),
        name: "@everyone".into(),
        permissions: Permissions::DEFAULT_EVERYONE.0 as i64,
        color: 0,
        hoist: false,
        mentionable: false,
        managed: false,
        position: 0,
        bot_id: None,
    };
    let mut change = Change::begin(&state, id).await;
    state
        .store
        .insert_guild(&guild, &everyone, &general)
        .await?;
    let out = convert::guild(&guild, &[everyone], None);
    change.publish_all(events::guild_gained(&state, auth.id(), id).await?);
    change.done().await?;
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// A guild the caller belongs to; `with_counts` adds approximate member and presence counts.
#[utoipa::path(get, path = "/guilds/{guild_id}", tag = "guilds", params(("guild_id" = GuildId, Path), WithCountsQuery),
    responses((status = 200, body = Guild), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_guild(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    Query(q): Query<WithCountsQuery>,
) -> ApiResult<axum::Json<Guild>> {
    let (guild, _) = access::guild(&state, guild_id, auth.id()).await?;
    let roles = state.store.fetch_roles(guild_id).await?;
    let counts = if q.with_counts == Some(true) {
        // Online: members visibly connected to this node's gateway.
        Some((
            state.store.count_members(guild_id).await?,
            state.hub.online_count(guild_id).await?,
        ))
    } else {
        None
    };
    let out = workspace::with_defaults(&state, convert::guild(&guild, &roles, counts)).await?;
    Ok(axum::Json(out))
}

/// Changes a guild's settings (MANAGE_GUILD; transferring ownership: the owner only).
#[utoipa::path(patch, path = "/guilds/{guild_id}", tag = "guilds", params(("guild_id" = GuildId, Path)), request_body = ModifyGuild,
    responses((status = 200, body = Guild), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_guild(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<ModifyGuild>,
) -> ApiResult<axum::Json<Guild>> {
    // Read, change and write under the guild's lock: concurrent changes do not undo each other.
    let mut change = Change::begin(&state, guild_id).await;
    let (mut guild, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_GUILD)?;
    let before = workspace::with_defaults(&state, convert::guild(&guild, &[], None)).await?;
    let mut errs = errors();
    apply_settings(&mut guild, &body, &mut errs);
    apply_references(&state, &auth, &mut guild, &body, &mut errs).await?;
    if let Some(ids) = &body.hearth_default_channel_ids {
        workspace::check_defaults(&state, guild_id, ids, &mut errs).await?;
    }
    errs.into_result()?;
    let guild = state
        .store
        .update_guild(&guild)
        .await?
        .ok_or(ApiError::UnknownGuild)?;
    if let Some(ids) = &body.hearth_default_channel_ids {
        state.store.update_default_channels(guild_id, ids).await?;
    }
    let roles = state.store.fetch_roles(guild_id).await?;
    let out = workspace::with_defaults(&state, convert::guild(&guild, &roles, None)).await?;
    change.publish(Event::GuildUpdate(Box::new(out.clone())));
    let changes = journal::diff(&json!(before), &json!(out), GUILD_AUDITED);
    if !changes.is_empty() {
        let entry = journal::Entry {
            guild_id,
            actor: auth.id(),
            target: Some(guild_id.snowflake()),
            action: journal::action::GUILD_UPDATE,
            changes,
            options: None,
            reason: &reason,
        };
        change.record(entry);
    }
    change.done().await?;
    Ok(axum::Json(out))
}

/// Applies the guild's own settings from a PATCH body, noting each invalid one in `errs`.
fn apply_settings(guild: &mut db::Guild, body: &ModifyGuild, errs: &mut FormErrors) {
    if let Some(name) = &body.name {
        errs.check("name", names::validate_guild_name(name));
        guild.name = name.trim().to_owned();
    }
    if let Some(d) = &body.description {
        if d.as_ref().is_some_and(|d| d.chars().count() > 120) {
            errs.add("description", FieldError::max_length(120));
        }
        guild.description = d.clone();
    }
    check_range(errs, "verification_level", body.verification_level, 4);
    check_range(
        errs,
        "default_message_notifications",
        body.default_message_notifications,
        1,
    );
    check_range(
        errs,
        "explicit_content_filter",
        body.explicit_content_filter,
        2,
    );
    if let Some(t) = body.afk_timeout {
        if ![60, 300, 900, 1800, 3600].contains(&t) {
            errs.add(
                "afk_timeout",
                FieldError::new(
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 300, 900, 1800, 3600}.",
                ),
            );
        }
        guild.afk_timeout = t;
    }
    if let Some(locale) = &body.preferred_locale {
        if locale.is_empty() || locale.len() > 16 {
            errs.add("preferred_locale", FieldError::bad_length(1, 16));
        }
        guild.preferred_locale = locale.clone();
    }
    guild.verification_level = body.verification_level.unwrap_or(guild.verification_level);
    guild.default_message_notifications = body
        .default_message_notifications
        .unwrap_or(guild.default_message_notifications);
    guild.explicit_content_filter = body
        .explicit_content_filter
        .unwrap_or(guild.explicit_content_filter);
}

/// Applies the settings of a PATCH body that name other records: the system channel (a text
/// channel of this guild) and the owner (a member; only the owner may hand the guild over).
/// Invalid ones are noted in `errs`.
async fn apply_references(
    state: &AppState,
    auth: &Auth,
    guild: &mut db::Guild,
    body: &ModifyGuild,
    errs: &mut FormErrors,
) -> ApiResult<()> {
    if let Some(sys) = body.system_channel_id {
        if let Some(ch) = sys {
            let ok = state.store.fetch_channel(ch).await?.is_some_and(|c| {
                c.guild_id == Some(guild.id) && c.kind == i64::from(ChannelKind::GuildText)
            });
            if !ok {
                errs.add(
                    "system_channel_id",
                    FieldError::new("CHANNEL_INVALID", "Not a text channel of this guild."),
                );
            }
        }
        guild.system_channel_id = sys;
    }
    if let Some(owner) = body.owner_id {
        if guild.owner_id != auth.user.id {
            return Err(ApiError::MissingPermissions);
        }
        let guild_id = guild.id;
        if state.store.fetch_member(guild_id, owner).await?.is_none() {
            errs.add(
                "owner_id",
                FieldError::new("GUILD_OWNER_INVALID", "The new owner must be a member."),
            );
        }
        guild.owner_id = owner;
    }
    Ok(())
}

/// Deletes a guild with everything in it (owner only).
#[utoipa::path(delete, path = "/guilds/{guild_id}", tag = "guilds", params(("guild_id" = GuildId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_guild(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let (guild, _) = access::guild(&state, guild_id, auth.id()).await?;
    if guild.owner_id != auth.user.id {
        return Err(ApiError::MissingPermissions);
    }
    if state.store.delete_guild(guild_id).await? {
        change.publish(Event::GuildDelete(UnavailableGuild {
            id: guild_id,
            unavailable: false,
        }));
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The guild fields whose changes the audit log records.
const GUILD_AUDITED: &[&str] = &[
    "hearth_default_channel_ids",
    "name",
    "description",
    "icon",
    "owner_id",
    "afk_timeout",
    "system_channel_id",
    "verification_level",
    "default_message_notifications",
    "explicit_content_filter",
    "preferred_locale",
];

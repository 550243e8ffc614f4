//! `/guilds/{id}/roles` and `/guilds/{id}/members/{user}/roles/{role}`: roles and who holds
//! them, under MANAGE_ROLES and the role hierarchy (one manages only roles below their highest
//! role; the owner manages all), with audit log entries.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{positions, RoleId};
use hearth_core::{GuildId, Permissions};
use hearth_protocol::events::{Event, GuildRole, GuildRoleDelete};
use hearth_protocol::objects::Role;
use hearth_protocol::requests::{RoleBody, RolePosition};
use hearth_store as db;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actor::Actor;
use crate::change::Change;
use crate::extract::{errors, Auth, Json, JsonList, Path};
use crate::journal::{self, action, changed, Reason};
use crate::{access, convert, role_rules, ApiError, ApiResult, AppState};

/// At most this many roles per guild, @everyone included.
const MAX_ROLES: usize = 250;

mod member_roles;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles, create_role, reorder_roles))
        .routes(routes!(get_role, modify_role, delete_role))
        .merge(member_roles::router())
}

fn sorted(roles: &[db::Role]) -> Vec<Role> {
    let mut v: Vec<&db::Role> = roles.iter().collect();
    v.sort_by_key(|r| (r.position, r.id));
    v.into_iter().map(convert::role).collect()
}

/// `GUILD_ROLE_UPDATE` of a role as it is now.
fn role_updated(guild_id: GuildId, role: &db::Role) -> Event {
    Event::GuildRoleUpdate(GuildRole {
        guild_id,
        role: convert::role(role),
    })
}

/// Checks a role body; `creating` requires nothing, editing @everyone refuses a new name.
fn check_body(body: &RoleBody, everyone: bool) -> ApiResult<()> {
    let mut errs = errors();
    if let Some(name) = &body.name {
        if everyone {
            errs.add(
                "name",
                FieldError::new("INVALID_ROLE", "The @everyone role cannot be renamed."),
            );
        } else if let Err(e) = names::validate_channel_name(name) {
            errs.add("name", e);
        }
    }
    if let Some(p) = body.permissions {
        if !Permissions::is_valid(p.0) {
            errs.add(
                "permissions",
                FieldError::new("INVALID_PERMISSIONS", "Unknown permission bits."),
            );
        }
    }
    // Both colour fields are checked, also the one that loses when both are sent.
    let primary = body.colors.as_ref().and_then(|c| c.primary_color);
    for (field, colour) in [("color", body.color), ("colors.primary_color", primary)] {
        if colour.is_some_and(|c| c > 0xFF_FFFF) {
            errs.add(
                field,
                FieldError::new("NUMBER_TYPE_MAX", "Must be 16777215 or less."),
            );
        }
    }
    errs.into_result()
}

/// Applies a body to a role; returns the audit changes.
fn apply(role: &mut db::Role, body: &RoleBody) -> Vec<Value> {
    let mut changes = Vec::new();
    if let Some(name) = &body.name {
        let name = name.trim().to_owned();
        if name != role.name {
            changes.push(changed("name", Some(json!(role.name)), Some(json!(name))));
            role.name = name;
        }
    }
    if let Some(p) = body.permissions {
        let p = p.0 as i64;
        if p != role.permissions {
            changes.push(changed(
                "permissions",
                Some(json!(role.permissions.to_string())),
                Some(json!(p.to_string())),
            ));
            role.permissions = p;
        }
    }
    let colour = body
        .colors
        .as_ref()
        .and_then(|c| c.primary_color)
        .or(body.color);
    if let Some(c) = colour.map(i64::from).filter(|c| *c != role.color) {
        changes.push(changed("color", Some(json!(role.color)), Some(json!(c))));
        role.color = c;
    }
    if let Some(h) = body.hoist.filter(|h| *h != role.hoist) {
        changes.push(changed("hoist", Some(json!(role.hoist)), Some(json!(h))));
        role.hoist = h;
    }
    if let Some(m) = body.mentionable.filter(|m| *m != role.mentionable) {
        changes.push(changed(
            "mentionable",
            Some(json!(role.mentionable)),
            Some(json!(m)),
        ));
        role.mentionable = m;
    }
    changes
}

/// The guild's roles, by position.
#[utoipa::path(get, path = "/guilds/{guild_id}/roles", tag = "roles", params(("guild_id" = GuildId, Path)),
    responses((status = 200, body = Vec<Role>), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_roles(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<axum::Json<Vec<Role>>> {
    access::guild(&state, guild_id, auth.id()).await?;
    let roles = state.store.fetch_roles(guild_id).await?;
    Ok(axum::Json(sorted(&roles)))
}

/// One role.
#[utoipa::path(get, path = "/guilds/{guild_id}/roles/{role_id}", tag = "roles", params(("guild_id" = GuildId, Path), ("role_id" = RoleId, Path)),
    responses((status = 200, body = Role), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_role(
    State(state): State<AppState>,
    auth: Auth,
    Path((guild_id, role_id)): Path<(GuildId, RoleId)>,
) -> ApiResult<axum::Json<Role>> {
    let actor = Actor::load(&state, guild_id, auth.id()).await?;
    Ok(axum::Json(convert::role(actor.role(role_id)?)))
}

/// Creates a role at the bottom of the hierarchy (position 1; the others move up). The caller
/// may grant only permissions it holds.
#[utoipa::path(post, path = "/guilds/{guild_id}/roles", tag = "roles", params(("guild_id" = GuildId, Path)), request_body = RoleBody,
    responses((status = 200, body = Role), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn create_role(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    Json(body): Json<RoleBody>,
) -> ApiResult<axum::Json<Role>> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?.manager()?;
    check_body(&body, false)?;
    if actor.roles.len() >= MAX_ROLES {
        return Err(ApiError::MaxRoles);
    }
    actor.may_grant(
        Permissions::NONE,
        body.permissions.unwrap_or(Permissions::NONE),
    )?;
    let mut role = db::Role {
        guild_id,
        id: state.ids.next().into(),
        name: "new role".into(),
        permissions: 0,
        color: 0,
        hoist: false,
        mentionable: false,
        managed: false,
        position: 1,
        bot_id: None,
    };
    apply(&mut role, &body);
    // A new role's entry lists its properties as it was made (new values only).
    let changes = vec![
        changed("name", None, Some(json!(role.name))),
        changed(
            "permissions",
            None,
            Some(json!(role.permissions.to_string())),
        ),
        changed("color", None, Some(json!(role.color))),
        changed("hoist", None, Some(json!(role.hoist))),
        changed("mentionable", None, Some(json!(role.mentionable))),
    ];
    role_rules::insert_at_bottom(&mut change, &actor.roles, &role).await?;
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(role.id.snowflake()),
        action: action::ROLE_CREATE,
        changes,
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(axum::Json(convert::role(&role)))
}

/// Changes a role below the caller's highest (@everyone too, but not its name).
#[utoipa::path(patch, path = "/guilds/{guild_id}/roles/{role_id}", tag = "roles", params(("guild_id" = GuildId, Path), ("role_id" = RoleId, Path)), request_body = RoleBody,
    responses((status = 200, body = Role), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn modify_role(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, role_id)): Path<(GuildId, RoleId)>,
    Json(body): Json<RoleBody>,
) -> ApiResult<axum::Json<Role>> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?.manager()?;
    let mut role = actor.role(role_id)?.clone();
    let everyone = role.id.is_everyone_of(guild_id);
    if !everyone {
        actor.manageable(&role)?;
    }
    check_body(&body, everyone)?;
    if let Some(p) = body.permissions {
        actor.may_grant(Permissions(role.permissions as u64), p)?;
    }
    let changes = apply(&mut role, &body);
    if changes.is_empty() {
        return Ok(axum::Json(convert::role(&role)));
    }
    let role = state
        .store
        .update_role(&role)
        .await?
        .ok_or(ApiError::UnknownRole)?;
    change.publish(role_updated(guild_id, &role));
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(role_id.snowflake()),
        action: action::ROLE_UPDATE,
        changes,
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(axum::Json(convert::role(&role)))
}

/// Deletes a role below the caller's highest (not @everyone, not a bot's own role).
#[utoipa::path(delete, path = "/guilds/{guild_id}/roles/{role_id}", tag = "roles", params(("guild_id" = GuildId, Path), ("role_id" = RoleId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_role(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, role_id)): Path<(GuildId, RoleId)>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?.manager()?;
    let role = actor.role(role_id)?.clone();
    if role.id.is_everyone_of(guild_id) {
        return Err(ApiError::field(
            "role_id",
            FieldError::new("INVALID_ROLE", "The @everyone role cannot be deleted."),
        ));
    }
    if role.managed {
        return Err(ApiError::MissingPermissions);
    }
    actor.manageable(&role)?;
    if !state.store.delete_role(guild_id, role_id).await? {
        return Err(ApiError::UnknownRole);
    }
    change.publish(Event::GuildRoleDelete(GuildRoleDelete {
        guild_id,
        role_id,
    }));
    let changes = vec![
        changed("name", Some(json!(role.name)), None),
        changed(
            "permissions",
            Some(json!(role.permissions.to_string())),
            None,
        ),
        changed("color", Some(json!(role.color)), None),
        changed("hoist", Some(json!(role.hoist)), None),
        changed("mentionable", Some(json!(role.mentionable)), None),
    ];
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(role_id.snowflake()),
        action: action::ROLE_DELETE,
        changes,
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves roles (each below the caller's highest, to a position below it) in one transaction;
/// answers every role of the guild.
#[utoipa::path(patch, path = "/guilds/{guild_id}/roles", tag = "roles", params(("guild_id" = GuildId, Path)), request_body = Vec<RolePosition>,
    responses((status = 200, body = Vec<Role>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn reorder_roles(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(guild_id): Path<GuildId>,
    JsonList(body): JsonList<RolePosition>,
) -> ApiResult<axum::Json<Vec<Role>>> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?.manager()?;
    let mut moves = Vec::new();
    for (i, entry) in body.iter().enumerate() {
        let role = actor.role(entry.id)?;
        let Some(position) = entry.position else {
            continue;
        };
        let path = format!("{i}.position");
        if role.id.is_everyone_of(guild_id) {
            return Err(ApiError::field(
                &path,
                FieldError::new(
                    "INVALID_ROLE",
                    "@everyone stays at the bottom (position 0).",
                ),
            ));
        }
        positions::check_role_position(position).map_err(|e| ApiError::field(&path, e))?;
        actor.manageable(role)?;
        if !actor.rank.manages_role(position) {
            return Err(ApiError::MissingPermissions);
        }
        moves.push(db::RolePosition {
            id: role.id,
            position,
        });
    }
    let after = state.store.update_role_positions(guild_id, &moves).await?;
    let mut events = Vec::new();
    for r in &after {
        let Some(before) = actor.roles.iter().find(|x| x.id == r.id) else {
            continue;
        };
        if before.position != r.position {
            events.push(role_updated(guild_id, r));
            change.record(journal::Entry {
                guild_id,
                actor: auth.id(),
                target: Some(r.id.snowflake()),
                action: action::ROLE_UPDATE,
                changes: vec![changed(
                    "position",
                    Some(json!(before.position)),
                    Some(json!(r.position)),
                )],
                options: None,
                reason: &reason,
            });
        }
    }
    change.publish_all(events);
    change.done().await?;
    Ok(axum::Json(sorted(&after)))
}

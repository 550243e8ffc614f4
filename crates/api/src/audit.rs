//! `GET /guilds/{id}/audit-logs`: the guild's audit log (entries are recorded by
//! [`crate::journal`]).

use std::collections::BTreeSet;

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{GuildId, Permissions, UserId};
use hearth_protocol::requests::AuditLogQuery;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Path, Query};
use crate::{access, convert, journal, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// The guild's audit log, newest first (VIEW_AUDIT_LOG): `audit_log_entries` and the `users`
/// they name; the other lists of Discord's shape are empty (hearth has no such objects).
#[utoipa::path(get, path = "/guilds/{guild_id}/audit-logs", tag = "audit log", params(("guild_id" = GuildId, Path), AuditLogQuery),
    responses((status = 200, description = "`{audit_log_entries, users, ...}`", body = Object), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    Query(q): Query<AuditLogQuery>,
) -> ApiResult<axum::Json<Value>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 100."),
        ));
    }
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::VIEW_AUDIT_LOG)?;
    let query = hearth_store::AuditQuery {
        user_id: q.user_id,
        action_type: q.action_type,
        before: q.before,
        after: q.after,
        limit,
    };
    let rows = state.store.fetch_audit_entries(guild_id, &query).await?;
    let mut people = BTreeSet::new();
    let mut entries = Vec::with_capacity(rows.len());
    for r in &rows {
        people.extend(r.user_id);
        people.extend(r.target_id.map(UserId::from));
        // The member a member overwrite entry names.
        if let Some(o) = r
            .options
            .as_deref()
            .and_then(|o| serde_json::from_str::<Value>(o).ok())
        {
            if o["type"] == "1" {
                people.extend(o["id"].as_str().and_then(|id| id.parse::<UserId>().ok()));
            }
        }
        entries.push(journal::entry(r));
    }
    let mut users = Vec::new();
    for id in people {
        if let Some(u) = state.store.fetch_user(id).await? {
            users.push(convert::user(&u));
        }
    }
    Ok(axum::Json(json!({
        "audit_log_entries": entries,
        "users": users,
        "application_commands": [],
        "auto_moderation_rules": [],
        "guild_scheduled_events": [],
        "integrations": [],
        "threads": [],
        "webhooks": [],
    })))
}

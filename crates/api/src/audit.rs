//! The audit log: who changed what in a guild, with before/after values and the moderator's
//! reason (`X-Audit-Log-Reason`, percent-encoded by clients, at most 512 characters).

use std::collections::BTreeSet;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use hearth_core::names::FieldError;
use hearth_core::{Permissions, Snowflake};
use hearth_protocol::events::{Event, GuildAuditLogEntry};
use hearth_protocol::objects::AuditLogEntry;
use hearth_protocol::requests::AuditLogQuery;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Auth, Path, Query};
use crate::{access, convert, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// The guild's audit log, newest first (VIEW_AUDIT_LOG): `audit_log_entries` and the `users`
/// they name; the other lists of Discord's shape are empty (hearth has no such objects).
#[utoipa::path(get, path = "/guilds/{guild_id}/audit-logs", tag = "audit log", params(("guild_id" = Snowflake, Path), AuditLogQuery),
    responses((status = 200, description = "`{audit_log_entries, users, ...}`", body = Object), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<Snowflake>,
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
        user_id: q.user_id.map(Snowflake::as_i64),
        action_type: q.action_type,
        before: q.before.map(Snowflake::as_i64),
        after: q.after.map(Snowflake::as_i64),
        limit,
    };
    let rows = state.store.fetch_audit_entries(guild_id, &query).await?;
    let mut people = BTreeSet::new();
    let mut entries = Vec::with_capacity(rows.len());
    for r in &rows {
        people.extend(r.user_id);
        people.extend(r.target_id);
        // The member a member overwrite entry names.
        if let Some(o) = r
            .options
            .as_deref()
            .and_then(|o| serde_json::from_str::<Value>(o).ok())
        {
            if o["type"] == "1" {
                people.extend(o["id"].as_str().and_then(|id| id.parse::<i64>().ok()));
            }
        }
        entries.push(entry(r));
    }
    let mut users = Vec::new();
    for id in people {
        if let Some(u) = state.store.fetch_user(Snowflake::from_i64(id)).await? {
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

/// An entry as the audit log lists it (and as GUILD_AUDIT_LOG_ENTRY_CREATE carries it).
fn entry(r: &hearth_store::AuditEntry) -> AuditLogEntry {
    AuditLogEntry {
        id: Snowflake::from_i64(r.id),
        user_id: r.user_id.map(Snowflake::from_i64),
        target_id: r.target_id.map(Snowflake::from_i64),
        action_type: r.action_type,
        changes: serde_json::from_str(&r.changes).unwrap_or_default(),
        options: r
            .options
            .as_deref()
            .and_then(|o| serde_json::from_str::<Value>(o).ok()),
        reason: r.reason.clone(),
    }
}

/// Discord's audit log event numbers used by hearth.
pub mod action {
    /// The guild's settings were changed.
    pub const GUILD_UPDATE: i64 = 1;
    /// An invite was created.
    pub const INVITE_CREATE: i64 = 40;
    /// An invite was deleted.
    pub const INVITE_DELETE: i64 = 42;
    /// A channel was created.
    pub const CHANNEL_CREATE: i64 = 10;
    /// A channel was changed.
    pub const CHANNEL_UPDATE: i64 = 11;
    /// A channel was deleted.
    pub const CHANNEL_DELETE: i64 = 12;
    /// A permission overwrite was added to a channel.
    pub const CHANNEL_OVERWRITE_CREATE: i64 = 13;
    /// A channel's permission overwrite was changed.
    pub const CHANNEL_OVERWRITE_UPDATE: i64 = 14;
    /// A permission overwrite was removed from a channel.
    pub const CHANNEL_OVERWRITE_DELETE: i64 = 15;
    /// A member was kicked.
    pub const MEMBER_KICK: i64 = 20;
    /// A bot was added to the guild.
    pub const BOT_ADD: i64 = 28;
    /// A user was banned.
    pub const MEMBER_BAN_ADD: i64 = 22;
    /// A ban was lifted.
    pub const MEMBER_BAN_REMOVE: i64 = 23;
    /// A role was created.
    pub const ROLE_CREATE: i64 = 30;
    /// A role was changed.
    pub const ROLE_UPDATE: i64 = 31;
    /// A role was deleted.
    pub const ROLE_DELETE: i64 = 32;
    /// A member's nickname or timeout changed.
    pub const MEMBER_UPDATE: i64 = 24;
    /// Roles were given to or taken from a member.
    pub const MEMBER_ROLE_UPDATE: i64 = 25;
    /// A moderator deleted someone else's message.
    pub const MESSAGE_DELETE: i64 = 72;
    /// Messages were deleted in bulk.
    pub const MESSAGE_BULK_DELETE: i64 = 73;
}

/// The reason a moderator gave, from `X-Audit-Log-Reason`.
#[derive(Debug, Clone, Default)]
pub struct Reason(pub Option<String>);

const REASON_MAX: usize = 512;

impl<S: Send + Sync> FromRequestParts<S> for Reason {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get("x-audit-log-reason") else {
            return Ok(Reason(None));
        };
        let bad = |m: &str| {
            ApiError::field(
                "X-Audit-Log-Reason",
                FieldError::new("BASE_TYPE_BAD_LENGTH", m),
            )
        };
        let text = percent_encoding::percent_decode(raw.as_bytes())
            .decode_utf8()
            .map_err(|_| bad("Must be UTF-8, percent-encoded."))?;
        if text.chars().count() > REASON_MAX {
            return Err(bad("Must be 512 or fewer in length."));
        }
        if text.contains('\0') {
            return Err(ApiError::field(
                "X-Audit-Log-Reason",
                FieldError::nul_character(),
            ));
        }
        let text = text.trim();
        Ok(Reason((!text.is_empty()).then(|| text.to_owned())))
    }
}

/// One changed key: `{key, old_value?, new_value?}` (a missing side is left out).
pub fn change(key: &str, old: Option<Value>, new: Option<Value>) -> Value {
    let mut c = json!({ "key": key });
    if let Some(v) = old {
        c["old_value"] = v;
    }
    if let Some(v) = new {
        c["new_value"] = v;
    }
    c
}

/// The changes of `keys` between two wire objects (a key missing or null on one side is left
/// out on that side).
pub fn diff(before: &Value, after: &Value, keys: &[&str]) -> Vec<Value> {
    let side = |v: &Value, k: &str| v.get(k).filter(|x| !x.is_null()).cloned();
    keys.iter()
        .filter_map(|k| {
            let (old, new) = (side(before, k), side(after, k));
            (old != new).then(|| change(k, old, new))
        })
        .collect()
}

/// What happened, for [`record`].
#[derive(Debug)]
pub struct Entry<'a> {
    /// The guild.
    pub guild_id: Snowflake,
    /// Who did it.
    pub actor: Snowflake,
    /// What it was done to.
    pub target: Option<Snowflake>,
    /// [`action`] number.
    pub action: i64,
    /// Changed keys (see [`change`]).
    pub changes: Vec<Value>,
    /// Extra details of the action (Discord's `options`), if it has any.
    pub options: Option<Value>,
    /// The moderator's reason.
    pub reason: &'a Reason,
}

/// Records an entry in the guild's audit log and tells the members with VIEW_AUDIT_LOG
/// (GUILD_AUDIT_LOG_ENTRY_CREATE; the gateway checks the permission of each receiver).
pub async fn record(state: &AppState, entry: Entry<'_>) -> ApiResult<()> {
    let row = hearth_store::AuditEntry {
        guild_id: entry.guild_id.as_i64(),
        id: state.ids.next().as_i64(),
        user_id: Some(entry.actor.as_i64()),
        target_id: entry.target.map(Snowflake::as_i64),
        action_type: entry.action,
        changes: Value::Array(entry.changes).to_string(),
        options: entry.options.map(|o| o.to_string()),
        reason: entry.reason.0.clone(),
    };
    state.store.insert_audit_entry(&row).await?;
    state.publish(Event::GuildAuditLogEntryCreate(Box::new(
        GuildAuditLogEntry {
            entry: self::entry(&row),
            guild_id: entry.guild_id,
        },
    )));
    Ok(())
}

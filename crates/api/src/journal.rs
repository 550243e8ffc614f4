//! Recording what changed: the audit log's entries (who changed what in a guild, with
//! before/after values and the moderator's reason from `X-Audit-Log-Reason`, percent-encoded by
//! clients, at most 512 characters) and the action numbers. Shared by every handler that
//! changes a guild; the audit log's endpoint is `audit.rs`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hearth_core::names::FieldError;
use hearth_core::{AuditEntryId, GuildId, Snowflake, UserId};
use hearth_protocol::events::{Event, GuildAuditLogEntry};
use hearth_protocol::objects::AuditLogEntry;
use serde_json::{json, Value};

use crate::{ApiError, ApiResult, AppState};

/// An entry as the audit log lists it (and as GUILD_AUDIT_LOG_ENTRY_CREATE carries it).
pub fn entry(r: &hearth_store::AuditEntry) -> AuditLogEntry {
    AuditLogEntry {
        id: r.id,
        user_id: r.user_id,
        target_id: r.target_id,
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
pub fn changed(key: &str, old: Option<Value>, new: Option<Value>) -> Value {
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
            (old != new).then(|| changed(k, old, new))
        })
        .collect()
}

/// What happened, for [`crate::change::Change::record`].
#[derive(Debug)]
pub struct Entry<'a> {
    /// The guild.
    pub guild_id: GuildId,
    /// Who did it.
    pub actor: UserId,
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

/// The stored row of an entry, with a new id.
pub fn row(state: &AppState, entry: Entry<'_>) -> hearth_store::AuditEntry {
    hearth_store::AuditEntry {
        guild_id: entry.guild_id,
        id: AuditEntryId(state.ids.next()),
        user_id: Some(entry.actor),
        target_id: entry.target,
        action_type: entry.action,
        changes: Value::Array(entry.changes).to_string(),
        options: entry.options.map(|o| o.to_string()),
        reason: entry.reason.0.clone(),
    }
}

/// Stores an entry's row and tells the members with VIEW_AUDIT_LOG
/// (GUILD_AUDIT_LOG_ENTRY_CREATE; the gateway checks the permission of each receiver). Called by
/// [`crate::change::Change`].
pub async fn insert(state: &AppState, row: hearth_store::AuditEntry) -> ApiResult<()> {
    state.store.insert_audit_entry(&row).await?;
    state.publish(Event::GuildAuditLogEntryCreate(Box::new(
        GuildAuditLogEntry {
            entry: self::entry(&row),
            guild_id: row.guild_id,
        },
    )));
    Ok(())
}

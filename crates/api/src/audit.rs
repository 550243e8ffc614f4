//! The audit log: who changed what in a guild, with before/after values and the moderator's
//! reason (`X-Audit-Log-Reason`, percent-encoded by clients, at most 512 characters).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hearth_core::names::FieldError;
use hearth_core::Snowflake;
use serde_json::{json, Value};

use crate::{ApiError, ApiResult, AppState};

/// Discord's audit log event numbers used by hearth.
pub mod action {
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
    /// The moderator's reason.
    pub reason: &'a Reason,
}

/// Records an entry in the guild's audit log.
pub async fn record(state: &AppState, entry: Entry<'_>) -> ApiResult<()> {
    let row = hearth_store::AuditEntry {
        guild_id: entry.guild_id.as_i64(),
        id: state.ids.next().as_i64(),
        user_id: Some(entry.actor.as_i64()),
        target_id: entry.target.map(Snowflake::as_i64),
        action_type: entry.action,
        changes: Value::Array(entry.changes).to_string(),
        options: None,
        reason: entry.reason.0.clone(),
    };
    state.store.insert_audit_entry(&row).await?;
    Ok(())
}

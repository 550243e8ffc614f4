//! The rules of guild channels, shared by the handlers that create and change them (the guild's
//! channel list, a channel's own endpoints): the fields' bounds, the parent category, and the
//! channel's audit entries.

use hearth_core::names::{self, FieldError};
use hearth_core::positions;
use hearth_core::{ChannelId, ChannelKind, GuildId, UserId};
use hearth_store as db;
use serde_json::{json, Value};

use crate::change::Change;
use crate::error::FormErrors;
use crate::journal::{self, action, changed, Reason};
use crate::{ApiResult, AppState};

/// Checks fields shared by channel creation and modification.
pub(crate) fn check_channel_fields(
    errs: &mut FormErrors,
    name: Option<&str>,
    topic: Option<&str>,
    rate_limit: Option<i64>,
    position: Option<i64>,
) {
    if let Some(p) = position {
        errs.check("position", positions::check_channel_position(p));
    }
    if let Some(n) = name {
        errs.check("name", names::validate_channel_name(n));
    }
    if let Some(t) = topic {
        errs.check("topic", names::validate_topic(t));
    }
    if let Some(r) = rate_limit {
        if !(0..=21600).contains(&r) {
            errs.add(
                "rate_limit_per_user",
                FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 21600."),
            );
        }
    }
}

/// Checks that `parent` is a category of the guild (and that categories get no parent).
pub(crate) async fn check_parent(
    state: &AppState,
    errs: &mut FormErrors,
    guild_id: GuildId,
    kind: i64,
    parent: Option<ChannelId>,
) -> ApiResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    let category = i64::from(ChannelKind::GuildCategory);
    let ok = kind != category
        && state
            .store
            .fetch_channel(parent)
            .await?
            .is_some_and(|c| c.guild_id == Some(guild_id) && c.kind == category);
    if !ok {
        errs.add(
            "parent_id",
            FieldError::new("CHANNEL_PARENT_INVALID", "Not a category of this guild."),
        );
    }
    Ok(())
}

/// The changed fields of a channel, for its audit entry.
pub(crate) fn channel_changes(old: Option<&db::Channel>, new: Option<&db::Channel>) -> Vec<Value> {
    let fields = |c: &db::Channel| {
        [
            ("name", json!(c.name)),
            ("type", json!(c.kind)),
            ("topic", json!(c.topic)),
            ("position", json!(c.position)),
            ("parent_id", json!(c.parent_id.map(|p| p.to_string()))),
            ("nsfw", json!(c.nsfw)),
            ("rate_limit_per_user", json!(c.rate_limit_per_user)),
        ]
    };
    let (a, b) = (old.map(fields), new.map(fields));
    let mut out = Vec::new();
    for i in 0..7 {
        let key = a.as_ref().or(b.as_ref()).map_or("", |f| f[i].0);
        let o = a.as_ref().map(|f| f[i].1.clone()).filter(|v| !v.is_null());
        let n = b.as_ref().map(|f| f[i].1.clone()).filter(|v| !v.is_null());
        if o != n {
            out.push(changed(key, o, n));
        }
    }
    out
}

/// Records a channel's creation, change or deletion in the audit log.
pub(crate) fn audit_channel(
    change: &mut Change<'_>,
    actor: UserId,
    reason: &Reason,
    old: Option<&db::Channel>,
    new: Option<&db::Channel>,
) {
    let Some(c) = new.or(old) else { return };
    let act = match (old, new) {
        (None, _) => action::CHANNEL_CREATE,
        (Some(_), Some(_)) => action::CHANNEL_UPDATE,
        (Some(_), None) => action::CHANNEL_DELETE,
    };
    let changes = channel_changes(old, new);
    if act == action::CHANNEL_UPDATE && changes.is_empty() {
        return;
    }
    change.record(journal::Entry {
        guild_id: c.guild_id.unwrap_or_default(),
        actor,
        target: Some(c.id.snowflake()),
        action: act,
        changes,
        options: None,
        reason,
    });
}

//! How a PATCH of notification settings is read, checked and applied.
//!
//! The body is read key by key, so that every bad key is named at once (50035 with an error per
//! key, `channel_overrides.<id>.<key>` for a channel's): a key hearth does not know, a value of
//! the wrong type, a number out of range. Keys left out stay as they are. `mute_config` may be
//! `null` (no end); no other key takes `null`. A mute whose end has passed is no mute: applying a
//! change starts from the settings as they read now.

use hearth_core::names::FieldError;
use hearth_core::{ChannelId, GuildId, Snowflake, Timestamp, UserId};
use hearth_store::{ChannelPreferences, GuildPreferences};
use serde_json::{Map, Value};

use crate::error::FormErrors;
use crate::ApiResult;

/// The most channel overrides one PATCH may change.
pub(super) const MAX_OVERRIDES: usize = 500;
/// The longest mute a client may pick, in seconds (a year); -1 is "until turned off".
const MAX_WINDOW: i64 = 366 * 24 * 3600;
/// The highest flag bits kept (Discord's flags fit in 31 bits).
const MAX_FLAGS: i64 = i32::MAX as i64;

/// A change of mute: `muted` and `mute_config` as sent.
#[derive(Debug, Default)]
pub(super) struct MuteChange {
    /// `muted`, if sent.
    pub muted: Option<bool>,
    /// `mute_config`, if sent: None for `null`, else the end (None: none) and the window.
    pub config: Option<Option<(Option<i64>, i64)>>,
}

/// The changes of the entry itself.
#[derive(Debug, Default)]
pub(super) struct GuildChange {
    pub mute: MuteChange,
    pub message_notifications: Option<i64>,
    pub suppress_everyone: Option<bool>,
    pub suppress_roles: Option<bool>,
    pub mobile_push: Option<bool>,
    pub hide_muted_channels: Option<bool>,
    pub notify_highlights: Option<i64>,
    pub flags: Option<i64>,
}

/// The changes of one channel override.
#[derive(Debug)]
pub(super) struct ChannelChange {
    pub channel_id: ChannelId,
    pub mute: MuteChange,
    pub message_notifications: Option<i64>,
    pub collapsed: Option<bool>,
    pub favorite: Option<bool>,
}

/// A checked PATCH body.
#[derive(Debug, Default)]
pub(super) struct Patch {
    pub guild: GuildChange,
    pub channels: Vec<ChannelChange>,
}

/// Reads and checks a PATCH body (see the module documentation); 50035 naming every bad key.
pub(super) fn read_patch(body: &Map<String, Value>) -> ApiResult<Patch> {
    let mut errs = FormErrors::new();
    let mut patch = Patch::default();
    let g = &mut patch.guild;
    for (key, value) in body {
        let e = &mut errs;
        match key.as_str() {
            "muted" => g.mute.muted = flag(key, value, e),
            "mute_config" => g.mute.config = mute_config(key, value, e),
            "message_notifications" => g.message_notifications = number(key, value, 0, 3, e),
            "suppress_everyone" => g.suppress_everyone = flag(key, value, e),
            "suppress_roles" => g.suppress_roles = flag(key, value, e),
            "mobile_push" => g.mobile_push = flag(key, value, e),
            "hide_muted_channels" => g.hide_muted_channels = flag(key, value, e),
            "notify_highlights" => g.notify_highlights = number(key, value, 0, 2, e),
            "flags" => g.flags = number(key, value, 0, MAX_FLAGS, e),
            "channel_overrides" => patch.channels = overrides(value, e),
            _ => e.add(key, unknown()),
        }
    }
    errs.into_result()?;
    Ok(patch)
}

/// `channel_overrides`: an object keyed by channel id, each value an object of changes.
fn overrides(value: &Value, errs: &mut FormErrors) -> Vec<ChannelChange> {
    let Some(map) = value.as_object() else {
        errs.add("channel_overrides", not_an_object());
        return Vec::new();
    };
    if map.len() > MAX_OVERRIDES {
        errs.add(
            "channel_overrides",
            FieldError::new(
                "BASE_TYPE_MAX_LENGTH",
                format!("Must have {MAX_OVERRIDES} or fewer channels."),
            ),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, changes) in map {
        let at = format!("channel_overrides.{id}");
        let Ok(channel_id) = id.parse::<Snowflake>() else {
            errs.add(
                &at,
                FieldError::new(
                    "NUMBER_TYPE_COERCE",
                    format!("Value \"{id}\" is not snowflake."),
                ),
            );
            continue;
        };
        let Some(changes) = changes.as_object() else {
            errs.add(&at, not_an_object());
            continue;
        };
        let mut c = ChannelChange {
            channel_id: channel_id.into(),
            mute: MuteChange::default(),
            message_notifications: None,
            collapsed: None,
            favorite: None,
        };
        for (key, value) in changes {
            let path = format!("{at}.{key}");
            let (p, e) = (path.as_str(), &mut *errs);
            match key.as_str() {
                // Discord's clients repeat the id inside; it must agree.
                "channel_id" if value.as_str() == Some(id.as_str()) => {}
                "channel_id" => e.add(p, FieldError::new("BASE_TYPE_CHOICES", "Not the key's id.")),
                "muted" => c.mute.muted = flag(p, value, e),
                "mute_config" => c.mute.config = mute_config(p, value, e),
                "message_notifications" => c.message_notifications = number(p, value, 0, 3, e),
                "collapsed" => c.collapsed = flag(p, value, e),
                "favorite" => c.favorite = flag(p, value, e),
                _ => e.add(p, unknown()),
            }
        }
        out.push(c);
    }
    out
}

/// `true` or `false`.
fn flag(path: &str, value: &Value, errs: &mut FormErrors) -> Option<bool> {
    if value.is_boolean() {
        return value.as_bool();
    }
    errs.add(
        path,
        FieldError::new("BASE_TYPE_BOOLEAN", "Must be either true or false."),
    );
    None
}

/// An integer from `min` to `max`.
fn number(path: &str, value: &Value, min: i64, max: i64, errs: &mut FormErrors) -> Option<i64> {
    let error = match value.as_i64() {
        Some(n) if (min..=max).contains(&n) => return Some(n),
        Some(n) => FieldError::new(
            if n < min {
                "NUMBER_TYPE_MIN"
            } else {
                "NUMBER_TYPE_MAX"
            },
            format!("Must be between {min} and {max}."),
        ),
        None => FieldError::new(
            "NUMBER_TYPE_COERCE",
            format!("Value \"{value}\" is not int."),
        ),
    };
    errs.add(path, error);
    None
}

/// `null`, or `{"end_time": ISO 8601 | null, "selected_time_window": -1 | 0..=MAX_WINDOW}`.
fn mute_config(
    path: &str,
    value: &Value,
    errs: &mut FormErrors,
) -> Option<Option<(Option<i64>, i64)>> {
    if value.is_null() {
        return Some(None);
    }
    let Some(config) = value.as_object() else {
        errs.add(path, not_an_object());
        return None;
    };
    let at = |key: &str| format!("{path}.{key}");
    let end = match config.get("end_time") {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => match Timestamp::parse_iso(s) {
            Some(t) => Some(Some(t.0)),
            None => {
                errs.add(&at("end_time"), not_a_date());
                None
            }
        },
        Some(_) => {
            errs.add(&at("end_time"), not_a_date());
            None
        }
    };
    let window = match config.get("selected_time_window") {
        None | Some(Value::Null) => Some(-1),
        Some(Value::Number(n)) if n.as_i64() == Some(-1) => Some(-1),
        Some(v) => number(&at("selected_time_window"), v, 0, MAX_WINDOW, errs),
    };
    for key in config.keys() {
        if !["end_time", "selected_time_window"].contains(&key.as_str()) {
            errs.add(&at(key), unknown());
        }
    }
    Some(Some((end?, window?)))
}

fn unknown() -> FieldError {
    FieldError::new("UNKNOWN_FIELD", "Not a setting hearth knows.")
}

fn not_an_object() -> FieldError {
    FieldError::new("MODEL_TYPE_CONVERT", "Only dictionaries may be used here.")
}

fn not_a_date() -> FieldError {
    FieldError::new("DATE_TIME_TYPE_PARSE", "Not an ISO 8601 timestamp.")
}

/// A stored mute as it reads at `now` (an ended one is none): (muted, end, window).
fn current_mute(
    muted: bool,
    end: Option<i64>,
    window: Option<i64>,
    now: Timestamp,
) -> (bool, Option<i64>, Option<i64>) {
    if !muted || end.is_some_and(|end| end <= now.0) {
        return (false, None, None);
    }
    (true, end, window)
}

/// A mute after `change`: unmuting clears the config; a config sent replaces the one kept.
fn apply_mute(
    current: (bool, Option<i64>, Option<i64>),
    change: &MuteChange,
) -> (bool, Option<i64>, Option<i64>) {
    if change.muted == Some(false) {
        return (false, None, None);
    }
    let muted = change.muted.unwrap_or(current.0);
    let (end, window) = match change.config {
        Some(Some((end, window))) => (end, Some(window)),
        Some(None) => (None, None),
        None => (current.1, current.2),
    };
    (muted, end, window)
}

/// The guild row after the changes: `current` (None: the defaults) with `change` applied.
pub(super) fn apply_guild(
    current: Option<&GuildPreferences>,
    user_id: UserId,
    guild_id: Option<GuildId>,
    change: &GuildChange,
    now: Timestamp,
) -> GuildPreferences {
    let base = current.cloned().unwrap_or(GuildPreferences {
        user_id,
        guild_id,
        muted: false,
        mute_end_time: None,
        mute_window: None,
        message_notifications: 3,
        suppress_everyone: false,
        suppress_roles: false,
        mobile_push: true,
        hide_muted_channels: false,
        notify_highlights: 0,
        flags: 0,
        version: 0,
        updated_at: 0,
    });
    let mute = current_mute(base.muted, base.mute_end_time, base.mute_window, now);
    let (muted, mute_end_time, mute_window) = apply_mute(mute, &change.mute);
    GuildPreferences {
        muted,
        mute_end_time,
        mute_window,
        message_notifications: change
            .message_notifications
            .unwrap_or(base.message_notifications),
        suppress_everyone: change.suppress_everyone.unwrap_or(base.suppress_everyone),
        suppress_roles: change.suppress_roles.unwrap_or(base.suppress_roles),
        mobile_push: change.mobile_push.unwrap_or(base.mobile_push),
        hide_muted_channels: change
            .hide_muted_channels
            .unwrap_or(base.hide_muted_channels),
        notify_highlights: change.notify_highlights.unwrap_or(base.notify_highlights),
        flags: change.flags.unwrap_or(base.flags),
        ..base
    }
}

/// A channel row after its changes: `current` (None: the defaults) with `change` applied.
pub(super) fn apply_channel(
    current: Option<&ChannelPreferences>,
    user_id: UserId,
    guild_id: Option<GuildId>,
    change: &ChannelChange,
    now: Timestamp,
) -> ChannelPreferences {
    let base = current.cloned().unwrap_or(ChannelPreferences {
        user_id,
        channel_id: change.channel_id,
        guild_id,
        muted: false,
        mute_end_time: None,
        mute_window: None,
        message_notifications: 3,
        collapsed: false,
        favorite: false,
        last_accessed_at: None,
    });
    let mute = current_mute(base.muted, base.mute_end_time, base.mute_window, now);
    let (muted, mute_end_time, mute_window) = apply_mute(mute, &change.mute);
    ChannelPreferences {
        muted,
        mute_end_time,
        mute_window,
        message_notifications: change
            .message_notifications
            .unwrap_or(base.message_notifications),
        collapsed: change.collapsed.unwrap_or(base.collapsed),
        favorite: change.favorite.unwrap_or(base.favorite),
        ..base
    }
}

#[cfg(test)]
mod tests;

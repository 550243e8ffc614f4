//! hearth-protocol: Discord v10 wire types, as the bot libraries expect them.
//!
//! - [`objects`]: what responses carry (users, guilds, roles, members, channels, messages, ...).
//! - [`requests`]: request bodies and query strings.
//! - [`events`]: committed changes as one enum: each event's payload, dispatch name and
//!   audience (what the gateway sends, and what crosses a cluster's bus).
//! - [`settings`]: a person's settings document, as read and changed (hearth's extension of
//!   Discord's deprecated `/users/@me/settings`).
//! - [`guild_settings`]: notification settings and channel preferences, in Discord's
//!   `user_guild_settings` shape (with hearth's `favorite` and `last_accessed_at`).
//! - [`ErrorBody`]: the error shape every failure uses ([`RateLimitBody`] for 429s).
//!
//! Ids are [`hearth_core::Snowflake`] (strings out; strings or integers in), instants
//! [`hearth_core::Timestamp`]. Shapes follow `spec/discord-compat.md` section 4.
#![forbid(unsafe_code)]

pub mod events;
pub mod guild_settings;
pub mod objects;
pub mod requests;
pub mod retention;
pub mod search;
pub mod settings;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Discord's error body: `{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`.
///
/// `errors` mirrors the request's shape; each leaf is `{"_errors": [{"code", "message"}]}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// JSON error code (0 general, 10003 unknown channel, 50035 invalid form body, ...).
    pub code: u32,
    /// Human-readable text.
    pub message: String,
    /// Per-field errors, for 50035.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub errors: Option<serde_json::Value>,
}

/// The body of a 429: `{"code", "message", "retry_after", "global"}`, with the wait also in the
/// `Retry-After` header (whole seconds, rounded up), as the client libraries expect.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateLimitBody {
    /// JSON error code (20016 slow mode, 0 otherwise).
    pub code: u32,
    /// Human-readable text.
    pub message: String,
    /// Seconds to wait before trying again.
    pub retry_after: f64,
    /// Always false: the limit is not global.
    pub global: bool,
}

/// Deserializes a field that may be absent (outer `None`), `null` (`Some(None)`) or a value.
/// Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Deserializes a field whose presence matters even when it is `null` (`Some(Value::Null)`).
/// Use with `#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]`.
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Deserializes a query flag leniently: `true`/`false`, `1`/`0` (discord.py sends `1`).
/// Use with `#[serde(default, deserialize_with = "flag")]` on an `Option<bool>`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("true, false, 1 or 0")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<bool, E> {
            match v {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(E::custom("expected true, false, 1 or 0")),
            }
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(E::custom(format!("value \"{v}\" is not a boolean"))),
            }
        }
    }
    d.deserialize_any(V).map(Some)
}

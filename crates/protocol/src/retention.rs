//! Deletion and retention rules (hearth's extension; docs/api.md, "Deletion and retention").
//!
//! A channel may be **secret**: a message deleted there leaves no row behind (elsewhere a
//! deleted message stays as a tombstone of id, author and times, its content erased). A guild
//! and a channel may have a **retention** in days: messages older than that are purged for
//! real by a background task (the channel's own retention, else its guild's).

use hearth_core::{ChannelId, GuildId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most days a retention may be (about 100 years).
pub const MAX_RETENTION_DAYS: i64 = 36_500;

/// `GET /channels/{id}/retention`, and what `PATCH` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChannelRetention {
    /// The channel.
    pub channel_id: ChannelId,
    /// A deleted message leaves no tombstone.
    pub secret: bool,
    /// The channel's own retention in days (null: none of its own).
    pub retention_days: Option<i64>,
    /// Its guild's retention in days (null: none, or not a guild channel).
    pub guild_retention_days: Option<i64>,
    /// What applies: the channel's own, else the guild's (null: messages are kept).
    pub effective_retention_days: Option<i64>,
}

/// `GET /guilds/{id}/retention`, and what `PATCH` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GuildRetention {
    /// The guild.
    pub guild_id: GuildId,
    /// Days its channels keep messages, unless they have their own (null: kept).
    pub retention_days: Option<i64>,
}

/// `PATCH /channels/{id}/retention`: fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyChannelRetention {
    /// Make the channel secret, or not.
    #[serde(default)]
    pub secret: Option<bool>,
    /// Days (1-36500); null removes the channel's own retention.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 36500)]
    pub retention_days: Option<Option<i64>>,
}

/// `PATCH /guilds/{id}/retention`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyGuildRetention {
    /// Days (1-36500); null removes the guild's retention.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 36500)]
    pub retention_days: Option<Option<i64>>,
}

//! Notification settings and channel preferences, in Discord's `user_guild_settings` shape.
//!
//! Per user there is one [`UserGuildSettings`] entry per guild (and one for the DMs and group
//! DMs, `guild_id` null), each with its channel overrides; hearth adds `favorite` and
//! `last_accessed_at` to each override (extensions: Discord has neither). READY carries them
//! as [`ReadyGuildSettings`]; `PATCH /users/@me/guilds/{guild_id}/settings` changes one entry
//! and answers it, and USER_GUILD_SETTINGS_UPDATE tells the user's sessions. The rules of each
//! field are checked by the API; docs/api.md has the table.

use hearth_core::{ChannelId, GuildId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a mute lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MuteConfig {
    /// When the mute ends; null: until it is turned off.
    pub end_time: Option<Timestamp>,
    /// The length the user picked, in seconds (-1: until turned off).
    pub selected_time_window: i64,
}

/// One channel's override in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChannelOverride {
    /// The channel.
    pub channel_id: ChannelId,
    /// Muted now (false once `mute_config.end_time` has passed).
    pub muted: bool,
    /// The mute's length, while it lasts.
    pub mute_config: Option<MuteConfig>,
    /// 0 all messages, 1 only mentions, 2 nothing, 3 as the entry says (the default).
    pub message_notifications: u8,
    /// A category shown collapsed.
    pub collapsed: bool,
    /// hearth's extension: the user's favourite (listed first by hearth's client).
    pub favorite: bool,
    /// hearth's extension: when the user last opened the channel (null: not recorded).
    pub last_accessed_at: Option<Timestamp>,
}

/// A user's settings for one guild, or for their DMs and group DMs (`guild_id` null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserGuildSettings {
    /// The guild; null for the DMs and group DMs.
    pub guild_id: Option<GuildId>,
    /// Muted now (false once `mute_config.end_time` has passed).
    pub muted: bool,
    /// The mute's length, while it lasts.
    pub mute_config: Option<MuteConfig>,
    /// 0 all messages, 1 only mentions, 2 nothing, 3 as the guild's default says (the
    /// default; all messages for the DMs).
    pub message_notifications: u8,
    /// Ignore @everyone and @here.
    pub suppress_everyone: bool,
    /// Ignore role mentions.
    pub suppress_roles: bool,
    /// Notify on mobile devices.
    pub mobile_push: bool,
    /// Hide muted channels.
    pub hide_muted_channels: bool,
    /// Highlights: 0 default, 1 off, 2 on.
    pub notify_highlights: u8,
    /// Discord's flag bits, kept as given.
    pub flags: i64,
    /// How many times the entry was written (0: never).
    pub version: i64,
    /// The channel overrides, by channel id.
    pub channel_overrides: Vec<ChannelOverride>,
}

/// READY's `user_guild_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadyGuildSettings {
    /// An entry for each guild (and the DMs) where the user has settings.
    pub entries: Vec<UserGuildSettings>,
    /// Always false: every entry is there.
    pub partial: bool,
    /// The highest version of the entries (0 when there are none).
    pub version: i64,
}

/// The body of `PATCH /users/@me/guilds/{guild_id}/settings` (for the OpenAPI document; the
/// API reads the body key by key to name every bad one). Every key is optional.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ModifyGuildSettings {
    /// Mute the guild (or the DMs).
    pub muted: Option<bool>,
    /// The mute's length; null: until turned off.
    pub mute_config: Option<MuteConfig>,
    /// 0 all messages, 1 only mentions, 2 nothing, 3 the guild's default.
    #[schema(minimum = 0, maximum = 3)]
    pub message_notifications: Option<u8>,
    /// Ignore @everyone and @here.
    pub suppress_everyone: Option<bool>,
    /// Ignore role mentions.
    pub suppress_roles: Option<bool>,
    /// Notify on mobile devices.
    pub mobile_push: Option<bool>,
    /// Hide muted channels.
    pub hide_muted_channels: Option<bool>,
    /// 0 default, 1 off, 2 on.
    #[schema(minimum = 0, maximum = 2)]
    pub notify_highlights: Option<u8>,
    /// Flag bits, 0 to 2^31 - 1.
    #[schema(minimum = 0, maximum = 2147483647)]
    pub flags: Option<i64>,
    /// Changes of channel overrides, keyed by channel id.
    #[schema(value_type = Option<HashMap<String, ModifyChannelOverride>>)]
    pub channel_overrides: Option<serde_json::Value>,
}

/// One channel's changes in [`ModifyGuildSettings`]; every key is optional.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ModifyChannelOverride {
    /// Mute the channel.
    pub muted: Option<bool>,
    /// The mute's length; null: until turned off.
    pub mute_config: Option<MuteConfig>,
    /// 0 all, 1 only mentions, 2 nothing, 3 as the entry says.
    #[schema(minimum = 0, maximum = 3)]
    pub message_notifications: Option<u8>,
    /// Show a category collapsed.
    pub collapsed: Option<bool>,
    /// hearth's extension: a favourite.
    pub favorite: Option<bool>,
}

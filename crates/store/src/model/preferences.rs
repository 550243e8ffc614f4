//! The stored records of notification settings and channel preferences (see
//! [`crate::ChannelPreferenceStore`]).

use hearth_core::{ChannelId, GuildId, UserId};
use sqlx::FromRow;

/// A user's notification settings for one guild, or for their DMs and group DMs (see
/// [`crate::ChannelPreferenceStore`]).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GuildPreferences {
    /// Whose.
    pub user_id: UserId,
    /// The guild; None for the DMs and group DMs.
    pub guild_id: Option<GuildId>,
    /// Muted (until `mute_end_time`, when there is one).
    pub muted: bool,
    /// When the mute ends (microseconds); None: until turned off.
    pub mute_end_time: Option<i64>,
    /// The mute's length as picked, in seconds (-1: until turned off); None: no mute config.
    pub mute_window: Option<i64>,
    /// 0 all messages, 1 only mentions, 2 nothing, 3 the guild's default.
    pub message_notifications: i64,
    /// Ignore @everyone and @here.
    pub suppress_everyone: bool,
    /// Ignore role mentions.
    pub suppress_roles: bool,
    /// Notify on mobile devices.
    pub mobile_push: bool,
    /// Hide muted channels in the channel list.
    pub hide_muted_channels: bool,
    /// Highlights: 0 default, 1 off, 2 on.
    pub notify_highlights: i64,
    /// Discord's flag bits, kept as given.
    pub flags: i64,
    /// How many writes made it (1 after the first).
    pub version: i64,
    /// When it was last written (microseconds).
    pub updated_at: i64,
}

/// A user's preferences for one channel: a channel override of an entry, and hearth's favourite
/// and last access.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ChannelPreferences {
    /// Whose.
    pub user_id: UserId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The channel's guild; None for a DM or group DM.
    pub guild_id: Option<GuildId>,
    /// Muted (until `mute_end_time`, when there is one).
    pub muted: bool,
    /// When the mute ends (microseconds); None: until turned off.
    pub mute_end_time: Option<i64>,
    /// The mute's length as picked, in seconds (-1: until turned off); None: no mute config.
    pub mute_window: Option<i64>,
    /// 0 all, 1 only mentions, 2 nothing, 3 as the guild's entry says.
    pub message_notifications: i64,
    /// A category shown collapsed.
    pub collapsed: bool,
    /// A favourite (hearth's extension).
    pub favorite: bool,
    /// When the user last opened the channel (microseconds).
    pub last_accessed_at: Option<i64>,
}

/// One entry: a user's settings for a guild (or the DMs) and their channel overrides there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferenceEntry {
    /// The guild-level settings; None when never written (the defaults, version 0).
    pub guild: Option<GuildPreferences>,
    /// The channel rows of the entry, by channel id.
    pub channels: Vec<ChannelPreferences>,
}

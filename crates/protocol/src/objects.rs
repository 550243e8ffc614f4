//! Response objects.

use hearth_core::{
    ApplicationId, AuditEntryId, ChannelId, GuildId, MemberKind, MessageId, Permissions, RoleId,
    Snowflake, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod directed_invites;
mod messages;
mod people;
mod reactions;
pub use directed_invites::*;
pub use messages::*;
pub use reactions::*;
mod threads;
mod workspace;
pub use people::*;
pub use threads::*;
pub use workspace::*;

/// A user (spec 4.1). `discriminator` is always `"0"` (the new username system).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Always `"0"`.
    pub discriminator: String,
    /// Display name.
    pub global_name: Option<String>,
    /// Avatar hash.
    pub avatar: Option<String>,
    /// Whether this is a bot.
    pub bot: bool,
    /// Public badges (none yet).
    pub public_flags: u64,
}

/// The authenticated user (`GET /users/@me`): a user plus private fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CurrentUser {
    /// The public part.
    #[serde(flatten)]
    pub user: User,
    /// E-mail address (people only).
    pub email: Option<String>,
    /// Whether the e-mail address was confirmed.
    pub verified: bool,
    /// Multi-factor authentication enabled.
    pub mfa_enabled: bool,
    /// Private flags.
    pub flags: u64,
    /// Locale.
    pub locale: String,
}

/// Role colours (dpy 2.7 reads `colors.primary_color`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleColors {
    /// RGB.
    pub primary_color: u32,
    /// Gradient second colour.
    pub secondary_color: Option<u32>,
    /// Holographic third colour.
    pub tertiary_color: Option<u32>,
}

/// A role (spec 4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Role {
    /// Id (@everyone: the guild's id).
    pub id: RoleId,
    /// Name.
    pub name: String,
    /// Permission bits.
    pub permissions: Permissions,
    /// Position in the hierarchy.
    pub position: i64,
    /// RGB colour (legacy field).
    pub color: u32,
    /// Colours.
    pub colors: RoleColors,
    /// Shown apart.
    pub hoist: bool,
    /// Owned by an integration.
    pub managed: bool,
    /// Mentionable by anyone.
    pub mentionable: bool,
    /// Role flags.
    pub flags: u64,
    /// Icon hash.
    pub icon: Option<String>,
    /// Unicode emoji.
    pub unicode_emoji: Option<String>,
    /// What the role belongs to: a bot's own role names its bot (absent for other roles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<RoleTags>,
}

/// A role's `tags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleTags {
    /// The bot whose own role this is.
    pub bot_id: UserId,
}

/// A guild member (spec 4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Member {
    /// The user (absent inside messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Nickname.
    pub nick: Option<String>,
    /// Guild avatar hash.
    pub avatar: Option<String>,
    /// Role ids, without @everyone.
    pub roles: Vec<RoleId>,
    /// When the member joined.
    pub joined_at: Timestamp,
    /// Boosting since.
    pub premium_since: Option<Timestamp>,
    /// Server-deafened.
    pub deaf: bool,
    /// Server-muted.
    pub mute: bool,
    /// Member flags.
    pub flags: u64,
    /// Has not passed membership screening.
    pub pending: bool,
    /// Timed out until.
    pub communication_disabled_until: Option<Timestamp>,
    /// hearth's extension: `member`, `guest` or `bot`.
    #[serde(default)]
    pub hearth_kind: MemberKind,
    /// hearth's extension: when a guest's access ends (null: never, and for everyone else).
    #[serde(default)]
    pub hearth_guest_expires_at: Option<Timestamp>,
}

/// A ban (`GET /guilds/{id}/bans`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ban {
    /// The banned user.
    pub user: User,
    /// Why, as the moderator said.
    pub reason: Option<String>,
}

/// A permission overwrite on a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Overwrite {
    /// Role or member id.
    pub id: Snowflake,
    /// 0 role, 1 member.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Allowed bits.
    pub allow: Permissions,
    /// Denied bits.
    pub deny: Permissions,
}

/// A guild channel (spec 4.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    /// Id.
    pub id: ChannelId,
    /// Channel type: 0 text, 4 category.
    #[serde(rename = "type")]
    pub kind: i64,
    /// Guild.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<GuildId>,
    /// Name.
    pub name: Option<String>,
    /// Sort position.
    pub position: i64,
    /// Category.
    pub parent_id: Option<ChannelId>,
    /// Permission overwrites.
    pub permission_overwrites: Vec<Overwrite>,
    /// Topic.
    pub topic: Option<String>,
    /// Age-restricted.
    pub nsfw: bool,
    /// Slow mode seconds.
    pub rate_limit_per_user: i64,
    /// Newest message.
    pub last_message_id: Option<MessageId>,
    /// Channel flags.
    pub flags: u64,
    /// hearth's extension, on guild channels read over REST (`GET /channels/{id}`,
    /// `GET /guilds/{id}/channels`): the channel's counters. Absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearth_counters: Option<ChannelCounters>,
    /// A thread's keys (threads only).
    #[serde(flatten)]
    #[schema(value_type = ThreadKeys)]
    pub thread: Option<Box<ThreadFields>>,
}

/// A guild (spec 4.5, without the gateway-only keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Guild {
    /// Id.
    pub id: GuildId,
    /// Name.
    pub name: String,
    /// Icon hash.
    pub icon: Option<String>,
    /// Splash hash.
    pub splash: Option<String>,
    /// Discovery splash hash.
    pub discovery_splash: Option<String>,
    /// Banner hash.
    pub banner: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Owner.
    pub owner_id: UserId,
    /// AFK channel.
    pub afk_channel_id: Option<ChannelId>,
    /// AFK timeout in seconds.
    pub afk_timeout: i64,
    /// 0..=4.
    pub verification_level: i64,
    /// 0..=1.
    pub default_message_notifications: i64,
    /// 0..=2.
    pub explicit_content_filter: i64,
    /// 0..=1.
    pub mfa_level: i64,
    /// 0..=3.
    pub nsfw_level: i64,
    /// Feature names.
    pub features: Vec<String>,
    /// Roles, @everyone included.
    pub roles: Vec<Role>,
    /// Custom emoji.
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
    /// Stickers.
    #[schema(value_type = Vec<Object>)]
    pub stickers: Vec<serde_json::Value>,
    /// Where join notices go.
    pub system_channel_id: Option<ChannelId>,
    /// System channel flags.
    pub system_channel_flags: u64,
    /// Rules channel.
    pub rules_channel_id: Option<ChannelId>,
    /// Community updates channel.
    pub public_updates_channel_id: Option<ChannelId>,
    /// Safety alerts channel.
    pub safety_alerts_channel_id: Option<ChannelId>,
    /// Vanity invite code.
    pub vanity_url_code: Option<String>,
    /// Boost tier.
    pub premium_tier: i64,
    /// Boosts.
    pub premium_subscription_count: i64,
    /// Locale.
    pub preferred_locale: String,
    /// Member cap.
    pub max_members: i64,
    /// Boost progress bar shown.
    pub premium_progress_bar_enabled: bool,
    /// Creating application.
    pub application_id: Option<ApplicationId>,
    /// Members (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_member_count: Option<i64>,
    /// Members online (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_presence_count: Option<i64>,
    /// hearth's extension: the guild's default channels, in order, shown first to new members
    /// (on `GET /guilds/{id}`, its PATCH, GUILD_CREATE and GUILD_UPDATE; absent elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearth_default_channel_ids: Option<Vec<ChannelId>>,
}

/// A guild as listed by `GET /users/@me/guilds`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartialGuild {
    /// Id.
    pub id: GuildId,
    /// Name.
    pub name: String,
    /// Icon hash.
    pub icon: Option<String>,
    /// Banner hash.
    pub banner: Option<String>,
    /// Whether the caller owns it.
    pub owner: bool,
    /// The caller's guild-level permissions.
    pub permissions: Permissions,
    /// Feature names.
    pub features: Vec<String>,
    /// Members (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_member_count: Option<i64>,
    /// Members online (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_presence_count: Option<i64>,
}

/// An audit log entry (`GET /guilds/{id}/audit-logs`; with `guild_id`, the payload of
/// GUILD_AUDIT_LOG_ENTRY_CREATE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditLogEntry {
    /// Id.
    pub id: AuditEntryId,
    /// Who acted.
    pub user_id: Option<UserId>,
    /// What was acted on (a user, role, channel, invite, ...).
    pub target_id: Option<Snowflake>,
    /// Discord's audit log event number.
    pub action_type: i64,
    /// Changed keys, as recorded: `{key, old_value?, new_value?}` (the values' types depend on
    /// the key).
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<serde_json::Value>,
    /// Extra details of some actions.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::present"
    )]
    #[schema(value_type = Option<Object>)]
    pub options: Option<serde_json::Value>,
    /// Why, as the moderator said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The guild part of an invite.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InviteGuild {
    /// Id.
    pub id: GuildId,
    /// Name.
    pub name: String,
    /// Icon hash.
    pub icon: Option<String>,
    /// Splash hash.
    pub splash: Option<String>,
    /// Banner hash.
    pub banner: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Feature names.
    pub features: Vec<String>,
    /// 0..=4.
    pub verification_level: i64,
    /// Vanity code.
    pub vanity_url_code: Option<String>,
    /// 0..=3.
    pub nsfw_level: i64,
    /// Boosts.
    pub premium_subscription_count: i64,
}

/// The channel part of an invite.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InviteChannel {
    /// Id.
    pub id: ChannelId,
    /// Name.
    pub name: Option<String>,
    /// Channel type.
    #[serde(rename = "type")]
    pub kind: i64,
}

/// An invite (spec 5.4), with its metadata.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invite {
    /// 8-character code.
    pub code: String,
    /// 0: guild invite.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Guild.
    pub guild: InviteGuild,
    /// Guild id (as in INVITE_CREATE).
    pub guild_id: GuildId,
    /// Channel.
    pub channel: InviteChannel,
    /// Who made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inviter: Option<User>,
    /// Joins so far.
    pub uses: i64,
    /// Allowed joins (0: unlimited).
    pub max_uses: i64,
    /// Lifetime in seconds (0: forever).
    pub max_age: i64,
    /// Grants temporary membership.
    pub temporary: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Expiry time.
    pub expires_at: Option<Timestamp>,
    /// Members (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_member_count: Option<i64>,
    /// Members online (with `with_counts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_presence_count: Option<i64>,
    /// hearth's extension: who joins by it becomes a guest given its channel.
    #[serde(default)]
    pub hearth_guest: bool,
    /// hearth's extension: seconds a guest admitted by it stays (0: no expiry).
    #[serde(default)]
    pub hearth_guest_ttl: i64,
}

/// An application (spec 4.8).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Application {
    /// Id (= the bot user's id).
    pub id: ApplicationId,
    /// Name.
    pub name: String,
    /// Icon hash.
    pub icon: Option<String>,
    /// Description.
    pub description: String,
    /// Others may add the bot.
    pub bot_public: bool,
    /// Adding the bot needs an OAuth2 code grant.
    pub bot_require_code_grant: bool,
    /// 64 hex characters.
    pub verify_key: String,
    /// Who made it.
    pub owner: User,
    /// Team (none).
    #[schema(value_type = Option<Object>)]
    pub team: Option<serde_json::Value>,
    /// Application flags.
    pub flags: u64,
    /// Summary.
    pub summary: String,
    /// OAuth2 redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Interactions endpoint.
    pub interactions_endpoint_url: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The bot user.
    pub bot: User,
}

/// A new application, with its bot token (shown only here).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedApplication {
    /// The application.
    #[serde(flatten)]
    pub application: Application,
    /// The bot token, for `Authorization: Bot <token>`.
    pub token: String,
}

/// `POST /auth/register`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The new session's token.
    pub token: String,
}

/// `POST /auth/login`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The new session's token.
    pub token: String,
    /// Whose session.
    pub user_id: UserId,
}

/// `GET /gateway`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GatewayUrl {
    /// WebSocket URL, without a query string.
    pub url: String,
}

/// Identify budget of `GET /gateway/bot`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionStartLimit {
    /// Identifies per window.
    pub total: u32,
    /// Left in this window.
    pub remaining: u32,
    /// Milliseconds until the window resets.
    pub reset_after: u64,
    /// Identifies allowed at once.
    pub max_concurrency: u32,
}

/// `GET /gateway/bot`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GatewayBot {
    /// WebSocket URL, without a query string.
    pub url: String,
    /// Recommended shards.
    pub shards: u32,
    /// Identify budget.
    pub session_start_limit: SessionStartLimit,
}

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `degraded` (with status 503) when the bus is disconnected.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// `local` (one node) or `nats` (a cluster).
    pub bus: String,
    /// This node's id.
    pub node_id: u16,
}

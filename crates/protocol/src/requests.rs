//! Request bodies and query strings. Unknown fields are accepted and ignored (clients send many
//! that hearth does not use); ids are accepted as strings or integers.

use hearth_core::{
    ApplicationId, AuditEntryId, ChannelId, ChannelKind, GuildId, MessageId, OverwriteKind,
    Permissions, RoleId, Snowflake, UserId,
};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::{double_option, flag};

mod directed_invites;
mod members;
mod mentions;
mod message_reference;
mod reactions;
mod relationships;
mod threads;
pub use directed_invites::*;
pub use members::*;
pub use mentions::*;
pub use message_reference::*;
pub use reactions::*;
pub use relationships::*;
pub use threads::*;

/// `POST /auth/register`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Register {
    /// 2-32 characters: letters, digits, `_` and `.`, without two periods in a row.
    #[schema(min_length = 2, max_length = 32, pattern = "^[A-Za-z0-9_.]+$")]
    pub username: String,
    /// 8-128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// Optional e-mail address (unique), at most 254 characters.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Optional display name, 1-32 characters after trimming.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32)]
    pub global_name: Option<String>,
}

/// `POST /auth/login`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Login {
    /// Username or e-mail address, at most 254 characters.
    #[schema(max_length = 254)]
    pub login: String,
    /// Password, at most 1024 characters.
    #[schema(max_length = 1024)]
    pub password: String,
}

/// `PATCH /users/@me`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyCurrentUser {
    /// New username, 2-32 characters (a person's: letters, digits, `_` and `.`).
    #[serde(default)]
    #[schema(min_length = 2, max_length = 32)]
    pub username: Option<String>,
    /// New display name, 1-32 characters after trimming; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 32)]
    pub global_name: Option<Option<String>>,
}

/// `GET /users/@me/guilds`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserGuildsQuery {
    /// Guilds with ids below this.
    pub before: Option<GuildId>,
    /// Guilds with ids above this.
    pub after: Option<GuildId>,
    /// 1-200, default 200.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Include approximate member and presence counts.
    #[serde(default, deserialize_with = "flag")]
    pub with_counts: Option<bool>,
}

/// `POST /applications`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateApplication {
    /// 2-32 characters after trimming; also the bot user's name.
    #[schema(min_length = 2, max_length = 32)]
    pub name: String,
    /// Description, up to 400 characters.
    #[serde(default)]
    #[schema(max_length = 400)]
    pub description: Option<String>,
}

/// Query of `POST /oauth2/authorize`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// The application (= bot user) id.
    pub client_id: ApplicationId,
    /// Must contain `bot`.
    pub scope: String,
    /// Permission bits the bot's role gets.
    pub permissions: Option<Permissions>,
}

/// Body of `POST /oauth2/authorize`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Authorize {
    /// Guild to add the bot to.
    pub guild_id: GuildId,
    /// Must be true.
    pub authorize: bool,
    /// Permission bits (overrides the query's).
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

/// `POST /guilds`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateGuild {
    /// 2-100 characters after trimming.
    #[schema(min_length = 2, max_length = 100)]
    pub name: String,
    /// Description, up to 120 characters.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub description: Option<String>,
    /// 0..=4.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 4)]
    pub verification_level: Option<i64>,
    /// 0..=1.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    pub default_message_notifications: Option<i64>,
    /// 0..=2.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2)]
    pub explicit_content_filter: Option<i64>,
}

/// `GET /guilds/{id}`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithCountsQuery {
    /// Include approximate member and presence counts.
    #[serde(default, deserialize_with = "flag")]
    pub with_counts: Option<bool>,
}

/// `PATCH /guilds/{id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyGuild {
    /// 2-100 characters after trimming.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 100)]
    pub name: Option<String>,
    /// Description, up to 120 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 120)]
    pub description: Option<Option<String>>,
    /// A text channel of the guild; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ChannelId>)]
    pub system_channel_id: Option<Option<ChannelId>>,
    /// New owner (owner only; must be a member).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// 0..=4.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 4)]
    pub verification_level: Option<i64>,
    /// 0..=1.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    pub default_message_notifications: Option<i64>,
    /// 0..=2.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2)]
    pub explicit_content_filter: Option<i64>,
    /// One of 60, 300, 900, 1800, 3600.
    #[serde(default)]
    #[schema(minimum = 60, maximum = 3600)]
    pub afk_timeout: Option<i64>,
    /// Locale tag, 1-16 characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 16)]
    pub preferred_locale: Option<String>,
    /// hearth's extension: the default channels, in order (text channels of the guild, at
    /// most 10; `[]` clears them).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub hearth_default_channel_ids: Option<Vec<ChannelId>>,
}

/// `GET /guilds/{id}/members`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// 1-1000, default 1.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Members with user ids above this.
    pub after: Option<UserId>,
}

/// `POST /guilds/{id}/channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateChannel {
    /// 1-100 characters after trimming.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// 0 text (default) or 4 category; a number that is no channel type is refused while
    /// reading the body.
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4)]
    pub kind: Option<ChannelKind>,
    /// Up to 1024 characters.
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub topic: Option<String>,
    /// Category.
    #[serde(default)]
    pub parent_id: Option<ChannelId>,
    /// Sort position, 0 to 2147483647.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2147483647)]
    pub position: Option<i64>,
    /// Age-restricted.
    #[serde(default)]
    pub nsfw: Option<bool>,
    /// Slow mode, 0-21600 seconds.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 21600)]
    pub rate_limit_per_user: Option<i64>,
    /// Up to 100 permission overwrites; when left out, a channel created in a category gets
    /// the category's (it starts in sync with it).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub permission_overwrites: Option<Vec<OverwriteBody>>,
}

/// `PATCH /channels/{id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyChannel {
    /// 1-100 characters after trimming.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Up to 1024 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1024)]
    pub topic: Option<Option<String>>,
    /// Sort position, 0 to 2147483647.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 2147483647)]
    pub position: Option<Option<i64>>,
    /// Category; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ChannelId>)]
    pub parent_id: Option<Option<ChannelId>>,
    /// Age-restricted.
    #[serde(default)]
    pub nsfw: Option<bool>,
    /// Slow mode, 0-21600 seconds.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 21600)]
    pub rate_limit_per_user: Option<Option<i64>>,
    /// Replaces every permission overwrite of the channel (up to 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub permission_overwrites: Option<Vec<OverwriteBody>>,
    /// With `parent_id`: take the new category's overwrites (sync with it).
    #[serde(default)]
    pub lock_permissions: Option<bool>,
    /// A thread's archive state and settings.
    #[serde(flatten)]
    pub thread: ModifyThread,
}

/// One entry of `PATCH /guilds/{id}/channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelPosition {
    /// Channel.
    pub id: ChannelId,
    /// New position, 0 to 2147483647.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 2147483647)]
    pub position: Option<Option<i64>>,
    /// New category; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ChannelId>)]
    pub parent_id: Option<Option<ChannelId>>,
    /// With `parent_id`: take the new category's overwrites (sync with it).
    #[serde(default)]
    pub lock_permissions: Option<bool>,
    /// A thread's archive state and settings.
    #[serde(flatten)]
    pub thread: ModifyThread,
}

/// The body of `PATCH /guilds/{id}/channels`: 1 to 500 [`ChannelPosition`]s (a schema only;
/// the handler reads a list of them).
#[derive(Debug, Clone, Copy)]
pub struct ChannelPositions;

impl utoipa::PartialSchema for ChannelPositions {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(Ref::from_schema_name(ChannelPosition::name()))
            .min_items(Some(1))
            .max_items(Some(500))
            .into()
    }
}

impl ToSchema for ChannelPositions {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((ChannelPosition::name().into(), ChannelPosition::schema()));
        ChannelPosition::schemas(schemas);
    }
}

/// A permission overwrite in a channel body, and the body of
/// `PUT /channels/{id}/permissions/{overwrite_id}` (whose path gives the id).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OverwriteBody {
    /// Role (@everyone: the guild's id) or user; required in channel bodies.
    #[serde(default)]
    pub id: Option<Snowflake>,
    /// 0 role, 1 member.
    #[serde(rename = "type")]
    #[schema(value_type = i64, minimum = 0, maximum = 1)]
    pub kind: OverwriteKind,
    /// Bits granted, as a decimal string (default none).
    #[serde(default)]
    pub allow: Option<Permissions>,
    /// Bits taken away, as a decimal string (default none).
    #[serde(default)]
    pub deny: Option<Permissions>,
}

/// `POST /channels/{id}/invites`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateInvite {
    /// Lifetime in seconds, 0 (forever) to 604800; default 86400.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 604800)]
    pub max_age: Option<i64>,
    /// Joins allowed, 0 (unlimited) to 100; default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub max_uses: Option<i64>,
    /// Grants temporary membership.
    #[serde(default)]
    pub temporary: Option<bool>,
    /// Always make a new invite instead of reusing a matching one.
    #[serde(default)]
    pub unique: Option<bool>,
    /// hearth's extension: who joins by it becomes a guest given this channel (MANAGE_GUILD).
    #[serde(default)]
    pub hearth_guest: Option<bool>,
    /// hearth's extension: seconds such a guest stays, 0 (no expiry) to 31536000; default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 31536000)]
    pub hearth_guest_ttl: Option<i64>,
}

/// `GET /invites/{code}`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InviteQuery {
    /// Include approximate member and presence counts.
    #[serde(default, deserialize_with = "flag")]
    pub with_counts: Option<bool>,
    /// Include `expires_at` (always included).
    #[serde(default, deserialize_with = "flag")]
    pub with_expiration: Option<bool>,
}

/// `POST /channels/{id}/messages`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateMessage {
    /// Up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub content: Option<String>,
    /// Client nonce: a string or integer of up to 25 characters.
    #[serde(default, deserialize_with = "nonce")]
    #[schema(value_type = Option<String>, max_length = 25)]
    pub nonce: Option<String>,
    /// With a nonce: a repeat within a few minutes returns the first message.
    #[serde(default)]
    pub enforce_nonce: Option<bool>,
    /// Text to speech.
    #[serde(default)]
    pub tts: Option<bool>,
    /// Up to 10 embed objects.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub embeds: Option<Vec<serde_json::Value>>,
    /// Reply target.
    #[serde(default)]
    pub message_reference: Option<MessageReferenceRequest>,
    /// Flags: 4 suppress embeds, 4096 suppress notifications.
    #[serde(default)]
    pub flags: Option<i64>,
    /// Which mentions count.
    #[serde(default)]
    pub allowed_mentions: Option<AllowedMentions>,
}

/// `PATCH /channels/{id}/messages/{id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EditMessage {
    /// Up to 2000 characters; null empties it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub content: Option<Option<String>>,
    /// Up to 10 replacement embeds; null removes them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub embeds: Option<Option<Vec<serde_json::Value>>>,
    /// Flags: only 4 (suppress embeds) can change.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub flags: Option<Option<i64>>,
    /// Which mentions of the new content count.
    #[serde(default)]
    pub allowed_mentions: Option<AllowedMentions>,
}

/// `GET /channels/{id}/messages`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages around this id.
    pub around: Option<MessageId>,
    /// Messages before this id.
    pub before: Option<MessageId>,
    /// Messages after this id (0 for the oldest).
    pub after: Option<MessageId>,
    /// 1-100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

fn nonce<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => None,
        Some(N::S(s)) => Some(s),
        Some(N::I(i)) => Some(i.to_string()),
        Some(N::U(u)) => Some(u.to_string()),
    })
}

/// Role colours as clients send them (`colors`; only the primary colour is kept).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RoleColorsIn {
    /// RGB colour.
    #[serde(default)]
    #[schema(maximum = 16777215)]
    pub primary_color: Option<u32>,
}

/// `POST /guilds/{id}/roles` and `PATCH /guilds/{id}/roles/{role}`: fields left out are
/// unchanged (or defaulted, on creation).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RoleBody {
    /// 1-100 characters after trimming (default "new role").
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Permission bits, as a decimal string.
    #[serde(default)]
    pub permissions: Option<Permissions>,
    /// RGB colour (legacy field; `colors.primary_color` wins when both are sent).
    #[serde(default)]
    #[schema(maximum = 16777215)]
    pub color: Option<u32>,
    /// Colours.
    #[serde(default)]
    pub colors: Option<RoleColorsIn>,
    /// Shown apart in the member list.
    #[serde(default)]
    pub hoist: Option<bool>,
    /// Anyone may mention it.
    #[serde(default)]
    pub mentionable: Option<bool>,
}

/// One entry of `PATCH /guilds/{id}/roles`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RolePosition {
    /// Role.
    pub id: RoleId,
    /// New position, 1 to 2147483647 (@everyone alone is 0).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 2147483647)]
    pub position: Option<i64>,
}

/// `GET /guilds/{id}/audit-logs`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogQuery {
    /// Only entries made by this user.
    pub user_id: Option<UserId>,
    /// Only entries of this action type.
    pub action_type: Option<i64>,
    /// Entries with ids below this (newest first).
    pub before: Option<AuditEntryId>,
    /// Entries with ids above this.
    pub after: Option<AuditEntryId>,
    /// 1-100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// `PUT /guilds/{id}/bans/{user}`, in the JSON body (discord.js) or the query (discord.py).
/// With neither field, no message is deleted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreateBan {
    /// Delete the user's messages of the last N seconds (0-604800).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 604800)]
    #[param(minimum = 0, maximum = 604800)]
    pub delete_message_seconds: Option<i64>,
    /// Deprecated: the same in days (0-7); `delete_message_seconds` wins when both are given.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 7)]
    #[param(minimum = 0, maximum = 7)]
    pub delete_message_days: Option<i64>,
}

/// `GET /guilds/{id}/bans`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BansQuery {
    /// 1-1000, default 1000.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Bans of users with ids below this.
    pub before: Option<UserId>,
    /// Bans of users with ids above this.
    pub after: Option<UserId>,
}

/// `POST /channels/{id}/messages/bulk-delete`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BulkDelete {
    /// 2-100 message ids (strings or integers).
    #[schema(min_items = 2, max_items = 100)]
    pub messages: Vec<MessageId>,
}

/// `POST /users/@me/channels`: a DM with `recipient_id`, or a group DM with `recipients` (the
/// caller is added; one other recipient makes a DM), optionally named.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreatePrivateChannel {
    /// The other person of a DM.
    #[serde(default)]
    pub recipient_id: Option<UserId>,
    /// The other people of a group DM (up to 9).
    #[serde(default)]
    pub recipients: Option<Vec<UserId>>,
    /// A group DM's name.
    #[serde(default)]
    pub name: Option<String>,
}

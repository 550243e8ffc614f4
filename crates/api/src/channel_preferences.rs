//! `/users/@me/guilds/{guild_id}/settings`: a person's notification settings for a guild, or for
//! their DMs and group DMs (`@me`), with a channel override per channel (mute, notification
//! level, collapsed, and hearth's favourite); and `/users/@me/channels/{channel_id}/access`,
//! hearth's record of when the person last opened a channel. People only: bots are refused
//! (403, 20001).
//!
//! An entry is answered in Discord's `user_guild_settings` shape (`state/src/wire.rs`). A change
//! goes to every session of the user as USER_GUILD_SETTINGS_UPDATE with the whole entry (one
//! per-user event, so each cluster node delivers it once), under the user's ordering lock. The
//! last access is no event: it is written at most once a minute per channel and read in READY
//! and in the entry.

mod rules;

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, GuildId, Snowflake, Timestamp, UserId};
use hearth_protocol::events::Event;
use hearth_protocol::guild_settings::{ModifyGuildSettings, UserGuildSettings};
use hearth_protocol::ErrorBody;
use hearth_state::wire;
use hearth_store::PreferenceEntry;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{Auth, Json, Path};
use crate::{access, private, ApiError, ApiResult, AppState};

/// The last access of a channel is written at most this often (microseconds).
const ACCESS_COALESCE_MICROS: i64 = 60_000_000;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_guild_settings, modify_guild_settings))
        .routes(routes!(record_access))
}

/// `{guild_id}`: a guild the caller is a member of (404 10004 unknown, 403 50001 not a member),
/// or `@me` (None) for their DMs and group DMs.
async fn scope(state: &AppState, raw: &str, me: UserId) -> ApiResult<Option<GuildId>> {
    if raw == "@me" {
        return Ok(None);
    }
    let Ok(id) = raw.parse::<Snowflake>() else {
        return Err(ApiError::field(
            "guild_id",
            FieldError::new(
                "NUMBER_TYPE_COERCE",
                format!("Value \"{raw}\" is not snowflake."),
            ),
        ));
    };
    let guild_id = GuildId::from(id);
    access::guild(state, guild_id, me).await?;
    Ok(Some(guild_id))
}

/// Refuses a channel that is not of the entry's guild (404 10003: unknown, another guild's, or
/// private in a guild's entry) or that the caller may not view (403 50001); for `@me`, a
/// private channel the caller is in.
async fn check_channel(
    state: &AppState,
    guild_id: Option<GuildId>,
    channel_id: ChannelId,
    me: UserId,
) -> ApiResult<()> {
    match guild_id {
        Some(g) => match access::channel_access(state, channel_id, me).await {
            Ok(a) if a.guild_id == g => Ok(()),
            Ok(_) => Err(ApiError::UnknownChannel),
            // A channel of a guild the caller is not in is no channel of this one.
            Err(ApiError::MissingAccess) if !in_guild(state, channel_id, g).await? => {
                Err(ApiError::UnknownChannel)
            }
            Err(e) => Err(e),
        },
        None => private::recipient_access(state, channel_id, me)
            .await
            .map(|_| ()),
    }
}

/// Whether `channel_id` is a channel of `guild_id`.
async fn in_guild(state: &AppState, channel_id: ChannelId, guild_id: GuildId) -> ApiResult<bool> {
    let found = state.hub.states.guild_of_channel(channel_id).await?;
    Ok(found == Some(guild_id))
}

/// The entry as answered: the DMs' overrides cut to the private channels the caller is in.
async fn render(
    state: &AppState,
    me: UserId,
    guild_id: Option<GuildId>,
    mut entry: PreferenceEntry,
) -> ApiResult<UserGuildSettings> {
    if guild_id.is_none() && !entry.channels.is_empty() {
        let mine: Vec<ChannelId> = state
            .store
            .fetch_private_channels(me)
            .await?
            .iter()
            .map(|pc| pc.channel.id)
            .collect();
        entry.channels.retain(|c| mine.contains(&c.channel_id));
    }
    Ok(wire::guild_settings(&entry, guild_id, Timestamp::now()))
}

/// hearth's extension: the caller's entry for a guild, or for their DMs (`@me`): the settings
/// set, or the defaults at version 0.
#[utoipa::path(get, path = "/users/@me/guilds/{guild_id}/settings", tag = "users", operation_id = "get_user_guild_settings",
    params(("guild_id" = String, Path, description = "A guild's id, or `@me` for the DMs and group DMs.")),
    responses((status = 200, body = UserGuildSettings),
        (status = 400, description = "`guild_id` is neither a snowflake nor `@me` (50035).", body = ErrorBody),
        (status = 403, description = "Not a member of the guild (50001); bots (20001).", body = ErrorBody),
        (status = 404, description = "Unknown guild (10004).", body = ErrorBody)))]
async fn get_guild_settings(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<UserGuildSettings>> {
    let me = auth.person()?.user;
    let guild_id = scope(&state, &raw, me.id).await?;
    let entry = state.store.fetch_preference_entry(me.id, guild_id).await?;
    Ok(axum::Json(render(&state, me.id, guild_id, entry).await?))
}

/// Changes the caller's notification settings for a guild, or for their DMs (`@me`): the keys
/// sent change, the rest stay; `channel_overrides` is an object keyed by channel id, each with
/// the keys of that channel to change. Answers the whole entry, one version up.
#[utoipa::path(patch, path = "/users/@me/guilds/{guild_id}/settings", tag = "users", operation_id = "modify_user_guild_settings",
    params(("guild_id" = String, Path, description = "A guild's id, or `@me` for the DMs and group DMs.")),
    request_body = ModifyGuildSettings,
    responses((status = 200, description = "The entry as it is now.", body = UserGuildSettings),
        (status = 400, description = "A key hearth does not know, a wrong type, a number out of range, a bad date, more than 500 channels (50035); malformed JSON (50109).", body = ErrorBody),
        (status = 403, description = "Not a member of the guild, or a channel the caller may not view or is not in (50001); bots (20001).", body = ErrorBody),
        (status = 404, description = "Unknown guild (10004); a channel not of that guild, or not a private channel of the caller for `@me` (10003).", body = ErrorBody)))]
async fn modify_guild_settings(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<axum::Json<UserGuildSettings>> {
    let me = auth.person()?.user;
    let guild_id = scope(&state, &raw, me.id).await?;
    let patch = rules::read_patch(&body)?;
    for c in &patch.channels {
        check_channel(&state, guild_id, c.channel_id, me.id).await?;
    }
    let mut change = Change::begin(&state, me.id).await;
    let now = Timestamp::now();
    let current = state.store.fetch_preference_entry(me.id, guild_id).await?;
    let guild = rules::apply_guild(current.guild.as_ref(), me.id, guild_id, &patch.guild, now);
    let channels: Vec<_> = patch
        .channels
        .iter()
        .map(|c| {
            let row = current
                .channels
                .iter()
                .find(|r| r.channel_id == c.channel_id);
            rules::apply_channel(row, me.id, guild_id, c, now)
        })
        .collect();
    let written = state
        .store
        .update_preference_entry(&guild, &channels, now)
        .await?;
    let settings = render(&state, me.id, guild_id, written).await?;
    change.publish(Event::UserGuildSettingsUpdate {
        user_id: me.id,
        settings: Box::new(settings.clone()),
    });
    change.done().await?;
    Ok(axum::Json(settings))
}

/// hearth's extension: records that the caller opened a channel they may view (a guild's, or a
/// DM or group DM they are in), as the channel override's `last_accessed_at`. Written at most
/// once a minute per channel (a call within the minute changes nothing); no event.
#[utoipa::path(post, path = "/users/@me/channels/{channel_id}/access", tag = "users", operation_id = "record_channel_access",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204, description = "Recorded (or recorded less than a minute ago)."),
        (status = 400, description = "`channel_id` is not a snowflake (50035).", body = ErrorBody),
        (status = 403, description = "A channel the caller may not view or is not in (50001); bots (20001).", body = ErrorBody),
        (status = 404, description = "Unknown channel (10003).", body = ErrorBody)))]
async fn record_access(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<StatusCode> {
    let me = auth.person()?.user;
    let (channel, _) = access::channel(&state, channel_id, me.id).await?;
    state
        .store
        .update_last_access(
            me.id,
            channel_id,
            channel.guild_id,
            Timestamp::now(),
            ACCESS_COALESCE_MICROS,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Moderation: kicking (`DELETE /guilds/{id}/members/{user}`), bans (`/guilds/{id}/bans`) and
//! bulk message deletes (`POST /channels/{id}/messages/bulk-delete`), under KICK_MEMBERS,
//! BAN_MEMBERS and MANAGE_MESSAGES and the member hierarchy (one acts only on members ranked
//! strictly below them; nobody acts on the owner), with their events and audit log entries.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, GuildId, MessageId, Permissions, Timestamp, UserId};
use hearth_protocol::events::{Event, GuildUser, MessageDeleteBulk};
use hearth_protocol::objects::Ban;
use hearth_protocol::requests::{BansQuery, BulkDelete, CreateBan};
use hearth_store as db;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actor::Actor;
use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::journal::{self, action, Reason};
use crate::{access, convert, events, ApiError, ApiResult, AppState};

/// Longest window of messages a ban deletes: 7 days.
const MAX_DELETE_SECONDS: i64 = 7 * 24 * 3600;
/// Bulk deletes take 2 to 100 ids.
const BULK_MIN: usize = 2;
const BULK_MAX: usize = 100;
/// Bulk deletes refuse messages older than this (by their snowflakes), as Discord does.
const BULK_MAX_AGE_MS: u64 = 14 * 24 * 3600 * 1000;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kick_member))
        .routes(routes!(list_bans))
        .routes(routes!(get_ban, create_ban, remove_ban))
        .routes(routes!(bulk_delete))
}

/// Refuses unless the caller outranks the member.
fn outranks(actor: &Actor, target: &db::Member) -> ApiResult<()> {
    if actor.rank.manages_member(actor.rank_of(target)) {
        Ok(())
    } else {
        Err(ApiError::MissingPermissions)
    }
}

/// Removes a member (KICK_MEMBERS, and a higher rank than theirs). They may join again.
#[utoipa::path(delete, path = "/guilds/{guild_id}/members/{user_id}", tag = "members",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn kick_member(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?;
    access::require(actor.perms, Permissions::KICK_MEMBERS)?;
    let target = state
        .store
        .fetch_member(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    outranks(&actor, &target)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    if !state.store.delete_member(guild_id, user_id).await? {
        return Err(ApiError::UnknownMember);
    }
    change.publish_all([
        events::member_remove(guild_id, convert::user(&user)),
        events::guild_lost(user_id, guild_id),
    ]);
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(user_id.snowflake()),
        action: action::MEMBER_KICK,
        changes: Vec::new(),
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks one source (query or body) of the ban's deletion window.
fn check_window(errs: &mut FormErrors, given: &CreateBan) {
    let mut range = |field: &str, value: Option<i64>, max: i64| match value {
        Some(v) if v < 0 => errs.add(
            field,
            FieldError::new("NUMBER_TYPE_MIN", "Must be 0 or more."),
        ),
        Some(v) if v > max => errs.add(
            field,
            FieldError::new("NUMBER_TYPE_MAX", format!("Must be {max} or less.")),
        ),
        _ => {}
    };
    range(
        "delete_message_seconds",
        given.delete_message_seconds,
        MAX_DELETE_SECONDS,
    );
    range("delete_message_days", given.delete_message_days, 7);
}

/// How many seconds of the user's messages a ban deletes: seconds before days, the body
/// before the query.
fn delete_window(query: &CreateBan, body: &CreateBan) -> ApiResult<i64> {
    let mut errs = errors();
    check_window(&mut errs, body);
    check_window(&mut errs, query);
    errs.into_result()?;
    let seconds = body
        .delete_message_seconds
        .or(query.delete_message_seconds)
        .or_else(|| {
            body.delete_message_days
                .or(query.delete_message_days)
                .map(|d| d * 24 * 3600)
        });
    Ok(seconds.unwrap_or(0))
}

/// Bans a user (BAN_MEMBERS; a member must rank below the caller), who need not be a member.
/// A member is removed. `delete_message_seconds` (0-604800; or the deprecated
/// `delete_message_days`, 0-7) deletes their messages of that many last seconds in the guild,
/// given in the query (discord.py) or the JSON body (discord.js). Banning again replaces the
/// reason.
#[utoipa::path(put, path = "/guilds/{guild_id}/bans/{user_id}", tag = "bans",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path), CreateBan), request_body = CreateBan,
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn create_ban(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
    Query(query): Query<CreateBan>,
    Json(body): Json<CreateBan>,
) -> ApiResult<StatusCode> {
    let seconds = delete_window(&query, &body)?;
    let mut change = Change::begin(&state, guild_id).await;
    let actor = Actor::load(&state, guild_id, auth.id()).await?;
    access::require(actor.perms, Permissions::BAN_MEMBERS)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownUser)?;
    if let Some(target) = state.store.fetch_member(guild_id, user_id).await? {
        outranks(&actor, &target)?;
    }
    let known = state.store.fetch_ban(guild_id, user_id).await?.is_some();
    let now = Timestamp::now();
    let ban = db::Ban {
        guild_id,
        user_id,
        reason: reason.0.clone(),
        created_at: now.0,
    };
    let since = (seconds > 0).then(|| now.plus_seconds(-seconds));
    let outcome = state.store.ban_member(&ban, since, now).await?;
    let wire = convert::user(&user);
    let mut published = Vec::new();
    // As on Discord, the ban is announced before the member's removal (discord.py hands
    // `on_member_ban` the member it still has in its cache).
    if !known {
        published.push(Event::GuildBanAdd(GuildUser {
            guild_id,
            user: wire.clone(),
        }));
    }
    if outcome.was_member {
        published.push(events::member_remove(guild_id, wire));
        published.push(events::guild_lost(user_id, guild_id));
    }
    change.publish_all(published);
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(user_id.snowflake()),
        action: action::MEMBER_BAN_ADD,
        changes: Vec::new(),
        options: None,
        reason: &reason,
    });
    change.done().await?;
    // Each channel's deletions are published under that channel's ordering lock (taken one at a
    // time, after the guild's, so no two are held at once): an event of a message the ban
    // deleted that was committed earlier is published before this one.
    let mut by_channel: BTreeMap<ChannelId, Vec<MessageId>> = BTreeMap::new();
    for (channel, id) in outcome.deleted {
        by_channel.entry(channel).or_default().push(id);
    }
    for (channel_id, ids) in by_channel {
        let mut change = Change::begin(&state, channel_id).await;
        change.publish(bulk_event(guild_id, channel_id, &ids));
        change.done().await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `MESSAGE_DELETE_BULK`.
fn bulk_event(guild_id: GuildId, channel_id: ChannelId, ids: &[MessageId]) -> Event {
    Event::MessageDeleteBulk(MessageDeleteBulk {
        ids: ids.to_vec(),
        channel_id,
        guild_id,
    })
}

/// Lifts a ban (BAN_MEMBERS).
#[utoipa::path(delete, path = "/guilds/{guild_id}/bans/{user_id}", tag = "bans",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_ban(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, guild_id).await;
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::BAN_MEMBERS)?;
    if !state.store.delete_ban(guild_id, user_id).await? {
        return Err(ApiError::UnknownBan);
    }
    if let Some(user) = state.store.fetch_user(user_id).await? {
        change.publish(Event::GuildBanRemove(GuildUser {
            guild_id,
            user: convert::user(&user),
        }));
    }
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(user_id.snowflake()),
        action: action::MEMBER_BAN_REMOVE,
        changes: Vec::new(),
        options: None,
        reason: &reason,
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The guild's bans by ascending user id (BAN_MEMBERS): `limit` 1-1000 (default 1000), `after`
/// a user id; with only `before`, the bans just below it.
#[utoipa::path(get, path = "/guilds/{guild_id}/bans", tag = "bans", params(("guild_id" = GuildId, Path), BansQuery),
    responses((status = 200, body = Vec<Ban>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_bans(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
    Query(q): Query<BansQuery>,
) -> ApiResult<axum::Json<Vec<Ban>>> {
    let limit = q.limit.unwrap_or(1000);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 1000."),
        ));
    }
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::BAN_MEMBERS)?;
    let bans = state
        .store
        .fetch_bans(guild_id, q.before, q.after, limit)
        .await?;
    let mut out = Vec::with_capacity(bans.len());
    for ban in bans {
        // Users are never deleted today; a ban of one that is gone would be left out.
        if let Some(user) = state.store.fetch_user(ban.user_id).await? {
            out.push(Ban {
                user: convert::user(&user),
                reason: ban.reason,
            });
        }
    }
    Ok(axum::Json(out))
}

/// One ban (BAN_MEMBERS); 10026 when the user is not banned.
#[utoipa::path(get, path = "/guilds/{guild_id}/bans/{user_id}", tag = "bans",
    params(("guild_id" = GuildId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = Ban), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_ban(
    State(state): State<AppState>,
    auth: Auth,
    Path((guild_id, user_id)): Path<(GuildId, UserId)>,
) -> ApiResult<axum::Json<Ban>> {
    let (_, perms) = access::guild(&state, guild_id, auth.id()).await?;
    access::require(perms, Permissions::BAN_MEMBERS)?;
    let ban = state
        .store
        .fetch_ban(guild_id, user_id)
        .await?
        .ok_or(ApiError::UnknownBan)?;
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownBan)?;
    Ok(axum::Json(Ban {
        user: convert::user(&user),
        reason: ban.reason,
    }))
}

/// Deletes 2-100 messages of a channel at once (MANAGE_MESSAGES). Any message older than 14
/// days (by its id) refuses the whole request (50034). Repeated ids count once; ids of no
/// message of the channel, or of deleted ones, are skipped.
#[utoipa::path(post, path = "/channels/{channel_id}/messages/bulk-delete", tag = "messages",
    params(("channel_id" = ChannelId, Path)), request_body = BulkDelete,
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn bulk_delete(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<BulkDelete>,
) -> ApiResult<StatusCode> {
    let n = body.messages.len();
    if n < BULK_MIN {
        return Err(ApiError::field(
            "messages",
            FieldError::new(
                "BASE_TYPE_MIN_LENGTH",
                format!("Must be {BULK_MIN} or more in length."),
            ),
        ));
    }
    if n > BULK_MAX {
        return Err(ApiError::field(
            "messages",
            FieldError::new(
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {BULK_MAX} or fewer in length."),
            ),
        ));
    }
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::MANAGE_MESSAGES)?;
    let guild_id = access::guild_of(&channel)?;
    let now = Timestamp::now();
    let oldest = (now.0 as u64 / 1000).saturating_sub(BULK_MAX_AGE_MS);
    if body.messages.iter().any(|id| id.unix_millis() < oldest) {
        return Err(ApiError::MessageTooOld);
    }
    let mut change = Change::begin(&state, channel_id).await;
    let deleted = state
        .store
        .delete_messages(channel_id, &body.messages, now)
        .await?;
    if deleted.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    change.publish(bulk_event(guild_id, channel_id, &deleted));
    change.record(journal::Entry {
        guild_id,
        actor: auth.id(),
        target: Some(channel_id.snowflake()),
        action: action::MESSAGE_BULK_DELETE,
        changes: Vec::new(),
        options: Some(json!({ "count": deleted.len().to_string() })),
        reason: &reason,
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

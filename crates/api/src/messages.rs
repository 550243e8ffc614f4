//! `/channels/{id}/messages`: history, posting (with replies and nonces), editing, deleting,
//! and the typing indicator.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelKind, MessageType, Permissions, Snowflake, Timestamp};
use hearth_protocol::objects::{self as wire, Message};
use hearth_protocol::requests::{CreateMessage, EditMessage, HistoryQuery};
use hearth_store::{self as db, HistoryPage};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Reason};
use crate::convert::MessageRenderer;
use crate::error::FormErrors;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::{access, convert, ApiError, ApiResult, AppState};
use hearth_protocol::events::{Event, GuildMessage, MessageDelete, TypingStart};
use serde_json::json;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history, create_message))
        .routes(routes!(get_message, edit_message, delete_message))
        .routes(routes!(typing))
}

/// Flags a sender may set: SUPPRESS_EMBEDS (1 << 2) and SUPPRESS_NOTIFICATIONS (1 << 12).
const SUPPRESS_EMBEDS: i64 = 1 << 2;
const SENDABLE_FLAGS: i64 = SUPPRESS_EMBEDS | (1 << 12);
/// How far back `enforce_nonce` looks for an earlier message with the same nonce.
const NONCE_WINDOW_MS: u64 = 5 * 60 * 1000;

/// Checks embeds (at most 10 objects, at most 6000 characters of JSON each) and gives them
/// the `rich` type when they have none.
fn check_embeds(errs: &mut FormErrors, embeds: Option<Vec<Value>>) -> Vec<Value> {
    let mut embeds = embeds.unwrap_or_default();
    if embeds.len() > 10 {
        errs.add(
            "embeds",
            FieldError::new("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."),
        );
    }
    for (i, e) in embeds.iter_mut().enumerate() {
        match e {
            Value::Object(map) => {
                map.entry("type")
                    .or_insert_with(|| Value::String("rich".into()));
                if e.to_string().len() > 6000 {
                    errs.add(
                        &format!("embeds.{i}"),
                        FieldError::new(
                            "BASE_TYPE_MAX_LENGTH",
                            "Embed size exceeds maximum size of 6000",
                        ),
                    );
                }
            }
            _ => errs.add(
                &format!("embeds.{i}"),
                FieldError::new(
                    "MODEL_TYPE_CONVERT",
                    "Only dictionaries may be used in a ModelType",
                ),
            ),
        }
    }
    embeds
}

/// History, newest first in every mode: the latest messages, or those `before`, `after` or
/// `around` an id (one of the three), `limit` 1-100 (default 50). Without READ_MESSAGE_HISTORY
/// the list is empty.
#[utoipa::path(get, path = "/channels/{channel_id}/messages", tag = "messages", params(("channel_id" = Snowflake, Path), HistoryQuery),
    responses((status = 200, body = Vec<Message>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<axum::Json<Vec<Message>>> {
    let limit = q.limit.unwrap_or(50);
    let mut errs = errors();
    if !(1..=100).contains(&limit) {
        errs.add(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 100."),
        );
    }
    let anchors = [q.around.is_some(), q.before.is_some(), q.after.is_some()];
    if anchors.iter().filter(|a| **a).count() > 1 {
        errs.add(
            "around",
            FieldError::new(
                "BASE_TYPE_INVALID",
                "Only one of around, before and after may be given.",
            ),
        );
    }
    errs.into_result()?;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    if !perms.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Ok(axum::Json(Vec::new()));
    }
    let page = match (q.around, q.before, q.after) {
        (Some(id), _, _) => HistoryPage::Around(id.as_i64()),
        (_, Some(id), _) => HistoryPage::Before(id.as_i64()),
        (_, _, Some(id)) => HistoryPage::After(id.as_i64()),
        _ => HistoryPage::Latest,
    };
    let messages = state.store.fetch_messages(channel_id, page, limit).await?;
    Ok(axum::Json(
        MessageRenderer::new(&state, &channel)
            .render_all(&messages)
            .await?,
    ))
}

/// Posts a message (SEND_MESSAGES): content up to 2000 characters and/or up to 10 embeds;
/// `message_reference` makes it a reply; with `enforce_nonce`, repeating a nonce within five
/// minutes returns the first message instead of posting again.
#[utoipa::path(post, path = "/channels/{channel_id}/messages", tag = "messages", params(("channel_id" = Snowflake, Path)), request_body = CreateMessage,
    responses((status = 200, body = Message), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody),
        (status = 429, description = "Slow mode (20016): the caller's previous message in this channel was less than `rate_limit_per_user` seconds ago.",
            body = hearth_protocol::RateLimitBody, headers(("Retry-After" = String, description = "Seconds to wait, rounded up")))))]
async fn create_message(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
    Json(body): Json<CreateMessage>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::SEND_MESSAGES)?;
    if channel.kind != i64::from(ChannelKind::GuildText) {
        return Err(ApiError::WrongChannelType);
    }
    let checked = check_new_message(&state, channel_id, perms, body).await?;
    // Messages of a channel are committed and published in one order.
    let _order = state.order.lock(channel_id).await;
    if let Some(earlier) = repeated_nonce(&state, channel_id, auth.id(), &checked).await? {
        // A repeat is answered before slow mode is applied: it posts nothing.
        return Ok(axum::Json(
            MessageRenderer::new(&state, &channel)
                .knowing(&auth.user)
                .render(&earlier)
                .await?,
        ));
    }
    check_slow_mode(&state, &channel, perms, auth.id()).await?;
    let reference = checked.reference;
    let message = db::Message {
        channel_id: channel.id,
        id: state.ids.next().as_i64(),
        author_id: auth.user.id,
        kind: i64::from(if reference.is_some() {
            MessageType::Reply
        } else {
            MessageType::Default
        }),
        content: checked.content,
        nonce: checked.nonce,
        tts: checked.tts && perms.contains(Permissions::SEND_TTS_MESSAGES),
        flags: checked.flags,
        embeds: Value::Array(checked.embeds).to_string(),
        reference_message_id: reference.map(Snowflake::as_i64),
        reference_channel_id: reference.map(|_| channel.id),
        reference_guild_id: reference.and(channel.guild_id),
        edited_at: None,
        deleted_at: None,
    };
    state.store.insert_message(&message).await?;
    let out = MessageRenderer::new(&state, &channel)
        .knowing(&auth.user)
        .render(&message)
        .await?;
    let member = access::member(&state, guild_of(&channel)?, auth.id()).await?;
    state.publish(Event::MessageCreate(Box::new(GuildMessage {
        message: out.clone(),
        member,
    })));
    Ok(axum::Json(out))
}

/// A new message's body, checked.
struct NewMessage {
    content: String,
    nonce: Option<String>,
    enforce_nonce: bool,
    tts: bool,
    flags: i64,
    embeds: Vec<Value>,
    /// The message replied to.
    reference: Option<Snowflake>,
}

/// Checks a new message's fields (400 50035 naming each bad one; 50006 when empty).
async fn check_new_message(
    state: &AppState,
    channel_id: Snowflake,
    perms: Permissions,
    body: CreateMessage,
) -> ApiResult<NewMessage> {
    let mut errs = errors();
    let content = body.content.unwrap_or_default();
    errs.check("content", names::validate_content(&content));
    if body.nonce.as_ref().is_some_and(|n| n.chars().count() > 25) {
        errs.add("nonce", FieldError::max_length(25));
    }
    let flags = body.flags.unwrap_or(0);
    if flags & !SENDABLE_FLAGS != 0 {
        errs.add(
            "flags",
            FieldError::new(
                "BASE_TYPE_INVALID",
                "Only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set.",
            ),
        );
    }
    let embeds = check_embeds(&mut errs, body.embeds);
    let mut reference = None;
    if let Some(r) = &body.message_reference {
        if r.kind.unwrap_or(0) != 0 || r.channel_id.is_some_and(|c| c != channel_id) {
            errs.add(
                "message_reference",
                FieldError::new(
                    "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL",
                    "Cannot reply to a message in another channel.",
                ),
            );
        } else if perms.contains(Permissions::READ_MESSAGE_HISTORY)
            && state
                .store
                .fetch_message(channel_id, r.message_id)
                .await?
                .is_some()
        {
            reference = Some(r.message_id);
        } else if r.fail_if_not_exists != Some(false) {
            errs.add(
                "message_reference",
                FieldError::new("REPLIES_UNKNOWN_MESSAGE", "Unknown message"),
            );
        }
    }
    errs.into_result()?;
    if content.trim().is_empty() && embeds.is_empty() {
        return Err(ApiError::EmptyMessage);
    }
    Ok(NewMessage {
        content,
        nonce: body.nonce,
        enforce_nonce: body.enforce_nonce == Some(true),
        tts: body.tts.unwrap_or(false),
        flags,
        embeds,
        reference,
    })
}

/// With `enforce_nonce`, the caller's message with the same nonce posted in the last five
/// minutes, if any.
async fn repeated_nonce(
    state: &AppState,
    channel_id: Snowflake,
    author: Snowflake,
    m: &NewMessage,
) -> ApiResult<Option<db::Message>> {
    let (Some(nonce), true) = (&m.nonce, m.enforce_nonce) else {
        return Ok(None);
    };
    let since = Snowflake::from_unix_millis(
        state
            .ids
            .next()
            .unix_millis()
            .saturating_sub(NONCE_WINDOW_MS),
    );
    Ok(state
        .store
        .fetch_message_by_nonce(channel_id, author, nonce, since)
        .await?)
}

/// Slow mode: with `rate_limit_per_user` set, a member waits that many seconds between two
/// messages, unless they hold MANAGE_MESSAGES, MANAGE_CHANNELS or BYPASS_SLOWMODE.
async fn check_slow_mode(
    state: &AppState,
    channel: &db::Channel,
    perms: Permissions,
    user: Snowflake,
) -> ApiResult<()> {
    let exempt =
        Permissions::MANAGE_MESSAGES | Permissions::MANAGE_CHANNELS | Permissions::BYPASS_SLOWMODE;
    if channel.rate_limit_per_user <= 0 || (perms & exempt) != Permissions::NONE {
        return Ok(());
    }
    let Some(last) = state
        .store
        .fetch_last_message_id(Snowflake::from_i64(channel.id), user)
        .await?
    else {
        return Ok(());
    };
    let next_ms = last.unix_millis() + channel.rate_limit_per_user as u64 * 1000;
    let now_ms = Timestamp::now().0 as u64 / 1000;
    if now_ms < next_ms {
        return Err(ApiError::SlowMode {
            retry_after: (next_ms - now_ms) as f64 / 1000.0,
        });
    }
    Ok(())
}

/// One message (READ_MESSAGE_HISTORY).
#[utoipa::path(get, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = Snowflake, Path), ("message_id" = Snowflake, Path)),
    responses((status = 200, body = Message), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_message(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(Snowflake, Snowflake)>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::READ_MESSAGE_HISTORY)?;
    let m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    Ok(axum::Json(
        MessageRenderer::new(&state, &channel).render(&m).await?,
    ))
}

/// Edits a message's content, embeds or SUPPRESS_EMBEDS flag (its author only); sets
/// `edited_timestamp`.
#[utoipa::path(patch, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = Snowflake, Path), ("message_id" = Snowflake, Path)), request_body = EditMessage,
    responses((status = 200, body = Message), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn edit_message(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(Snowflake, Snowflake)>,
    Json(body): Json<EditMessage>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, _) = access::channel(&state, channel_id, auth.id()).await?;
    let _order = state.order.lock(channel_id).await;
    let mut m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    if m.author_id != auth.user.id {
        return Err(ApiError::NotAuthor);
    }
    let mut errs = errors();
    if let Some(content) = body.content {
        let content = content.unwrap_or_default();
        errs.check("content", names::validate_content(&content));
        m.content = content;
    }
    if let Some(embeds) = body.embeds {
        m.embeds = Value::Array(check_embeds(&mut errs, embeds)).to_string();
    }
    if let Some(flags) = body.flags {
        let flags = flags.unwrap_or(0);
        if flags & !SENDABLE_FLAGS != 0 {
            errs.add(
                "flags",
                FieldError::new("BASE_TYPE_INVALID", "Only SUPPRESS_EMBEDS may change."),
            );
        }
        m.flags = (m.flags & !SUPPRESS_EMBEDS) | (flags & SUPPRESS_EMBEDS);
    }
    errs.into_result()?;
    if m.content.trim().is_empty() && m.embeds == "[]" {
        return Err(ApiError::EmptyMessage);
    }
    m.edited_at = Some(Timestamp::now().0);
    let m = state
        .store
        .update_message(&m)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    let out = MessageRenderer::new(&state, &channel)
        .knowing(&auth.user)
        .render(&m)
        .await?;
    let member = access::member(&state, guild_of(&channel)?, auth.id()).await?;
    state.publish(Event::MessageUpdate(Box::new(GuildMessage {
        message: out.clone(),
        member,
    })));
    Ok(axum::Json(out))
}

/// Deletes a message: its author, or anyone with MANAGE_MESSAGES. The message is kept as a
/// tombstone and disappears from every read. A moderator deleting someone else's message is
/// recorded in the audit log (72, with `X-Audit-Log-Reason`).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = Snowflake, Path), ("message_id" = Snowflake, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_message(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((channel_id, message_id)): Path<(Snowflake, Snowflake)>,
) -> ApiResult<StatusCode> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    let _order = state.order.lock(channel_id).await;
    let m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    if m.author_id != auth.user.id {
        access::require(perms, Permissions::MANAGE_MESSAGES)?;
    }
    if !state
        .store
        .delete_message(channel_id, message_id, Timestamp::now())
        .await?
    {
        return Err(ApiError::UnknownMessage);
    }
    let guild_id = guild_of(&channel)?;
    state.publish(Event::MessageDelete(MessageDelete {
        id: message_id,
        channel_id,
        guild_id,
    }));
    if m.author_id != auth.user.id {
        audit::record(
            &state,
            audit::Entry {
                guild_id,
                actor: auth.id(),
                target: Some(Snowflake::from_i64(m.author_id)),
                action: audit::action::MESSAGE_DELETE,
                changes: Vec::new(),
                options: Some(json!({ "channel_id": channel_id, "count": "1" })),
                reason: &reason,
            },
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Shows the caller as typing (SEND_MESSAGES).
#[utoipa::path(post, path = "/channels/{channel_id}/typing", tag = "messages", params(("channel_id" = Snowflake, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn typing(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<Snowflake>,
) -> ApiResult<StatusCode> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::SEND_MESSAGES)?;
    if channel.kind != i64::from(ChannelKind::GuildText) {
        return Err(ApiError::WrongChannelType);
    }
    let guild_id = guild_of(&channel)?;
    let member = access::member(&state, guild_id, auth.id())
        .await?
        .map(|m| wire::Member {
            user: Some(convert::user(&auth.user)),
            ..m
        });
    state.publish(Event::TypingStart(Box::new(TypingStart {
        channel_id,
        guild_id,
        user_id: auth.id(),
        timestamp: Timestamp::now().unix_seconds(),
        member,
    })));
    Ok(StatusCode::NO_CONTENT)
}

/// The guild of a guild channel (every channel is one, until direct messages exist).
pub(crate) fn guild_of(channel: &db::Channel) -> ApiResult<Snowflake> {
    channel
        .guild_id
        .map(Snowflake::from_i64)
        .ok_or(ApiError::UnknownChannel)
}

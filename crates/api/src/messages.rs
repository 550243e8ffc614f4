//! `/channels/{id}/messages`: history, posting (with replies and nonces), editing, deleting,
//! and the typing indicator.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelId, ChannelKind, MessageId, MessageType, Permissions, Timestamp};
use hearth_protocol::objects::{self as wire, Message};
use hearth_protocol::requests::{CreateMessage, EditMessage, HistoryQuery};
use hearth_store::{self as db, HistoryPage};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::convert::MessageRenderer;
use crate::extract::{errors, Auth, Json, Path, Query};
use crate::journal::{self, Reason};
use crate::posting::publish_message;
use crate::{access, convert, mentions, private, thread_rules, ApiError, ApiResult, AppState};
use hearth_protocol::events::{
    Event, MessageDelete, PrivateEvent, PrivateMessageDelete, PrivateTyping, TypingStart,
};
use serde_json::json;

mod checks;

use checks::{
    check_embeds, check_new_message, check_slow_mode, repeated_nonce, NewMessage, HAS_SNAPSHOT,
    SENDABLE_FLAGS, SUPPRESS_EMBEDS,
};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history, create_message))
        .routes(routes!(get_message, edit_message, delete_message))
        .routes(routes!(typing))
}

/// History, newest first in every mode: the latest messages, or those `before`, `after` or
/// `around` an id (one of the three), `limit` 1-100 (default 50). Without READ_MESSAGE_HISTORY
/// the list is empty.
#[utoipa::path(get, path = "/channels/{channel_id}/messages", tag = "messages", params(("channel_id" = ChannelId, Path), HistoryQuery),
    responses((status = 200, body = Vec<Message>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
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
        (Some(id), _, _) => HistoryPage::Around(id),
        (_, Some(id), _) => HistoryPage::Before(id),
        (_, _, Some(id)) => HistoryPage::After(id),
        _ => HistoryPage::Latest,
    };
    let messages = state.store.fetch_messages(channel_id, page, limit).await?;
    let mut renderer = MessageRenderer::new(&state, &channel);
    let mut out = renderer.render_all(&messages).await?;
    renderer.with_reactions(&mut out, auth.id()).await?;
    Ok(axum::Json(out))
}

/// Posts a message (SEND_MESSAGES): content up to 2000 characters and/or up to 10 embeds;
/// `message_reference` makes it a reply, or with `type` 1 a forward of a message the caller
/// may read in any channel (no content of its own: the forwarded message's text and embeds
/// are copied into `message_snapshots`, and stay when the original is deleted); with `enforce_nonce`, repeating a nonce within five
/// minutes returns the first message instead of posting again.
#[utoipa::path(post, path = "/channels/{channel_id}/messages", tag = "messages", params(("channel_id" = ChannelId, Path)), request_body = CreateMessage,
    responses((status = 200, body = Message), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody),
        (status = 429, description = "Slow mode (20016): the caller's previous message in this channel was less than `rate_limit_per_user` seconds ago.",
            body = hearth_protocol::RateLimitBody, headers(("Retry-After" = String, description = "Seconds to wait, rounded up")))))]
async fn create_message(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<CreateMessage>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::SEND_MESSAGES)?;
    if !takes_messages(channel.kind) {
        return Err(ApiError::WrongChannelType);
    }
    // In a thread (only there): a locked one refuses, an archived one is unarchived.
    thread_rules::before_post(&state, &channel, perms).await?;
    if channel.kind == i64::from(ChannelKind::Dm) {
        private::check_not_blocked(&state, channel_id, auth.id()).await?;
    }
    let checked = check_new_message(&state, channel_id, auth.id(), perms, body).await?;
    // Messages of a channel are committed and published in one order.
    let mut change = Change::begin(&state, channel_id).await;
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
    let found = mentions::resolve(
        &state,
        channel.guild_id,
        perms,
        &checked.content,
        &checked.allowed,
        checked.reference_author,
    )
    .await?;
    let mut message = new_message(&state, &channel, auth.user.id, perms, checked);
    found.store_in(&mut message);
    state.store.insert_message(&message).await?;
    let out = MessageRenderer::new(&state, &channel)
        .knowing(&auth.user)
        .render(&message)
        .await?;
    publish_message(&state, &mut change, &channel, &out, false).await?;
    change.done().await?;
    Ok(axum::Json(out))
}

/// The stored form of a checked new message: a reply, a forward (the forwarded message's
/// content and embeds copied, flag HAS_SNAPSHOT), or a plain message.
fn new_message(
    state: &AppState,
    channel: &db::Channel,
    author_id: hearth_core::UserId,
    perms: Permissions,
    checked: NewMessage,
) -> db::Message {
    let reference = checked.reference;
    let mut m = db::Message {
        channel_id: channel.id,
        id: state.ids.next().into(),
        author_id,
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
        reference_message_id: reference,
        reference_channel_id: reference.map(|_| channel.id),
        reference_guild_id: reference.and(channel.guild_id),
        reference_kind: 0,
        edited_at: None,
        deleted_at: None,
        mention_user_ids: String::new(),
        mention_role_ids: String::new(),
        mention_everyone: false,
    };
    if let Some((source, guild_id)) = checked.forward {
        m.content = source.content;
        m.embeds = source.embeds;
        m.reference_message_id = Some(source.id);
        m.reference_channel_id = Some(source.channel_id);
        m.reference_guild_id = guild_id;
        m.reference_kind = convert::FORWARD;
        m.flags |= HAS_SNAPSHOT;
    }
    m
}

/// Text channels of guilds, threads and private channels hold messages.
fn takes_messages(kind: i64) -> bool {
    kind == i64::from(ChannelKind::GuildText)
        || ChannelKind::is_thread(kind)
        || private::is_private(kind)
}

/// One message (READ_MESSAGE_HISTORY).
#[utoipa::path(get, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path)),
    responses((status = 200, body = Message), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_message(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(ChannelId, MessageId)>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::READ_MESSAGE_HISTORY)?;
    let m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    let mut renderer = MessageRenderer::new(&state, &channel);
    let mut out = [renderer.render(&m).await?];
    renderer.with_reactions(&mut out, auth.id()).await?;
    let [out] = out;
    Ok(axum::Json(out))
}

/// Edits a message's content, embeds or SUPPRESS_EMBEDS flag (its author only); sets
/// `edited_timestamp`.
#[utoipa::path(patch, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path)), request_body = EditMessage,
    responses((status = 200, body = Message), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn edit_message(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(ChannelId, MessageId)>,
    Json(body): Json<EditMessage>,
) -> ApiResult<axum::Json<Message>> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    let mut change = Change::begin(&state, channel_id).await;
    let mut m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    if m.author_id != auth.user.id {
        return Err(ApiError::NotAuthor);
    }
    let mut errs = errors();
    let forward = m.reference_kind == convert::FORWARD;
    if forward && (body.content.is_some() || body.embeds.is_some()) {
        errs.add(
            "content",
            FieldError::new(
                "FORWARD_CANNOT_HAVE_CONTENT",
                "A forward's text is the forwarded message's.",
            ),
        );
    }
    let allowed = mentions::check(&mut errs, body.allowed_mentions);
    let new_content = body.content.is_some() && !forward;
    if let Some(content) = body.content.filter(|_| !forward) {
        let content = content.unwrap_or_default();
        errs.check("content", names::validate_content(&content));
        m.content = content;
    }
    if let Some(embeds) = body.embeds.filter(|_| !forward) {
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
    if m.content.trim().is_empty() && m.embeds == "[]" && !forward {
        return Err(ApiError::EmptyMessage);
    }
    if new_content {
        remention(&state, &channel, perms, &mut m, &allowed).await?;
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
    publish_message(&state, &mut change, &channel, &out, true).await?;
    change.done().await?;
    Ok(axum::Json(out))
}

/// Works out an edited message's mentions again from its new content; the replied-to author
/// stays mentioned if they were and `allowed_mentions` still allows it.
async fn remention(
    state: &AppState,
    channel: &db::Channel,
    perms: Permissions,
    m: &mut db::Message,
    allowed: &mentions::Allowed,
) -> ApiResult<()> {
    let before: Vec<hearth_core::UserId> = db::id_list(&m.mention_user_ids);
    let mut replied = None;
    if let Some(ref_id) = m.reference_message_id {
        let ref_channel = m.reference_channel_id.unwrap_or(m.channel_id);
        if let Some(t) = state.store.fetch_message(ref_channel, ref_id).await? {
            replied = Some(t.author_id).filter(|a| before.contains(a));
        }
    }
    let found =
        mentions::resolve(state, channel.guild_id, perms, &m.content, allowed, replied).await?;
    found.store_in(m);
    Ok(())
}

/// Deletes a message: its author, or anyone with MANAGE_MESSAGES (in a DM or group DM, its
/// author only: 403 50003). The message is kept as a tombstone and disappears from every read.
/// A moderator deleting someone else's message is recorded in the audit log (72, with
/// `X-Audit-Log-Reason`).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}", tag = "messages",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn delete_message(
    State(state): State<AppState>,
    auth: Auth,
    reason: Reason,
    Path((channel_id, message_id)): Path<(ChannelId, MessageId)>,
) -> ApiResult<StatusCode> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    let mut change = Change::begin(&state, channel_id).await;
    let m = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    if m.author_id != auth.user.id {
        // A DM or group DM has no moderators: only the author deletes a message there.
        if channel.guild_id.is_none() {
            return Err(ApiError::DmChannel);
        }
        access::require(perms, Permissions::MANAGE_MESSAGES)?;
    }
    if !state
        .store
        .delete_message(channel_id, message_id, Timestamp::now())
        .await?
    {
        return Err(ApiError::UnknownMessage);
    }
    let Some(guild_id) = channel.guild_id else {
        let pc = private::recipient_access(&state, channel_id, auth.id()).await?;
        private::publish(&mut change, &pc.recipients, |_| {
            PrivateEvent::MessageDelete(PrivateMessageDelete {
                id: message_id,
                channel_id,
            })
        });
        change.done().await?;
        return Ok(StatusCode::NO_CONTENT);
    };
    change.publish(Event::MessageDelete(MessageDelete {
        id: message_id,
        channel_id,
        guild_id,
    }));
    if m.author_id != auth.user.id {
        change.record(journal::Entry {
            guild_id,
            actor: auth.id(),
            target: Some(m.author_id.snowflake()),
            action: journal::action::MESSAGE_DELETE,
            changes: Vec::new(),
            options: Some(json!({ "channel_id": channel_id, "count": "1" })),
            reason: &reason,
        });
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shows the caller as typing (SEND_MESSAGES).
#[utoipa::path(post, path = "/channels/{channel_id}/typing", tag = "messages", params(("channel_id" = ChannelId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn typing(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<StatusCode> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::SEND_MESSAGES)?;
    if !takes_messages(channel.kind) {
        return Err(ApiError::WrongChannelType);
    }
    let Some(guild_id) = channel.guild_id else {
        let pc = private::recipient_access(&state, channel_id, auth.id()).await?;
        let timestamp = Timestamp::now().unix_seconds();
        private::publish_now(&state, &pc.recipients, |_| {
            PrivateEvent::TypingStart(PrivateTyping {
                channel_id,
                user_id: auth.id(),
                timestamp,
            })
        });
        return Ok(StatusCode::NO_CONTENT);
    };
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

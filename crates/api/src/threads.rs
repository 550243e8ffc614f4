//! Threads: starting one from a message or without one, its members (`thread-members`), and
//! the lists of a guild's active threads and of a channel's archived ones. A thread is a
//! channel: its messages use the message endpoints, its changes `PATCH /channels/{id}`
//! (see [`crate::thread_rules`]). hearth serves public threads (type 11) of text channels.

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, MessageId, MessageType, Permissions, Timestamp};
use hearth_protocol::events::{Event, ThreadCreate};
use hearth_protocol::objects::Channel;
use hearth_protocol::requests::{StartThread, StartThreadFromMessage};
use hearth_store::{self as db, StoreError, ThreadMeta};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::convert::MessageRenderer;
use crate::extract::{errors, Auth, Json, Path};
use crate::{access, thread_rules, ApiError, ApiResult, AppState};

mod lists;
mod members;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_thread_from_message))
        .routes(routes!(start_thread))
        .merge(members::router())
        .merge(lists::router())
}

/// What a new thread is made of, checked.
struct NewThread {
    name: String,
    duration: i64,
    rate_limit: i64,
}

/// Checks a new thread's fields, and that the parent takes threads and the caller may make one
/// there (CREATE_PUBLIC_THREADS).
fn check_new(
    a: &access::ChannelAccess,
    name: &str,
    duration: Option<i64>,
    rate_limit: Option<i64>,
) -> ApiResult<NewThread> {
    if a.channel.kind != i64::from(ChannelKind::GuildText) {
        return Err(ApiError::WrongChannelType);
    }
    access::require(a.perms, Permissions::CREATE_PUBLIC_THREADS)?;
    let mut errs = errors();
    thread_rules::check_name(&mut errs, name);
    thread_rules::check_duration(&mut errs, duration);
    if rate_limit.is_some_and(|r| !(0..=21600).contains(&r)) {
        errs.add(
            "rate_limit_per_user",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 0 and 21600."),
        );
    }
    errs.into_result()?;
    Ok(NewThread {
        name: name.trim().to_owned(),
        duration: duration.unwrap_or(1440),
        rate_limit: rate_limit.unwrap_or(0),
    })
}

/// Writes a thread of `a`'s channel with id `id` (from `starter`, when given): false when the
/// starter message is gone. THREAD_CREATE is queued on `change`.
async fn write_thread(
    state: &AppState,
    change: &mut Change<'_>,
    a: &access::ChannelAccess,
    id: ChannelId,
    new: &NewThread,
    starter: Option<MessageId>,
    owner: hearth_core::UserId,
) -> ApiResult<Option<db::Thread>> {
    let now = Timestamp::now();
    let channel = db::Channel {
        id,
        guild_id: Some(a.guild_id),
        kind: i64::from(ChannelKind::PublicThread),
        name: Some(new.name.clone()),
        topic: None,
        position: 0,
        parent_id: Some(a.channel.id),
        nsfw: false,
        rate_limit_per_user: new.rate_limit,
        last_message_id: None,
        created_at: now.0,
    };
    let meta = ThreadMeta {
        thread_id: id,
        owner_id: owner,
        archived: false,
        locked: false,
        invitable: true,
        auto_archive_duration: new.duration,
        archive_timestamp: now.0,
    };
    match state
        .store
        .insert_thread(&channel, &meta, starter, now)
        .await
    {
        Ok(true) => {}
        Ok(false) => return Ok(None),
        Err(StoreError::Conflict(_)) => return Err(ApiError::ThreadExists),
        Err(e) => return Err(e.into()),
    }
    let t = state
        .store
        .fetch_thread(id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    change.publish(Event::ThreadCreate(Box::new(ThreadCreate {
        thread: thread_rules::object(&t),
        newly_created: Some(true),
    })));
    Ok(Some(t))
}

/// A system message by `author` (a thread's creator) in `channel`, published on `change`.
async fn system_message(
    state: &AppState,
    change: &mut Change<'_>,
    channel: &db::Channel,
    kind: MessageType,
    content: String,
    reference: (Option<MessageId>, ChannelId),
    author: &db::User,
) -> ApiResult<()> {
    let m = db::Message {
        channel_id: channel.id,
        id: state.ids.next().into(),
        author_id: author.id,
        kind: i64::from(kind),
        content,
        nonce: None,
        tts: false,
        flags: 0,
        embeds: "[]".into(),
        reference_message_id: reference.0,
        reference_channel_id: Some(reference.1),
        reference_guild_id: channel.guild_id,
        reference_kind: 0,
        edited_at: None,
        deleted_at: None,
        mention_user_ids: String::new(),
        mention_role_ids: String::new(),
        mention_everyone: false,
    };
    state.store.insert_message(&m).await?;
    let out = MessageRenderer::new(state, channel)
        .knowing(author)
        .render(&m)
        .await?;
    let guild_id = access::guild_of(channel)?;
    thread_rules::publish_message(state, change, guild_id, &out, false).await
}

/// Starts a public thread from a message (CREATE_PUBLIC_THREADS and READ_MESSAGE_HISTORY in
/// the channel): the thread has the message's id, the message gets the HAS_THREAD flag
/// (MESSAGE_UPDATE), and the thread opens with a THREAD_STARTER_MESSAGE (21) pointing at it.
/// A message that already has a thread: 400 160004.
#[utoipa::path(post, path = "/channels/{channel_id}/messages/{message_id}/threads", tag = "threads",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path)), request_body = StartThreadFromMessage,
    responses((status = 201, body = Channel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn start_thread_from_message(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(ChannelId, MessageId)>,
    Json(body): Json<StartThreadFromMessage>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<Channel>)> {
    let a = access::channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::READ_MESSAGE_HISTORY)?;
    let new = check_new(
        &a,
        &body.name,
        body.auto_archive_duration,
        body.rate_limit_per_user,
    )?;
    let mut change = Change::begin(&state, channel_id).await;
    let starter = state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)?;
    if starter.flags & (1 << 5) != 0 {
        return Err(ApiError::ThreadExists);
    }
    let id = ChannelId::from(message_id.snowflake());
    let Some(t) = write_thread(
        &state,
        &mut change,
        &a,
        id,
        &new,
        Some(message_id),
        auth.id(),
    )
    .await?
    else {
        return Err(ApiError::UnknownMessage);
    };
    if let Some(m) = state.store.fetch_message(channel_id, message_id).await? {
        let out = MessageRenderer::new(&state, &a.channel).render(&m).await?;
        thread_rules::publish_message(&state, &mut change, a.guild_id, &out, true).await?;
    }
    let reference = (Some(message_id), channel_id);
    let kind = MessageType::ThreadStarterMessage;
    system_message(
        &state,
        &mut change,
        &t.channel,
        kind,
        String::new(),
        reference,
        &auth.user,
    )
    .await?;
    let out = thread_rules::object(&state.store.fetch_thread(id).await?.unwrap_or(t));
    change.done().await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(out)))
}

/// Starts a thread without a message (CREATE_PUBLIC_THREADS): `type` 11 (the default; private
/// threads are not served: 400). The parent gets a THREAD_CREATED (18) message naming it.
#[utoipa::path(post, path = "/channels/{channel_id}/threads", tag = "threads",
    params(("channel_id" = ChannelId, Path)), request_body = StartThread,
    responses((status = 201, body = Channel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn start_thread(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
    Json(body): Json<StartThread>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<Channel>)> {
    let a = access::channel_access(&state, channel_id, auth.id()).await?;
    if body
        .kind
        .is_some_and(|k| k != i64::from(ChannelKind::PublicThread))
    {
        let mut errs = errors();
        errs.add(
            "type",
            FieldError::new("BASE_TYPE_CHOICES", "Value must be one of {11}."),
        );
        errs.into_result()?;
    }
    let new = check_new(
        &a,
        &body.name,
        body.auto_archive_duration,
        body.rate_limit_per_user,
    )?;
    let mut change = Change::begin(&state, channel_id).await;
    let id = ChannelId::from(state.ids.next());
    let t = write_thread(&state, &mut change, &a, id, &new, None, auth.id())
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let kind = MessageType::ThreadCreated;
    system_message(
        &state,
        &mut change,
        &a.channel,
        kind,
        new.name.clone(),
        (None, id),
        &auth.user,
    )
    .await?;
    change.done().await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(thread_rules::object(&t)),
    ))
}

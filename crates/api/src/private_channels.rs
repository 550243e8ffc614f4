//! DMs and group DMs: `/users/@me/channels` (open one, list them) and
//! `/channels/{id}/recipients/{user}` (who is in a group DM). Their messages, edits, deletions
//! and typing go through the message handlers, as in any channel.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelId, ChannelKind, Timestamp, UserId};
use hearth_protocol::events::{PrivateEvent, Recipient};
use hearth_protocol::objects::PrivateChannel;
use hearth_protocol::requests::CreatePrivateChannel;
use hearth_state::wire as render;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{errors, Auth, Json, Path};
use crate::private::{self, MAX_RECIPIENTS};
use crate::{ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_private_channel, list_private_channels))
        .routes(routes!(add_recipient, remove_recipient))
}

/// The people of a new private channel, checked: the caller and the others, each existing,
/// a DM for one other, a group DM for more (10 at most, people only).
async fn members_of(
    state: &AppState,
    auth: &Auth,
    body: &CreatePrivateChannel,
) -> ApiResult<(ChannelKind, Vec<UserId>)> {
    let mut errs = errors();
    let others: Vec<UserId> = match (&body.recipient_id, &body.recipients) {
        (Some(one), None) => vec![*one],
        (None, Some(many)) if !many.is_empty() => many.clone(),
        _ => {
            errs.add(
                "recipient_id",
                FieldError::new("BASE_TYPE_REQUIRED", "Give recipient_id or recipients."),
            );
            Vec::new()
        }
    };
    let mut people: Vec<UserId> = others.iter().copied().filter(|u| *u != auth.id()).collect();
    people.sort_unstable_by_key(|u| u.as_i64());
    people.dedup();
    if others.len() == 1 && people.is_empty() {
        errs.add(
            "recipient_id",
            FieldError::new("BASE_TYPE_INVALID", "You cannot open a DM with yourself."),
        );
    }
    if people.len() + 1 > MAX_RECIPIENTS {
        errs.add(
            "recipients",
            FieldError::new(
                "BASE_TYPE_MAX_LENGTH",
                "A group DM holds at most 10 people.",
            ),
        );
    }
    if let Some(name) = &body.name {
        errs.check("name", names::validate_channel_name(name));
    }
    errs.into_result()?;
    let kind = if people.len() == 1 && body.recipients.as_ref().is_none_or(|r| r.len() == 1) {
        ChannelKind::Dm
    } else {
        ChannelKind::GroupDm
    };
    for id in &people {
        let other = state
            .store
            .fetch_user(*id)
            .await?
            .ok_or(ApiError::UnknownUser)?;
        // Bots write to people, not to one another, and are never in group DMs; someone who
        // blocked the caller (or whom the caller blocked) is not written to.
        if other.bot && (auth.user.bot || kind == ChannelKind::GroupDm) {
            return Err(ApiError::CannotMessageUser);
        }
        if state.store.is_blocked(auth.id(), *id).await? {
            return Err(ApiError::CannotMessageUser);
        }
    }
    if auth.user.bot && kind == ChannelKind::GroupDm {
        return Err(ApiError::BotsForbidden);
    }
    people.push(auth.id());
    Ok((kind, people))
}

/// Opens the DM with `recipient_id` (made once: the same channel from either side, every
/// time), or a group DM with `recipients` (the caller is added; the same people find the same
/// group DM). Recipients get CHANNEL_CREATE when the channel is made.
#[utoipa::path(post, path = "/users/@me/channels", tag = "private channels", request_body = CreatePrivateChannel,
    responses((status = 200, body = PrivateChannel), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn open_private_channel(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<CreatePrivateChannel>,
) -> ApiResult<axum::Json<PrivateChannel>> {
    let (kind, people) = members_of(&state, &auth, &body).await?;
    let group = kind == ChannelKind::GroupDm;
    let channel = db::Channel {
        id: state.ids.next().into(),
        guild_id: None,
        kind: i64::from(kind),
        name: if group {
            body.name.map(|n| n.trim().to_owned())
        } else {
            None
        },
        topic: None,
        position: 0,
        parent_id: None,
        nsfw: false,
        rate_limit_per_user: 0,
        last_message_id: None,
        created_at: Timestamp::now().0,
    };
    let owner = group.then(|| auth.id());
    let (pc, made) = match state
        .store
        .open_private_channel(&channel, owner, &people)
        .await
    {
        Err(db::StoreError::MissingParent(_)) => return Err(ApiError::UnknownUser),
        other => other?,
    };
    let users = private::users(&state, &pc).await?;
    if made {
        let mut change = Change::begin(&state, pc.channel.id).await;
        private::publish(&mut change, &pc.recipients, |viewer| {
            PrivateEvent::ChannelCreate(Box::new(private::view(&pc, viewer, &users)))
        });
        change.done().await?;
    }
    Ok(axum::Json(private::view(&pc, auth.id(), &users)))
}

/// The caller's DMs and group DMs, the most recently active first.
#[utoipa::path(get, path = "/users/@me/channels", tag = "private channels",
    responses((status = 200, body = Vec<PrivateChannel>)))]
async fn list_private_channels(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<Vec<PrivateChannel>>> {
    let channels = state.store.fetch_private_channels(auth.id()).await?;
    let users = render::recipients(state.store.as_ref(), &channels).await?;
    Ok(axum::Json(
        channels
            .iter()
            .map(|pc| private::view(pc, auth.id(), &users))
            .collect(),
    ))
}

/// A group DM the caller is in (a DM answers 50024: it has exactly its two people).
async fn group_of(
    state: &AppState,
    channel_id: ChannelId,
    caller: UserId,
) -> ApiResult<db::PrivateChannel> {
    let pc = private::recipient_access(state, channel_id, caller).await?;
    if pc.channel.kind != i64::from(ChannelKind::GroupDm) {
        return Err(ApiError::WrongChannelType);
    }
    Ok(pc)
}

/// Adds a person to a group DM the caller is in (10 people at most). The new recipient gets
/// CHANNEL_CREATE; everyone in it gets CHANNEL_RECIPIENT_ADD.
#[utoipa::path(put, path = "/channels/{channel_id}/recipients/{user_id}", tag = "private channels",
    params(("channel_id" = ChannelId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn add_recipient(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, user_id)): Path<(ChannelId, UserId)>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, channel_id).await;
    let pc = group_of(&state, channel_id, auth.id()).await?;
    if pc.recipients.contains(&user_id) {
        return Ok(StatusCode::NO_CONTENT);
    }
    let user = state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownUser)?;
    if user.bot || state.store.is_blocked(auth.id(), user_id).await? {
        return Err(ApiError::CannotMessageUser);
    }
    if pc.recipients.len() >= MAX_RECIPIENTS {
        return Err(ApiError::MaxRecipients);
    }
    let pc = match state.store.add_recipient(channel_id, user_id).await {
        Err(db::StoreError::MissingParent(_)) => return Err(ApiError::UnknownUser),
        other => other?.ok_or(ApiError::UnknownChannel)?,
    };
    let users = private::users(&state, &pc).await?;
    change.publish(hearth_protocol::events::Event::Private {
        user_id,
        event: PrivateEvent::ChannelCreate(Box::new(private::view(&pc, user_id, &users))),
    });
    let added = render::user(&user);
    private::publish(&mut change, &pc.recipients, |_| {
        PrivateEvent::RecipientAdd(Recipient {
            channel_id,
            user: added.clone(),
        })
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a person out of a group DM: anyone may leave; only its owner removes others. The
/// one removed gets CHANNEL_DELETE; those who stay get CHANNEL_RECIPIENT_REMOVE.
#[utoipa::path(delete, path = "/channels/{channel_id}/recipients/{user_id}", tag = "private channels",
    params(("channel_id" = ChannelId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_recipient(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, user_id)): Path<(ChannelId, UserId)>,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(&state, channel_id).await;
    let pc = group_of(&state, channel_id, auth.id()).await?;
    if user_id != auth.id() && pc.owner_id != Some(auth.id()) {
        return Err(ApiError::MissingPermissions);
    }
    if !pc.recipients.contains(&user_id) {
        return Err(ApiError::UnknownUser);
    }
    private::leave(&state, &mut change, &pc, user_id).await?;
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

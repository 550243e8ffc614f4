//! `/users/@me/relationships`: friends, friend requests and blocks, for people; bots have no
//! relationships and are refused (403, 20001).
//!
//! Each change is told to the sessions of both users, each from their own side:
//! RELATIONSHIP_ADD for a relationship begun or changed (a request sent or received, a
//! friendship, a block), RELATIONSHIP_REMOVE for one ended; a friend's nickname is the caller's
//! alone (RELATIONSHIP_UPDATE). Changes of one pair of users take the pair's ordering lock, so
//! their events reach the bus in the order they were committed.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::FieldError;
use hearth_core::{RelationshipKind, Snowflake, Timestamp, UserId};
use hearth_protocol::events::{Event, RelationshipRemove};
use hearth_protocol::objects::Relationship;
use hearth_protocol::requests::{ModifyRelationship, PutRelationship, SendFriendRequest};
use hearth_protocol::ErrorBody;
use hearth_store::{self as db, FriendRequest, RelationshipChange};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{Auth, Json, Path};
use crate::{convert, ApiError, ApiResult, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_relationships, send_friend_request))
        .routes(routes!(
            put_relationship,
            modify_relationship,
            delete_relationship
        ))
}

/// The caller's friends, friend requests (incoming and outgoing) and blocks, ascending by the
/// other user's id.
#[utoipa::path(get, path = "/users/@me/relationships", tag = "relationships", operation_id = "get_relationships",
    responses((status = 200, body = Vec<Relationship>), (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody)))]
async fn list_relationships(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<Vec<Relationship>>> {
    let me = auth.person()?.user;
    let rows = state.store.fetch_relationships(me.id).await?;
    let out = rows
        .iter()
        .map(|(r, other)| convert::relationship(r, other))
        .collect();
    Ok(axum::Json(out))
}

/// Sends a friend request to a person found by username (any case); accepts theirs if they
/// asked first. Asking again, while the request waits, changes nothing.
#[utoipa::path(post, path = "/users/@me/relationships", tag = "relationships", operation_id = "send_friend_request", request_body = SendFriendRequest,
    responses((status = 204, description = "Sent (or accepted)."),
        (status = 400, description = "Refused: blocked either way (80001), oneself (80003), no person of that name (80004), friends already (80007).", body = ErrorBody),
        (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody)))]
async fn send_friend_request(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<SendFriendRequest>,
) -> ApiResult<StatusCode> {
    let me = auth.person()?.user;
    let length = body.username.chars().count();
    if !(2..=32).contains(&length) {
        return Err(ApiError::field("username", FieldError::bad_length(2, 32)));
    }
    // Every hearth user's discriminator is 0: another names no one.
    let target = match body.discriminator {
        Some(d) if !d.is_zero() => None,
        _ => state.store.fetch_person_by_username(&body.username).await?,
    };
    let target = target.ok_or(ApiError::NoSuchUsername)?;
    if target.id == me.id {
        return Err(ApiError::FriendRequestToSelf);
    }
    match request(&state, &me, &target).await? {
        FriendRequest::AlreadyFriends => Err(ApiError::AlreadyFriends),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// With no `type` (or 1): sends a friend request to the user, or accepts the one they sent;
/// friends already, or asked already, nothing changes. With `type` 2: blocks the user, ending a
/// friendship or a request between the two.
#[utoipa::path(put, path = "/users/@me/relationships/{user_id}", tag = "relationships", operation_id = "put_relationship", params(("user_id" = UserId, Path)), request_body = PutRelationship,
    responses((status = 204, description = "Done, or nothing to do."),
        (status = 400, description = "Refused: blocked either way (80001), a bot (80002), oneself (80003).", body = ErrorBody),
        (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody),
        (status = 404, description = "Unknown User (10013).", body = ErrorBody)))]
async fn put_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<UserId>,
    Json(body): Json<PutRelationship>,
) -> ApiResult<StatusCode> {
    let me = auth.person()?.user;
    let block = match body.kind {
        None | Some(RelationshipKind::Friend) => false,
        Some(RelationshipKind::Blocked) => true,
        Some(_) => {
            return Err(ApiError::field(
                "type",
                FieldError::new("BASE_TYPE_CHOICES", "Value must be one of {1, 2}."),
            ))
        }
    };
    if user_id == me.id {
        return Err(ApiError::FriendRequestToSelf);
    }
    let target = other_user(&state, user_id).await?;
    if block {
        let mut change = Change::begin(&state, pair_key(me.id, target.id)).await;
        let done = state
            .store
            .insert_block(me.id, target.id, Timestamp::now())
            .await?;
        change.publish_all(relationship_events(&done, &me, &target));
        change.done().await?;
    } else {
        befriend(&state, &me, &target).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the caller's own nickname for a friend (null or blank clears it); only the caller's
/// sessions are told (RELATIONSHIP_UPDATE).
#[utoipa::path(patch, path = "/users/@me/relationships/{user_id}", tag = "relationships", operation_id = "modify_relationship", params(("user_id" = UserId, Path)), request_body = ModifyRelationship,
    responses((status = 204, description = "Changed."),
        (status = 400, description = "Refused: not friends (80006).", body = ErrorBody),
        (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody),
        (status = 404, description = "Unknown User (10013).", body = ErrorBody)))]
async fn modify_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<UserId>,
    Json(body): Json<ModifyRelationship>,
) -> ApiResult<StatusCode> {
    let me = auth.person()?.user;
    let nickname = body
        .nickname
        .map(|n| n.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()));
    if nickname.iter().flatten().any(|n| n.chars().count() > 32) {
        return Err(ApiError::field("nickname", FieldError::max_length(32)));
    }
    let target = other_user(&state, user_id).await?;
    let Some(nickname) = nickname else {
        // Nothing to change; still only between friends.
        let mine = state.store.fetch_relationship(me.id, target.id).await?;
        return match mine.map(|r| r.kind) {
            Some(RelationshipKind::Friend) => Ok(StatusCode::NO_CONTENT),
            _ => Err(ApiError::NotFriends),
        };
    };
    let mut change = Change::begin(&state, pair_key(me.id, target.id)).await;
    let row = state
        .store
        .update_relationship_nickname(me.id, target.id, nickname.as_deref())
        .await?
        .ok_or(ApiError::NotFriends)?;
    change.publish(Event::RelationshipUpdate {
        user_id: me.id,
        relationship: Box::new(convert::relationship(&row, &target)),
    });
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends the caller's relationship with the user, whatever it is: removes a friend, declines an
/// incoming request, cancels an outgoing one, or lifts the caller's block (a block the other
/// made stays). Nothing there: nothing changes.
#[utoipa::path(delete, path = "/users/@me/relationships/{user_id}", tag = "relationships", operation_id = "delete_relationship", params(("user_id" = UserId, Path)),
    responses((status = 204, description = "Ended, or there was none."),
        (status = 403, description = "Bots cannot use this endpoint (20001).", body = ErrorBody),
        (status = 404, description = "Unknown User (10013).", body = ErrorBody)))]
async fn delete_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<UserId>,
) -> ApiResult<StatusCode> {
    let me = auth.person()?.user;
    let target = other_user(&state, user_id).await?;
    let mut change = Change::begin(&state, pair_key(me.id, target.id)).await;
    let mine = state.store.fetch_relationship(me.id, target.id).await?;
    let done = if mine.is_some_and(|r| r.kind == RelationshipKind::Blocked) {
        RelationshipChange {
            written: Vec::new(),
            deleted: state
                .store
                .delete_block(me.id, target.id)
                .await?
                .into_iter()
                .collect(),
        }
    } else {
        state.store.delete_relationship(me.id, target.id).await?
    };
    change.publish_all(relationship_events(&done, &me, &target));
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user a path names (10013 when there is none).
async fn other_user(state: &AppState, user_id: UserId) -> ApiResult<db::User> {
    state
        .store
        .fetch_user(user_id)
        .await?
        .ok_or(ApiError::UnknownUser)
}

/// The ordering lock of a pair of users, the same whichever of the two acts.
fn pair_key(a: UserId, b: UserId) -> Snowflake {
    let (a, b): (Snowflake, Snowflake) = (a.into(), b.into());
    Snowflake(a.0 ^ b.0)
}

/// `me` asks `target` to be friends (accepting their request if they asked first). A request
/// to a bot, or between two users one of whom blocked the other, is refused.
async fn request(state: &AppState, me: &db::User, target: &db::User) -> ApiResult<FriendRequest> {
    if target.bot {
        return Err(ApiError::BotsCannotHaveFriends);
    }
    let mut change = Change::begin(state, pair_key(me.id, target.id)).await;
    let outcome = state
        .store
        .insert_friend_request(me.id, target.id, Timestamp::now())
        .await?;
    match &outcome {
        FriendRequest::Sent(done) => change.publish_all(relationship_events(done, me, target)),
        FriendRequest::Accepted(done) => {
            change.publish_all(relationship_events(done, me, target));
            change.publish_all(presences_between(state, me.id, target.id).await);
        }
        FriendRequest::Blocked => return Err(ApiError::FriendRequestBlocked),
        FriendRequest::AlreadyFriends | FriendRequest::AlreadySent => {}
    }
    change.done().await?;
    Ok(outcome)
}

/// `me` accepts `target`'s friend request when there is one, and otherwise asks `target` to be
/// friends (a request withdrawn meanwhile leaves asking as what the caller can still mean).
async fn befriend(state: &AppState, me: &db::User, target: &db::User) -> ApiResult<()> {
    let mine = state.store.fetch_relationship(me.id, target.id).await?;
    if mine.is_some_and(|r| r.kind == RelationshipKind::PendingIncoming) {
        let mut change = Change::begin(state, pair_key(me.id, target.id)).await;
        let accepted = state
            .store
            .accept_friend_request(me.id, target.id, Timestamp::now())
            .await?;
        if let Some(done) = accepted {
            change.publish_all(relationship_events(&done, me, target));
            change.publish_all(presences_between(state, me.id, target.id).await);
            return change.done().await;
        }
    }
    request(state, me, target).await.map(drop)
}

/// New friends see each other's presence at once: to each, a PRESENCE_UPDATE (without a
/// guild) of the other, when the other is visibly online. A presence that cannot be read is
/// logged and left to the next change.
async fn presences_between(state: &AppState, a: UserId, b: UserId) -> Vec<Event> {
    let mut out = Vec::new();
    for (to, of) in [(a, b), (b, a)] {
        match state.hub.visible_presence(of).await {
            Ok(Some(p)) => out.push(Event::FriendPresence {
                user_id: to,
                presence: Box::new(p),
            }),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "reading a new friend's presence"),
        }
    }
    out
}

/// What each side is told of a change between `a` and `b`: RELATIONSHIP_REMOVE for each row
/// deleted, RELATIONSHIP_ADD (with the other user) for each row written, to the row's owner.
fn relationship_events(done: &RelationshipChange, a: &db::User, b: &db::User) -> Vec<Event> {
    let other = |id: UserId| if id == a.id { a } else { b };
    let removed = done.deleted.iter().map(|r| Event::RelationshipRemove {
        user_id: r.user_id,
        relationship: RelationshipRemove {
            id: r.other_id,
            kind: r.kind,
        },
    });
    let added = done.written.iter().map(|r| Event::RelationshipAdd {
        user_id: r.user_id,
        relationship: Box::new(convert::relationship(r, other(r.other_id))),
    });
    removed.chain(added).collect()
}

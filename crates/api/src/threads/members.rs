//! `/channels/{id}/thread-members`: joining, leaving, adding and removing members of a thread,
//! and reading them. The member is told by THREAD_MEMBER_UPDATE when they join; everyone who
//! may view the thread by THREAD_MEMBERS_UPDATE.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::{ChannelId, Permissions, Timestamp, UserId};
use hearth_protocol::events::{Event, ThreadMemberUpdate, ThreadMembersUpdate};
use hearth_protocol::objects::ThreadMember;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{Auth, Path};
use crate::{access, convert, thread_rules, ApiError, ApiResult, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join_thread, leave_thread))
        .routes(routes!(
            add_thread_member,
            remove_thread_member,
            get_thread_member
        ))
        .routes(routes!(list_thread_members))
}

/// Adds `user` to a thread the caller may view (`adder`: the caller, who must be able to post
/// there when adding someone else). An archived thread: 400 50083.
async fn add(
    state: &AppState,
    thread_id: ChannelId,
    caller: UserId,
    user: UserId,
) -> ApiResult<()> {
    let (first, _) = thread_rules::thread_access(state, thread_id, caller).await?;
    let parent = first.channel.parent_id.unwrap_or(thread_id);
    let mut change = Change::begin(state, parent).await;
    let (a, t) = thread_rules::thread_access(state, thread_id, caller).await?;
    if t.meta.archived {
        return Err(ApiError::ThreadArchived);
    }
    if user != caller {
        access::require(a.perms, Permissions::SEND_MESSAGES)?;
        // The one added must be a member who may view the thread.
        match access::fresh_channel_access(state, thread_id, user).await {
            Ok(_) => {}
            Err(ApiError::MissingAccess)
                if access::member(state, a.guild_id, user).await?.is_none() =>
            {
                return Err(ApiError::UnknownMember)
            }
            Err(e) => return Err(e),
        }
    }
    let now = Timestamp::now();
    if !state
        .store
        .insert_thread_member(thread_id, user, now)
        .await?
    {
        return Ok(());
    }
    let member = db::ThreadMember {
        thread_id,
        user_id: user,
        joined_at: now.0,
        flags: 0,
    };
    change.publish(Event::ThreadMemberUpdate {
        user_id: user,
        member: Box::new(ThreadMemberUpdate {
            member: convert::thread_member(&member),
            guild_id: a.guild_id,
        }),
    });
    change.publish(Event::ThreadMembersUpdate(Box::new(ThreadMembersUpdate {
        id: thread_id,
        guild_id: a.guild_id,
        member_count: t.member_count + 1,
        added_members: vec![convert::thread_member(&member)],
        removed_member_ids: Vec::new(),
    })));
    change.done().await
}

/// Removes `user` from a thread (someone else: MANAGE_THREADS). An archived thread: 400 50083.
async fn remove(
    state: &AppState,
    thread_id: ChannelId,
    caller: UserId,
    user: UserId,
) -> ApiResult<()> {
    let (first, _) = thread_rules::thread_access(state, thread_id, caller).await?;
    let parent = first.channel.parent_id.unwrap_or(thread_id);
    let mut change = Change::begin(state, parent).await;
    let (a, t) = thread_rules::thread_access(state, thread_id, caller).await?;
    if user != caller {
        access::require(a.perms, Permissions::MANAGE_THREADS)?;
    }
    if t.meta.archived {
        return Err(ApiError::ThreadArchived);
    }
    if !state.store.delete_thread_member(thread_id, user).await? {
        return Ok(());
    }
    change.publish(Event::ThreadMembersUpdate(Box::new(ThreadMembersUpdate {
        id: thread_id,
        guild_id: a.guild_id,
        member_count: (t.member_count - 1).max(0),
        added_members: Vec::new(),
        removed_member_ids: vec![user],
    })));
    change.done().await
}

/// Joins a thread the caller may view.
#[utoipa::path(put, path = "/channels/{channel_id}/thread-members/@me", tag = "threads", operation_id = "join_thread",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn join_thread(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<StatusCode> {
    add(&state, channel_id, auth.id(), auth.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leaves a thread.
#[utoipa::path(delete, path = "/channels/{channel_id}/thread-members/@me", tag = "threads", operation_id = "leave_thread",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn leave_thread(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<StatusCode> {
    remove(&state, channel_id, auth.id(), auth.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a member of the guild who may view the thread (the caller must be able to post in it).
#[utoipa::path(put, path = "/channels/{channel_id}/thread-members/{user_id}", tag = "threads",
    params(("channel_id" = ChannelId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn add_thread_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, user_id)): Path<(ChannelId, UserId)>,
) -> ApiResult<StatusCode> {
    add(&state, channel_id, auth.id(), user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member from a thread (MANAGE_THREADS, unless it is the caller).
#[utoipa::path(delete, path = "/channels/{channel_id}/thread-members/{user_id}", tag = "threads",
    params(("channel_id" = ChannelId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_thread_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, user_id)): Path<(ChannelId, UserId)>,
) -> ApiResult<StatusCode> {
    remove(&state, channel_id, auth.id(), user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One member of a thread (404 10007 when they are not one).
#[utoipa::path(get, path = "/channels/{channel_id}/thread-members/{user_id}", tag = "threads",
    params(("channel_id" = ChannelId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = ThreadMember), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn get_thread_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, user_id)): Path<(ChannelId, UserId)>,
) -> ApiResult<axum::Json<ThreadMember>> {
    thread_rules::thread_access(&state, channel_id, auth.id()).await?;
    let m = state
        .store
        .fetch_thread_member(channel_id, user_id)
        .await?
        .ok_or(ApiError::UnknownMember)?;
    Ok(axum::Json(convert::thread_member(&m)))
}

/// A thread's members, by user id.
#[utoipa::path(get, path = "/channels/{channel_id}/thread-members", tag = "threads",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = Vec<ThreadMember>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_thread_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
) -> ApiResult<axum::Json<Vec<ThreadMember>>> {
    thread_rules::thread_access(&state, channel_id, auth.id()).await?;
    let list = state.store.fetch_thread_members(channel_id).await?;
    Ok(axum::Json(
        list.iter().map(convert::thread_member).collect(),
    ))
}

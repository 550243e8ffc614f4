//! Threads as the handlers share them: the checks of their settings, the access to a thread,
//! changes to a thread (`PATCH /channels/{id}` on a thread) and what a message posted in a
//! thread does first (a locked thread refuses it, an archived one is unarchived).
//!
//! A thread's events are published under the ordering lock of its parent channel, so that the
//! creation and the changes of a thread reach the bus in the order they were committed.

use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelId, ChannelKind, Permissions, Timestamp, UserId};
use hearth_protocol::events::{Event, GuildMessage, ThreadDelete};
use hearth_protocol::objects as wire;
use hearth_protocol::requests::ModifyThread;
use hearth_store::{self as db, ThreadPatch};

use crate::change::Change;
use crate::error::FormErrors;
use crate::extract::errors;
use crate::{access, convert, ApiError, ApiResult, AppState};

/// The inactivity periods a thread may have, in minutes.
pub(crate) const DURATIONS: [i64; 4] = [60, 1440, 4320, 10080];

/// Checks an `auto_archive_duration`.
pub(crate) fn check_duration(errs: &mut FormErrors, duration: Option<i64>) {
    if duration.is_some_and(|d| !DURATIONS.contains(&d)) {
        errs.add(
            "auto_archive_duration",
            FieldError::new(
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            ),
        );
    }
}

/// Checks a thread's name (1-100 characters after trimming).
pub(crate) fn check_name(errs: &mut FormErrors, name: &str) {
    errs.check("name", names::validate_channel_name(name.trim()));
}

/// A thread's object as read now.
pub(crate) fn object(t: &db::Thread) -> wire::Channel {
    convert::thread(t)
}

/// A thread the caller may view, with their access (404 10003 unknown; 403 50001 hidden; 400
/// 50024 a channel that is no thread).
pub(crate) async fn thread_access(
    state: &AppState,
    thread_id: ChannelId,
    user: UserId,
) -> ApiResult<(access::ChannelAccess, db::Thread)> {
    let a = access::fresh_channel_access(state, thread_id, user).await?;
    if !ChannelKind::is_thread(a.channel.kind) {
        return Err(ApiError::WrongChannelType);
    }
    let t = state
        .store
        .fetch_thread(thread_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    Ok((a, t))
}

/// `PATCH /channels/{id}` on a thread: its name, archive state and inactivity period (its
/// owner, or MANAGE_THREADS), lock and invitable (MANAGE_THREADS); a locked thread is
/// unarchived by MANAGE_THREADS alone. THREAD_UPDATE to those who may view it.
pub(crate) async fn modify(
    state: &AppState,
    user: UserId,
    thread_id: ChannelId,
    name: Option<&str>,
    body: &ModifyThread,
) -> ApiResult<wire::Channel> {
    let (first, _) = thread_access(state, thread_id, user).await?;
    let parent = first.channel.parent_id.unwrap_or(thread_id);
    let mut change = Change::begin(state, parent).await;
    let (a, t) = thread_access(state, thread_id, user).await?;
    let moderator = a.perms.contains(Permissions::MANAGE_THREADS);
    let mut errs = errors();
    if let Some(n) = name {
        check_name(&mut errs, n);
    }
    check_duration(&mut errs, body.auto_archive_duration);
    errs.into_result()?;
    let owner = t.meta.owner_id == user;
    if (body.locked.is_some() || body.invitable.is_some()) && !moderator {
        return Err(ApiError::MissingPermissions);
    }
    if !owner && !moderator {
        return Err(ApiError::MissingPermissions);
    }
    let unarchive = body.archived == Some(false) && t.meta.archived;
    if unarchive && t.meta.locked && body.locked != Some(false) && !moderator {
        return Err(ApiError::ThreadLocked);
    }
    let patch = ThreadPatch {
        name: name.map(|n| n.trim().to_owned()),
        archived: body.archived,
        locked: body.locked,
        auto_archive_duration: body.auto_archive_duration,
        invitable: body.invitable,
    };
    let after = state
        .store
        .update_thread(thread_id, &patch, Timestamp::now())
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    let out = object(&after);
    change.publish(Event::ThreadUpdate(Box::new(out.clone())));
    change.done().await?;
    Ok(out)
}

/// Before a message is posted in `channel` (a thread, else nothing happens): a locked thread
/// takes MANAGE_THREADS (403 160005); an archived one is unarchived first (THREAD_UPDATE). One
/// read of the thread, and a write only when it was archived.
pub(crate) async fn before_post(
    state: &AppState,
    channel: &db::Channel,
    perms: Permissions,
) -> ApiResult<()> {
    if !ChannelKind::is_thread(channel.kind) {
        return Ok(());
    }
    let Some(t) = state.store.fetch_thread(channel.id).await? else {
        return Err(ApiError::UnknownChannel);
    };
    if t.meta.locked && !perms.contains(Permissions::MANAGE_THREADS) {
        return Err(ApiError::ThreadLocked);
    }
    if !t.meta.archived {
        return Ok(());
    }
    let mut change = Change::begin(state, t.channel.parent_id.unwrap_or(channel.id)).await;
    let patch = ThreadPatch {
        archived: Some(false),
        ..ThreadPatch::default()
    };
    if let Some(after) = state
        .store
        .update_thread(channel.id, &patch, Timestamp::now())
        .await?
    {
        change.publish(Event::ThreadUpdate(Box::new(object(&after))));
    }
    change.done().await
}

/// MESSAGE_CREATE (or MESSAGE_UPDATE) of a message in a guild channel, with its author's
/// member.
pub(crate) async fn publish_message(
    state: &AppState,
    change: &mut Change<'_>,
    guild_id: hearth_core::GuildId,
    out: &wire::Message,
    edited: bool,
) -> ApiResult<()> {
    let member = access::member(state, guild_id, out.author.id).await?;
    let m = Box::new(GuildMessage {
        message: out.clone(),
        member,
    });
    change.publish(if edited {
        Event::MessageUpdate(m)
    } else {
        Event::MessageCreate(m)
    });
    Ok(())
}

/// `DELETE /channels/{id}` on a thread (MANAGE_THREADS): the thread goes with its messages;
/// THREAD_DELETE to those who may view its parent. Answers the thread as it was.
pub(crate) async fn delete(
    state: &AppState,
    user: UserId,
    thread_id: ChannelId,
) -> ApiResult<wire::Channel> {
    let (first, _) = thread_access(state, thread_id, user).await?;
    let parent = first.channel.parent_id.unwrap_or(thread_id);
    let mut change = Change::begin(state, parent).await;
    let (a, t) = thread_access(state, thread_id, user).await?;
    access::require(a.perms, Permissions::MANAGE_THREADS)?;
    state
        .store
        .delete_channel(thread_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    change.publish(Event::ThreadDelete(ThreadDelete {
        id: thread_id,
        guild_id: a.guild_id,
        parent_id: parent,
        kind: t.channel.kind,
    }));
    change.done().await?;
    Ok(object(&t))
}

/// Archives the threads idle past their auto_archive_duration at `now` (THREAD_UPDATE for
/// each); answers how many. Every node may run it: the store archives each thread once, and
/// only the node that archived it announces it.
pub async fn archive_idle(state: &AppState, now: Timestamp) -> ApiResult<usize> {
    let archived = state.store.update_idle_threads(now).await?;
    let n = archived.len();
    state.publish_all(
        archived
            .iter()
            .map(|t| Event::ThreadUpdate(Box::new(object(t)))),
    );
    Ok(n)
}

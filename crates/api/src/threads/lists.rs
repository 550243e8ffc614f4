//! The thread lists: a guild's active threads, and a channel's archived public threads.

use std::collections::HashMap;

use axum::extract::State;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, GuildId, Permissions, Timestamp, UserId};
use hearth_protocol::objects::ThreadList;
use hearth_protocol::requests::ArchivedThreadsQuery;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{errors, Auth, Path, Query};
use crate::{access, convert, thread_rules, ApiResult, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(active_threads))
        .routes(routes!(archived_public_threads))
}

/// The list of `threads`, with the caller's thread members among them.
async fn list(
    state: &AppState,
    user: UserId,
    threads: &[db::Thread],
    has_more: Option<bool>,
) -> ApiResult<ThreadList> {
    let ids: Vec<ChannelId> = threads.iter().map(|t| t.channel.id).collect();
    let members = state.store.fetch_joined_threads(user, &ids).await?;
    Ok(ThreadList {
        threads: threads.iter().map(thread_rules::object).collect(),
        members: members.iter().map(convert::thread_member).collect(),
        has_more,
    })
}

/// The guild's active threads the caller may view (those of the channels they may view).
#[utoipa::path(get, path = "/guilds/{guild_id}/threads/active", tag = "threads",
    params(("guild_id" = GuildId, Path)),
    responses((status = 200, body = ThreadList), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn active_threads(
    State(state): State<AppState>,
    auth: Auth,
    Path(guild_id): Path<GuildId>,
) -> ApiResult<axum::Json<ThreadList>> {
    access::guild(&state, guild_id, auth.id()).await?;
    let caller = access::fresh_caller(&state, guild_id, auth.id()).await?;
    let overwrites = state.store.fetch_guild_overwrites(guild_id).await?;
    let mut by_channel: HashMap<ChannelId, Vec<db::Overwrite>> = HashMap::new();
    for o in overwrites {
        by_channel.entry(o.channel_id).or_default().push(o);
    }
    let mut seen: HashMap<ChannelId, bool> = HashMap::new();
    let mut threads = state.store.fetch_active_threads(guild_id).await?;
    threads.retain(|t| {
        let parent = t.channel.parent_id.unwrap_or(t.channel.id);
        *seen.entry(parent).or_insert_with(|| {
            let rows = by_channel.get(&parent).map_or(&[][..], Vec::as_slice);
            caller.in_channel(rows).contains(Permissions::VIEW_CHANNEL)
        })
    });
    Ok(axum::Json(list(&state, auth.id(), &threads, None).await?))
}

/// A channel's archived public threads, the most recently archived first (READ_MESSAGE_HISTORY
/// in the channel): `before` an ISO 8601 instant, `limit` 1-100 (default 50).
#[utoipa::path(get, path = "/channels/{channel_id}/threads/archived/public", tag = "threads",
    params(("channel_id" = ChannelId, Path), ArchivedThreadsQuery),
    responses((status = 200, body = ThreadList), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn archived_public_threads(
    State(state): State<AppState>,
    auth: Auth,
    Path(channel_id): Path<ChannelId>,
    Query(q): Query<ArchivedThreadsQuery>,
) -> ApiResult<axum::Json<ThreadList>> {
    let limit = q.limit.unwrap_or(50);
    let before = q.before.as_deref().map(Timestamp::parse_iso);
    let mut errs = errors();
    if !(1..=100).contains(&limit) {
        errs.add(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 100."),
        );
    }
    if before == Some(None) {
        errs.add(
            "before",
            FieldError::new("DATE_TIME_TYPE_PARSE", "Could not parse the date."),
        );
    }
    errs.into_result()?;
    let a = access::channel_access(&state, channel_id, auth.id()).await?;
    access::require(a.perms, Permissions::READ_MESSAGE_HISTORY)?;
    let kinds = [
        i64::from(ChannelKind::PublicThread),
        i64::from(ChannelKind::AnnouncementThread),
    ];
    let before = before.flatten().map(|t| t.0);
    let mut threads = state
        .store
        .fetch_archived_threads(channel_id, &kinds, before, limit + 1)
        .await?;
    let more = threads.len() as i64 > limit;
    threads.truncate(limit as usize);
    Ok(axum::Json(
        list(&state, auth.id(), &threads, Some(more)).await?,
    ))
}

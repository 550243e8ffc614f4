//! `/channels/{id}/messages/{id}/reactions`: adding and removing reactions (unicode emoji),
//! listing who reacted, clearing one emoji or all of them, and the reaction events.
//!
//! Every write holds the channel's ordering lock (as messages do), so the checks that depend
//! on the reactions already there (ADD_REACTIONS for a new emoji, the limit of distinct emoji)
//! and the write are one step, and the events go out in commit order.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, MessageId, Permissions, Timestamp, UserId};
use hearth_protocol::events::{
    Event, PrivateEvent, ReactionAdd, ReactionRemove, ReactionRemoveAll, ReactionRemoveEmoji,
};
use hearth_protocol::objects::{self as wire, PartialEmoji};
use hearth_protocol::requests::ReactionUsersQuery;
use hearth_store as db;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::change::Change;
use crate::extract::{errors, Auth, Path, Query};
use crate::{access, convert, private, ApiError, ApiResult, AppState};

/// The most distinct emoji a message carries (Discord's 30010 past it).
pub const MAX_EMOJI: usize = 20;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_own, remove_own))
        .routes(routes!(remove_user))
        .routes(routes!(list_users, clear_emoji))
        .routes(routes!(clear_all))
}

/// The emoji of a path, when it is a unicode emoji (percent-decoded by the router). A custom
/// emoji (`name:id`, `a:name:id`, `:name:id`) or anything else is unknown (400 10014): every
/// character outside ASCII is taken, and within ASCII only the digits, `#` and `*` of keycaps,
/// beside at least one character outside it.
fn unicode_emoji(raw: &str) -> ApiResult<&str> {
    let fits = raw.chars().count() <= 32
        && !raw.is_ascii()
        && raw.chars().all(|c| {
            if c.is_ascii() {
                c.is_ascii_digit() || c == '#' || c == '*'
            } else {
                !c.is_whitespace() && !c.is_control()
            }
        });
    if fits {
        Ok(raw)
    } else {
        Err(ApiError::UnknownEmoji)
    }
}

/// A reaction event, for a guild channel or a private one.
#[derive(Clone)]
enum Reacted {
    Add(Box<ReactionAdd>),
    Remove(Box<ReactionRemove>),
    All(ReactionRemoveAll),
    Emoji(Box<ReactionRemoveEmoji>),
}

/// Queues the event: to who may view a guild channel, or once to each recipient of a private
/// one.
async fn publish(
    state: &AppState,
    change: &mut Change<'_>,
    channel: &db::Channel,
    caller: UserId,
    event: Reacted,
) -> ApiResult<()> {
    if channel.guild_id.is_some() {
        change.publish(match event {
            Reacted::Add(r) => Event::MessageReactionAdd(r),
            Reacted::Remove(r) => Event::MessageReactionRemove(r),
            Reacted::All(r) => Event::MessageReactionRemoveAll(r),
            Reacted::Emoji(r) => Event::MessageReactionRemoveEmoji(r),
        });
        return Ok(());
    }
    let pc = private::recipient_access(state, channel.id, caller).await?;
    private::publish(change, &pc.recipients, |_| match event.clone() {
        Reacted::Add(r) => PrivateEvent::ReactionAdd(r),
        Reacted::Remove(r) => PrivateEvent::ReactionRemove(r),
        Reacted::All(r) => PrivateEvent::ReactionRemoveAll(r),
        Reacted::Emoji(r) => PrivateEvent::ReactionRemoveEmoji(r),
    });
    Ok(())
}

/// The message (404 10008 when missing or deleted).
async fn message(
    state: &AppState,
    channel_id: ChannelId,
    message_id: MessageId,
) -> ApiResult<db::Message> {
    state
        .store
        .fetch_message(channel_id, message_id)
        .await?
        .ok_or(ApiError::UnknownMessage)
}

/// Moderating others' reactions: MANAGE_MESSAGES in a guild channel; a private channel has no
/// moderators (403 50003).
fn require_moderator(channel: &db::Channel, perms: Permissions) -> ApiResult<()> {
    if channel.guild_id.is_none() {
        return Err(ApiError::DmChannel);
    }
    access::require(perms, Permissions::MANAGE_MESSAGES)
}

/// Reacts with a unicode emoji (READ_MESSAGE_HISTORY, and ADD_REACTIONS when no one has
/// reacted with it yet). At most 20 distinct emoji per message (400 30010); a custom or
/// unknown emoji is refused (400 10014). Reacting twice changes nothing.
#[utoipa::path(put, path = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", tag = "reactions", operation_id = "create_reaction",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path), ("emoji" = String, Path, description = "A unicode emoji, URL-encoded")),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn add_own(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id, emoji)): Path<(ChannelId, MessageId, String)>,
) -> ApiResult<StatusCode> {
    let emoji = unicode_emoji(&emoji)?;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::READ_MESSAGE_HISTORY)?;
    if channel.kind == i64::from(ChannelKind::Dm) {
        private::check_not_blocked(&state, channel_id, auth.id()).await?;
    }
    let mut change = Change::begin(&state, channel_id).await;
    let m = message(&state, channel_id, message_id).await?;
    let present = state
        .store
        .fetch_reaction_emoji(channel_id, message_id)
        .await?;
    if !present.iter().any(|e| e == emoji) {
        access::require(perms, Permissions::ADD_REACTIONS)?;
        if present.len() >= MAX_EMOJI {
            return Err(ApiError::MaxReactions);
        }
    }
    let added = state
        .store
        .insert_reaction(channel_id, message_id, emoji, auth.id(), Timestamp::now())
        .await?;
    if added {
        let member = match channel.guild_id {
            Some(guild_id) => {
                access::member(&state, guild_id, auth.id())
                    .await?
                    .map(|m| wire::Member {
                        user: Some(convert::user(&auth.user)),
                        ..m
                    })
            }
            None => None,
        };
        let event = ReactionAdd {
            user_id: auth.id(),
            channel_id,
            message_id,
            guild_id: channel.guild_id,
            member,
            emoji: PartialEmoji::unicode(emoji),
            message_author_id: m.author_id,
            burst: false,
            burst_colors: Vec::new(),
            kind: 0,
        };
        publish(
            &state,
            &mut change,
            &channel,
            auth.id(),
            Reacted::Add(Box::new(event)),
        )
        .await?;
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes one user's reaction and queues MESSAGE_REACTION_REMOVE when there was one.
async fn remove(
    state: &AppState,
    auth: &Auth,
    channel: &db::Channel,
    message_id: MessageId,
    emoji: &str,
    user_id: UserId,
) -> ApiResult<StatusCode> {
    let mut change = Change::begin(state, channel.id).await;
    message(state, channel.id, message_id).await?;
    if state
        .store
        .delete_reaction(channel.id, message_id, emoji, user_id)
        .await?
    {
        let event = ReactionRemove {
            user_id,
            channel_id: channel.id,
            message_id,
            guild_id: channel.guild_id,
            emoji: PartialEmoji::unicode(emoji),
            burst: false,
            kind: 0,
        };
        publish(
            state,
            &mut change,
            channel,
            auth.id(),
            Reacted::Remove(Box::new(event)),
        )
        .await?;
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the caller's own reaction (nothing to remove is no error).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", tag = "reactions", operation_id = "delete_own_reaction",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path), ("emoji" = String, Path, description = "A unicode emoji, URL-encoded")),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_own(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id, emoji)): Path<(ChannelId, MessageId, String)>,
) -> ApiResult<StatusCode> {
    let emoji = unicode_emoji(&emoji)?;
    let (channel, _) = access::channel(&state, channel_id, auth.id()).await?;
    remove(&state, &auth, &channel, message_id, emoji, auth.id()).await
}

/// Removes another user's reaction (MANAGE_MESSAGES; not in a DM or group DM: 403 50003).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}", tag = "reactions", operation_id = "delete_user_reaction",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path), ("emoji" = String, Path, description = "A unicode emoji, URL-encoded"), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn remove_user(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id, emoji, user_id)): Path<(ChannelId, MessageId, String, UserId)>,
) -> ApiResult<StatusCode> {
    let emoji = unicode_emoji(&emoji)?;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    if user_id != auth.id() {
        require_moderator(&channel, perms)?;
    }
    remove(&state, &auth, &channel, message_id, emoji, user_id).await
}

/// The users who reacted with an emoji, by id (READ_MESSAGE_HISTORY): those above `after`,
/// `limit` 1-100 (default 25). `type` 1 (super reactions) lists no one.
#[utoipa::path(get, path = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}", tag = "reactions", operation_id = "get_reactions",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path), ("emoji" = String, Path, description = "A unicode emoji, URL-encoded"), ReactionUsersQuery),
    responses((status = 200, body = Vec<wire::User>), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id, emoji)): Path<(ChannelId, MessageId, String)>,
    Query(q): Query<ReactionUsersQuery>,
) -> ApiResult<axum::Json<Vec<wire::User>>> {
    let limit = q.limit.unwrap_or(25);
    let kind = q.kind.unwrap_or(0);
    let mut errs = errors();
    if !(1..=100).contains(&limit) {
        errs.add(
            "limit",
            FieldError::new("NUMBER_TYPE_MAX", "Must be between 1 and 100."),
        );
    }
    if !(0..=1).contains(&kind) {
        errs.add(
            "type",
            FieldError::new("BASE_TYPE_CHOICES", "Value must be one of {0, 1}."),
        );
    }
    errs.into_result()?;
    let emoji = unicode_emoji(&emoji)?;
    let (_, perms) = access::channel(&state, channel_id, auth.id()).await?;
    access::require(perms, Permissions::READ_MESSAGE_HISTORY)?;
    message(&state, channel_id, message_id).await?;
    if kind == 1 {
        return Ok(axum::Json(Vec::new()));
    }
    let users = state
        .store
        .fetch_reaction_users(
            channel_id,
            message_id,
            emoji,
            q.after.unwrap_or_default(),
            limit,
        )
        .await?;
    Ok(axum::Json(users.iter().map(convert::user).collect()))
}

/// Removes every reaction with an emoji (MANAGE_MESSAGES; not in a DM or group DM).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}", tag = "reactions", operation_id = "delete_all_reactions_for_emoji",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path), ("emoji" = String, Path, description = "A unicode emoji, URL-encoded")),
    responses((status = 204), (status = 400, body = hearth_protocol::ErrorBody), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn clear_emoji(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id, emoji)): Path<(ChannelId, MessageId, String)>,
) -> ApiResult<StatusCode> {
    let emoji = unicode_emoji(&emoji)?;
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    require_moderator(&channel, perms)?;
    let mut change = Change::begin(&state, channel_id).await;
    message(&state, channel_id, message_id).await?;
    let removed = state
        .store
        .delete_reactions(channel_id, message_id, Some(emoji))
        .await?;
    if removed > 0 {
        let event = ReactionRemoveEmoji {
            channel_id,
            message_id,
            guild_id: channel.guild_id,
            emoji: PartialEmoji::unicode(emoji),
        };
        publish(
            &state,
            &mut change,
            &channel,
            auth.id(),
            Reacted::Emoji(Box::new(event)),
        )
        .await?;
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes every reaction of a message (MANAGE_MESSAGES; not in a DM or group DM).
#[utoipa::path(delete, path = "/channels/{channel_id}/messages/{message_id}/reactions", tag = "reactions", operation_id = "delete_all_reactions",
    params(("channel_id" = ChannelId, Path), ("message_id" = MessageId, Path)),
    responses((status = 204), (status = 403, body = hearth_protocol::ErrorBody), (status = 404, body = hearth_protocol::ErrorBody)))]
async fn clear_all(
    State(state): State<AppState>,
    auth: Auth,
    Path((channel_id, message_id)): Path<(ChannelId, MessageId)>,
) -> ApiResult<StatusCode> {
    let (channel, perms) = access::channel(&state, channel_id, auth.id()).await?;
    require_moderator(&channel, perms)?;
    let mut change = Change::begin(&state, channel_id).await;
    message(&state, channel_id, message_id).await?;
    let removed = state
        .store
        .delete_reactions(channel_id, message_id, None)
        .await?;
    if removed > 0 {
        let event = ReactionRemoveAll {
            channel_id,
            message_id,
            guild_id: channel.guild_id,
        };
        publish(
            &state,
            &mut change,
            &channel,
            auth.id(),
            Reacted::All(event),
        )
        .await?;
    }
    change.done().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::unicode_emoji;

    #[test]
    fn unicode_emoji_are_taken_and_custom_ones_refused() {
        for ok in ["👍", "❤️", "1️⃣", "#️⃣", "👨‍👩‍👧", "🇫🇷"] {
            assert_eq!(unicode_emoji(ok).ok(), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "blob:123",
            ":blob:123",
            "a:blob:123",
            "abc",
            "1",
            "👍 ",
            "x👍",
        ] {
            assert!(unicode_emoji(bad).is_err(), "{bad}");
        }
    }
}

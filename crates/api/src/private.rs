//! Private channels (DMs and group DMs) as the handlers share them: who may use one, what a
//! recipient may do there, how it looks to each recipient, and its events, published once per
//! recipient.

use std::collections::HashMap;

use hearth_core::{ChannelId, ChannelKind, Permissions, UserId};
use hearth_protocol::events::{Event, PrivateEvent, Recipient};
use hearth_protocol::objects as wire;
use hearth_state::wire as render;
use hearth_store as db;

use crate::change::Change;
use crate::{ApiError, ApiResult, AppState};

/// What every recipient may do in a private channel: read, write, react, embed and attach,
/// but not manage others' messages.
pub const RECIPIENT_PERMISSIONS: Permissions = Permissions(
    Permissions::VIEW_CHANNEL.0
        | Permissions::SEND_MESSAGES.0
        | Permissions::READ_MESSAGE_HISTORY.0
        | Permissions::ADD_REACTIONS.0
        | Permissions::EMBED_LINKS.0
        | Permissions::ATTACH_FILES.0
        | Permissions::USE_EXTERNAL_EMOJIS.0,
);

/// The most people a group DM holds.
pub const MAX_RECIPIENTS: usize = 10;

/// Whether the channel type is a private one.
pub fn is_private(kind: i64) -> bool {
    kind == i64::from(ChannelKind::Dm) || kind == i64::from(ChannelKind::GroupDm)
}

/// The private channel `channel_id`, when `user_id` is one of its recipients (404 10003 when
/// there is no such private channel; 403 50001 when the caller is not in it).
pub async fn recipient_access(
    state: &AppState,
    channel_id: ChannelId,
    user_id: UserId,
) -> ApiResult<db::PrivateChannel> {
    let pc = state
        .store
        .fetch_private_channel(channel_id)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    if pc.recipients.contains(&user_id) {
        Ok(pc)
    } else {
        Err(ApiError::MissingAccess)
    }
}

/// The recipients' users, to render the channel for each of them.
pub async fn users(
    state: &AppState,
    pc: &db::PrivateChannel,
) -> ApiResult<HashMap<UserId, db::User>> {
    Ok(render::recipients(state.store.as_ref(), std::slice::from_ref(pc)).await?)
}

/// The channel as `viewer` sees it.
pub fn view(
    pc: &db::PrivateChannel,
    viewer: UserId,
    users: &HashMap<UserId, db::User>,
) -> wire::PrivateChannel {
    render::private_channel(pc, viewer, users)
}

/// Queues one copy of an event for each of `recipients` (`make` builds each one's copy).
pub fn publish(
    change: &mut Change<'_>,
    recipients: &[UserId],
    make: impl Fn(UserId) -> PrivateEvent,
) {
    change.publish_all(recipients.iter().map(|user_id| Event::Private {
        user_id: *user_id,
        event: make(*user_id),
    }));
}

/// Publishes one copy of an event for each of `recipients` at once (outside an ordered change).
pub fn publish_now(state: &AppState, recipients: &[UserId], make: impl Fn(UserId) -> PrivateEvent) {
    for user_id in recipients {
        state.publish(Event::Private {
            user_id: *user_id,
            event: make(*user_id),
        });
    }
}

/// Takes `user` out of the group DM `pc`: CHANNEL_DELETE to them, CHANNEL_RECIPIENT_REMOVE to
/// those who stay (the last one out deletes the channel).
pub async fn leave(
    state: &AppState,
    change: &mut Change<'_>,
    pc: &db::PrivateChannel,
    user: UserId,
) -> ApiResult<()> {
    let users = users(state, pc).await?;
    let after = state
        .store
        .remove_recipient(pc.channel.id, user)
        .await?
        .ok_or(ApiError::UnknownChannel)?;
    change.publish(Event::Private {
        user_id: user,
        event: PrivateEvent::ChannelDelete(Box::new(view(pc, user, &users))),
    });
    if let Some(gone) = users.get(&user) {
        let gone = render::user(gone);
        publish(change, &after.recipients, |_| {
            PrivateEvent::RecipientRemove(Recipient {
                channel_id: pc.channel.id,
                user: gone.clone(),
            })
        });
    }
    Ok(())
}

/// Refuses (403, 50007) a message in a DM whose other person blocked the sender or was
/// blocked by them.
pub async fn check_not_blocked(
    state: &AppState,
    channel_id: ChannelId,
    sender: UserId,
) -> ApiResult<()> {
    let pc = recipient_access(state, channel_id, sender).await?;
    for other in pc.recipients.iter().filter(|u| **u != sender) {
        if state.store.is_blocked(sender, *other).await? {
            return Err(ApiError::CannotMessageUser);
        }
    }
    Ok(())
}

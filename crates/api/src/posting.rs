//! Messages the server posts or announces on its own: MESSAGE_CREATE / MESSAGE_UPDATE for a
//! rendered message, and system messages (a member joined, a group DM renamed), which are
//! stored and delivered like any other message, with Discord's message types.

use hearth_core::{ChannelKind, GuildId, MessageType};
use hearth_protocol::events::{Event, GuildMessage, PrivateEvent};
use hearth_protocol::objects::Message;
use hearth_store as db;

use crate::change::Change;
use crate::convert::MessageRenderer;
use crate::{access, private, ApiResult, AppState};

/// Queues MESSAGE_CREATE (or MESSAGE_UPDATE when `edited`): in a guild with the author's
/// member, in a private channel once for each recipient.
pub async fn publish_message(
    state: &AppState,
    change: &mut Change<'_>,
    channel: &db::Channel,
    out: &Message,
    edited: bool,
) -> ApiResult<()> {
    match channel.guild_id {
        Some(guild_id) => {
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
        }
        None => {
            let pc = private::recipient_access(state, channel.id, out.author.id).await?;
            private::publish(change, &pc.recipients, |_| {
                if edited {
                    PrivateEvent::MessageUpdate(Box::new(out.clone()))
                } else {
                    PrivateEvent::MessageCreate(Box::new(out.clone()))
                }
            });
        }
    }
    Ok(())
}

/// Posts a system message of `kind` by `author` in `channel` (under the channel's ordering
/// lock, which the caller must not hold) and announces it.
pub async fn post_system(
    state: &AppState,
    channel: &db::Channel,
    author: &db::User,
    kind: MessageType,
    content: String,
) -> ApiResult<Message> {
    let mut change = Change::begin(state, channel.id).await;
    let message = db::Message {
        channel_id: channel.id,
        id: state.ids.next().into(),
        author_id: author.id,
        kind: i64::from(kind),
        content,
        nonce: None,
        tts: false,
        flags: 0,
        embeds: "[]".into(),
        reference_message_id: None,
        reference_channel_id: None,
        reference_guild_id: None,
        reference_kind: 0,
        edited_at: None,
        deleted_at: None,
        mention_user_ids: String::new(),
        mention_role_ids: String::new(),
        mention_everyone: false,
    };
    state.store.insert_message(&message).await?;
    let out = MessageRenderer::new(state, channel)
        .knowing(author)
        .render(&message)
        .await?;
    publish_message(state, &mut change, channel, &out, false).await?;
    change.done().await?;
    Ok(out)
}

/// The join message (type 7) for a member who just joined, in the guild's system channel
/// when it has one (a text channel of the guild). The caller must not hold the channel's
/// ordering lock (post after the join's change is done).
pub async fn welcome(state: &AppState, guild_id: GuildId, user: &db::User) -> ApiResult<()> {
    let Some(guild) = state.store.fetch_guild(guild_id).await? else {
        return Ok(());
    };
    let Some(channel_id) = guild.system_channel_id else {
        return Ok(());
    };
    let channel = state.store.fetch_channel(channel_id).await?;
    let Some(channel) = channel
        .filter(|c| c.guild_id == Some(guild_id) && c.kind == i64::from(ChannelKind::GuildText))
    else {
        return Ok(());
    };
    post_system(state, &channel, user, MessageType::UserJoin, String::new()).await?;
    Ok(())
}

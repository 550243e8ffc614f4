//! The checks of a message's body and of the channel's pace: embeds, a new message's fields,
//! a repeated nonce, slow mode.

use hearth_core::names::{self, FieldError};
use hearth_core::{ChannelId, GuildId, MessageId, Permissions, Snowflake, Timestamp, UserId};
use hearth_protocol::requests::{CreateMessage, MessageReferenceRequest};
use hearth_store as db;
use serde_json::Value;

use crate::error::FormErrors;
use crate::extract::errors;
use crate::mentions::{self, Allowed};
use crate::{access, ApiError, ApiResult, AppState};

/// Flags a sender may set: SUPPRESS_EMBEDS (1 << 2) and SUPPRESS_NOTIFICATIONS (1 << 12).
pub(super) const SUPPRESS_EMBEDS: i64 = 1 << 2;
pub(super) const SENDABLE_FLAGS: i64 = SUPPRESS_EMBEDS | (1 << 12);
/// HAS_SNAPSHOT (1 << 14): the message is a forward.
pub(super) const HAS_SNAPSHOT: i64 = 1 << 14;
/// How far back `enforce_nonce` looks for an earlier message with the same nonce.
const NONCE_WINDOW_MS: u64 = 5 * 60 * 1000;
/// Checks embeds (at most 10 objects, at most 6000 characters of JSON each) and gives them
/// the `rich` type when they have none.
pub(super) fn check_embeds(errs: &mut FormErrors, embeds: Option<Vec<Value>>) -> Vec<Value> {
    let mut embeds = embeds.unwrap_or_default();
    if embeds.len() > 10 {
        errs.add(
            "embeds",
            FieldError::new("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."),
        );
    }
    for (i, e) in embeds.iter_mut().enumerate() {
        match e {
            Value::Object(map) => {
                map.entry("type")
                    .or_insert_with(|| Value::String("rich".into()));
                if e.to_string().len() > 6000 {
                    errs.add(
                        &format!("embeds.{i}"),
                        FieldError::new(
                            "BASE_TYPE_MAX_LENGTH",
                            "Embed size exceeds maximum size of 6000",
                        ),
                    );
                }
            }
            _ => errs.add(
                &format!("embeds.{i}"),
                FieldError::new(
                    "MODEL_TYPE_CONVERT",
                    "Only dictionaries may be used in a ModelType",
                ),
            ),
        }
    }
    embeds
}

/// A new message's body, checked.
pub(super) struct NewMessage {
    pub(super) content: String,
    pub(super) nonce: Option<String>,
    pub(super) enforce_nonce: bool,
    pub(super) tts: bool,
    pub(super) flags: i64,
    pub(super) embeds: Vec<Value>,
    /// The message replied to.
    pub(super) reference: Option<MessageId>,
    /// The message forwarded, and its guild.
    pub(super) forward: Option<(db::Message, Option<GuildId>)>,
    /// Its author.
    pub(super) reference_author: Option<UserId>,
    /// Which mentions count.
    pub(super) allowed: Allowed,
}

/// Checks a new message's fields (400 50035 naming each bad one; 50006 when empty).
pub(super) async fn check_new_message(
    state: &AppState,
    channel_id: ChannelId,
    user_id: UserId,
    perms: Permissions,
    body: CreateMessage,
) -> ApiResult<NewMessage> {
    let mut errs = errors();
    let content = body.content.unwrap_or_default();
    errs.check("content", names::validate_content(&content));
    if body.nonce.as_ref().is_some_and(|n| n.chars().count() > 25) {
        errs.add("nonce", FieldError::max_length(25));
    }
    let flags = body.flags.unwrap_or(0);
    if flags & !SENDABLE_FLAGS != 0 {
        errs.add(
            "flags",
            FieldError::new(
                "BASE_TYPE_INVALID",
                "Only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set.",
            ),
        );
    }
    let embeds = check_embeds(&mut errs, body.embeds);
    let allowed = mentions::check(&mut errs, body.allowed_mentions);
    let mut reference = None;
    let mut reference_author = None;
    let mut forward = None;
    if let Some(r) = body
        .message_reference
        .as_ref()
        .filter(|r| r.kind == Some(1))
    {
        if !content.is_empty() || !embeds.is_empty() {
            errs.add(
                "content",
                FieldError::new(
                    "FORWARD_CANNOT_HAVE_CONTENT",
                    "A forward carries only the forwarded message.",
                ),
            );
        }
        forward = Some(forwarded(state, user_id, r).await?);
    } else if let Some(r) = &body.message_reference {
        if r.kind.unwrap_or(0) != 0 || r.channel_id.is_some_and(|c| c != channel_id) {
            errs.add(
                "message_reference",
                FieldError::new(
                    "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL",
                    "Cannot reply to a message in another channel.",
                ),
            );
        } else if let Some(t) = replied_to(state, channel_id, perms, r.message_id).await? {
            reference = Some(r.message_id);
            reference_author = Some(t.author_id);
        } else if r.fail_if_not_exists != Some(false) {
            errs.add(
                "message_reference",
                FieldError::new("REPLIES_UNKNOWN_MESSAGE", "Unknown message"),
            );
        }
    }
    errs.into_result()?;
    if content.trim().is_empty() && embeds.is_empty() && forward.is_none() {
        return Err(ApiError::EmptyMessage);
    }
    Ok(NewMessage {
        content,
        nonce: body.nonce,
        enforce_nonce: body.enforce_nonce == Some(true),
        tts: body.tts.unwrap_or(false),
        flags,
        embeds,
        reference,
        forward,
        reference_author,
        allowed,
    })
}

/// The message a forward copies: one the caller may read (VIEW_CHANNEL and
/// READ_MESSAGE_HISTORY in its channel), not deleted, and a user's message (default or reply,
/// or another forward). Anything else: 400 50035 on `message_reference`, as for an unknown
/// message (a message the caller may not read is not told apart from a missing one).
async fn forwarded(
    state: &AppState,
    user_id: UserId,
    r: &MessageReferenceRequest,
) -> ApiResult<(db::Message, Option<GuildId>)> {
    let unknown = || {
        let mut errs = errors();
        errs.add(
            "message_reference",
            FieldError::new("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"),
        );
        Err(ApiError::InvalidForm(errs))
    };
    let Some(source_channel) = r.channel_id else {
        return unknown();
    };
    let (channel, perms) = match access::channel(state, source_channel, user_id).await {
        Ok(found) => found,
        Err(ApiError::UnknownChannel | ApiError::MissingAccess) => return unknown(),
        Err(e) => return Err(e),
    };
    if !perms.contains(Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY) {
        return unknown();
    }
    match state
        .store
        .fetch_message(source_channel, r.message_id)
        .await?
    {
        Some(m) if m.kind == 0 || m.kind == 19 => Ok((m, channel.guild_id)),
        _ => unknown(),
    }
}

/// The message a reply answers, when the caller may read history.
async fn replied_to(
    state: &AppState,
    channel_id: ChannelId,
    perms: Permissions,
    id: MessageId,
) -> ApiResult<Option<db::Message>> {
    if !perms.contains(Permissions::READ_MESSAGE_HISTORY) {
        return Ok(None);
    }
    Ok(state.store.fetch_message(channel_id, id).await?)
}

/// With `enforce_nonce`, the caller's message with the same nonce posted in the last five
/// minutes, if any.
pub(super) async fn repeated_nonce(
    state: &AppState,
    channel_id: ChannelId,
    author: UserId,
    m: &NewMessage,
) -> ApiResult<Option<db::Message>> {
    let (Some(nonce), true) = (&m.nonce, m.enforce_nonce) else {
        return Ok(None);
    };
    let since = MessageId(Snowflake::from_unix_millis(
        state
            .ids
            .next()
            .unix_millis()
            .saturating_sub(NONCE_WINDOW_MS),
    ));
    Ok(state
        .store
        .fetch_message_by_nonce(channel_id, author, nonce, since)
        .await?)
}

/// Slow mode: with `rate_limit_per_user` set, a member waits that many seconds between two
/// messages, unless they hold MANAGE_MESSAGES, MANAGE_CHANNELS or BYPASS_SLOWMODE.
pub(super) async fn check_slow_mode(
    state: &AppState,
    channel: &db::Channel,
    perms: Permissions,
    user: UserId,
) -> ApiResult<()> {
    let exempt =
        Permissions::MANAGE_MESSAGES | Permissions::MANAGE_CHANNELS | Permissions::BYPASS_SLOWMODE;
    if channel.rate_limit_per_user <= 0 || (perms & exempt) != Permissions::NONE {
        return Ok(());
    }
    let Some(last) = state.store.fetch_last_message_id(channel.id, user).await? else {
        return Ok(());
    };
    let next_ms = last.unix_millis() + channel.rate_limit_per_user as u64 * 1000;
    let now_ms = Timestamp::now().0 as u64 / 1000;
    if now_ms < next_ms {
        return Err(ApiError::SlowMode {
            retry_after: (next_ms - now_ms) as f64 / 1000.0,
        });
    }
    Ok(())
}

//! Guests, default channels and channel counters (hearth's extensions from seed 002), shared
//! by the handlers that carry them (members, invites, guilds, channels) and by the server's
//! guest expiry sweep.
//!
//! - A guest's permissions leave @everyone out; that is decided where every permission is,
//!   in `hearth_core::permissions` (through the guild state), so REST, the gateway's
//!   visibility and the message fan-out agree.
//! - The counters of a channel: its members and guests (those who may view it) are counted
//!   in the node's guild state, which loads the guild's roster once and then follows the
//!   member events; its messages and last activity are kept by the message insert itself.

use std::collections::HashMap;

use hearth_core::names::FieldError;
use hearth_core::{ChannelId, ChannelKind, GuildId, Timestamp};
use hearth_protocol::objects::{self as wire, ChannelCounters};
use hearth_state::lock;

use crate::change::Change;
use crate::error::FormErrors;
use crate::journal::{self, action, Reason};
use crate::{convert, events, ApiResult, AppState};

/// Expired guests removed per sweep round.
const SWEEP_BATCH: i64 = 100;

/// The audit log reason of a guest removed by the sweep.
pub const GUEST_EXPIRED: &str = "guest access expired";

/// The longest a guest may be admitted for: a year, in seconds.
pub const MAX_GUEST_SECS: i64 = 365 * 24 * 3600;

/// Most default channels a guild may have.
const MAX_DEFAULT_CHANNELS: usize = 10;

/// A guild object with its default channels.
pub async fn with_defaults(state: &AppState, mut guild: wire::Guild) -> ApiResult<wire::Guild> {
    guild.hearth_default_channel_ids = Some(state.store.fetch_default_channels(guild.id).await?);
    Ok(guild)
}

/// Checks a new list of default channels: at most 10, each a text channel of the guild (an
/// error per bad entry in `errs`, at `hearth_default_channel_ids.N`).
pub async fn check_defaults(
    state: &AppState,
    guild_id: GuildId,
    ids: &[ChannelId],
    errs: &mut FormErrors,
) -> ApiResult<()> {
    if ids.len() > MAX_DEFAULT_CHANNELS {
        errs.add(
            "hearth_default_channel_ids",
            FieldError::new("BASE_TYPE_MAX_LENGTH", "At most 10 channels."),
        );
        return Ok(());
    }
    let channels = state.store.fetch_guild_channels(guild_id).await?;
    for (i, id) in ids.iter().enumerate() {
        let text = channels
            .iter()
            .any(|c| c.id == *id && c.kind == i64::from(ChannelKind::GuildText));
        if !text {
            errs.add(
                &format!("hearth_default_channel_ids.{i}"),
                FieldError::new("CHANNEL_INVALID", "Not a text channel of this guild."),
            );
        }
    }
    Ok(())
}

/// Fills in the counters of guild channels (all of one guild): members and guests who may
/// view each, from the node's guild state; messages and last activity, from the store.
pub async fn add_counters(
    state: &AppState,
    guild_id: GuildId,
    channels: &mut [wire::Channel],
) -> ApiResult<()> {
    let states = &state.hub.states;
    let Some(shared) = states.guild(guild_id).await? else {
        return Ok(());
    };
    states.roster(guild_id, &shared).await?;
    let stored: HashMap<ChannelId, hearth_store::ChannelCounters> = state
        .store
        .fetch_channel_counters(guild_id)
        .await?
        .into_iter()
        .map(|c| (c.channel_id, c))
        .collect();
    let mut guild = lock(&shared);
    for c in channels {
        let (members, guests) = guild.channel_counts(c.id);
        let row = stored.get(&c.id);
        c.hearth_counters = Some(ChannelCounters {
            members,
            guests,
            messages: row.map_or(0, |r| r.message_count),
            last_activity_at: row.and_then(|r| r.last_activity_at).map(Timestamp),
        });
    }
    Ok(())
}

/// Removes the guests whose access expired: each one under their guild's lock, announced as a
/// kick (GUILD_MEMBER_REMOVE to the guild, GUILD_DELETE to the guest's sessions) and recorded
/// as a member kick by the server itself with the reason [`GUEST_EXPIRED`]. Safe on several
/// nodes at once: the removal is conditional, and only the node that removed a guest
/// announces it. Returns how many this call removed.
pub async fn sweep_expired_guests(state: &AppState) -> ApiResult<usize> {
    let mut removed = 0;
    loop {
        let now = Timestamp::now();
        let expired = state.store.fetch_expired_guests(now, SWEEP_BATCH).await?;
        let round = expired.len();
        for m in expired {
            let mut change = Change::begin(state, m.guild_id).await;
            if !state
                .store
                .delete_expired_guest(m.guild_id, m.user_id, now)
                .await?
            {
                continue;
            }
            removed += 1;
            if let Some(user) = state.store.fetch_user(m.user_id).await? {
                change.publish(events::member_remove(m.guild_id, convert::user(&user)));
            }
            change.publish(events::guild_lost(m.user_id, m.guild_id));
            change.record_system(journal::Entry {
                guild_id: m.guild_id,
                actor: m.user_id,
                target: Some(m.user_id.snowflake()),
                action: action::MEMBER_KICK,
                changes: Vec::new(),
                options: None,
                reason: &Reason(Some(GUEST_EXPIRED.to_owned())),
            });
            change.done().await?;
        }
        if round < SWEEP_BATCH as usize {
            return Ok(removed);
        }
    }
}

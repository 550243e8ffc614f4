//! Publishing committed changes: the ordering locks, and the events whose payloads need
//! assembling (the enum itself, with every dispatch's name and shape, is
//! `hearth_protocol::events`).
//!
//! A handler takes the ordering lock of what it changes (the channel for messages, the guild
//! for everything else), writes, and publishes before releasing the lock, so that two changes
//! to the same thing reach the bus in the order they were committed.

use hearth_core::{GuildId, Snowflake, UserId};
use hearth_protocol::events::{
    Event, GuildMember, GuildUser, InviteCreate, InviteDelete, UnavailableGuild,
};
use hearth_protocol::objects as wire;
use tokio::sync::{Mutex, MutexGuard};

use crate::{ApiResult, AppState};

/// Striped locks keyed by id: two changes to the same channel or guild take the same lock.
#[derive(Debug)]
pub struct OrderLocks {
    stripes: Vec<Mutex<()>>,
}

impl OrderLocks {
    /// `n` stripes (rounded up to a power of two).
    pub fn new(n: usize) -> Self {
        let n = n.max(1).next_power_of_two();
        OrderLocks {
            stripes: (0..n).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Waits for the lock of `key`.
    pub async fn lock(&self, key: Snowflake) -> MutexGuard<'_, ()> {
        self.stripes[self.stripe(key)].lock().await
    }

    fn stripe(&self, key: Snowflake) -> usize {
        // Fibonacci hashing spreads the time-ordered ids over the stripes.
        let h = key.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 32) as usize & (self.stripes.len() - 1)
    }

    /// Whether the lock of `key` is held now (for tests).
    #[cfg(test)]
    pub(crate) fn is_held(&self, key: Snowflake) -> bool {
        self.stripes[self.stripe(key)].try_lock().is_err()
    }
}

impl Default for OrderLocks {
    fn default() -> Self {
        OrderLocks::new(256)
    }
}

/// `GUILD_MEMBER_ADD`: the member with its user and `guild_id`.
pub fn member_add(guild_id: GuildId, member: wire::Member) -> Event {
    Event::GuildMemberAdd(Box::new(GuildMember { member, guild_id }))
}

/// `GUILD_MEMBER_UPDATE`: the member with its user and `guild_id`.
pub fn member_update(guild_id: GuildId, member: wire::Member) -> Event {
    Event::GuildMemberUpdate(Box::new(GuildMember { member, guild_id }))
}

/// `GUILD_MEMBER_REMOVE`.
pub fn member_remove(guild_id: GuildId, user: wire::User) -> Event {
    Event::GuildMemberRemove(GuildUser { guild_id, user })
}

/// `GUILD_CREATE` for a user who just gained a guild (its creator, a joining member, an added
/// bot), carrying everything a gateway session needs (channels, roles, members, counts, the
/// presences of the members online).
pub async fn guild_gained(
    state: &AppState,
    user_id: UserId,
    guild_id: GuildId,
) -> ApiResult<Option<Event>> {
    let Some(mut guild) =
        hearth_gateway::payload::guild_create(state.store.as_ref(), guild_id, user_id, 250).await?
    else {
        return Ok(None);
    };
    // The gateway leaves them out for sessions without the GUILD_PRESENCES intent.
    let mut presences = state.hub.guild_presences(&[guild_id]).await?;
    guild.presences = presences.remove(&guild_id).unwrap_or_default();
    // Without `unavailable`, as Discord sends a guild joined: discord.py takes
    // `unavailable: false` for a guild back from an outage (on_guild_available, not on_guild_join).
    guild.unavailable = None;
    Ok(Some(Event::GuildCreate {
        user_id,
        guild: Box::new(guild),
    }))
}

/// `GUILD_DELETE` for a user who left (or was removed from) a guild.
pub fn guild_lost(user_id: UserId, guild_id: GuildId) -> Event {
    Event::GuildLost {
        user_id,
        guild: UnavailableGuild {
            id: guild_id,
            unavailable: false,
        },
    }
}

/// `INVITE_CREATE` with the invite's metadata.
pub fn invite_create(i: &wire::Invite) -> Event {
    Event::InviteCreate(Box::new(InviteCreate {
        channel_id: i.channel.id,
        guild_id: i.guild_id,
        code: i.code.clone(),
        created_at: i.created_at,
        max_age: i.max_age,
        max_uses: i.max_uses,
        temporary: i.temporary,
        uses: i.uses,
        inviter: i.inviter.clone(),
        kind: 0,
    }))
}

/// `INVITE_DELETE`.
pub fn invite_delete(i: &wire::Invite) -> Event {
    Event::InviteDelete(InviteDelete {
        channel_id: i.channel.id,
        guild_id: i.guild_id,
        code: i.code.clone(),
    })
}

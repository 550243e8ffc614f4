//! Publishing committed changes: the ordering locks and the event payloads.
//!
//! A handler takes the ordering lock of what it changes (the channel for messages, the guild
//! for everything else), writes, and publishes before releasing the lock, so that two changes
//! to the same thing reach the bus in the order they were committed.

use hearth_core::events::Event;
use hearth_core::Snowflake;
use serde_json::{json, Value};
use tokio::sync::{Mutex, MutexGuard};

use hearth_protocol::objects as wire;

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
        // Fibonacci hashing spreads the time-ordered ids over the stripes.
        let h = key.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let i = (h >> 32) as usize & (self.stripes.len() - 1);
        self.stripes[i].lock().await
    }
}

impl Default for OrderLocks {
    fn default() -> Self {
        OrderLocks::new(256)
    }
}

/// A wire object as a JSON value with extra keys (e.g. `guild_id`) merged in.
pub fn with<T: serde::Serialize>(object: &T, extra: Value) -> Value {
    let mut v = serde_json::to_value(object).unwrap_or(Value::Null);
    if let (Value::Object(map), Value::Object(more)) = (&mut v, extra) {
        map.extend(more);
    }
    v
}

/// `GUILD_MEMBER_ADD`: the member with its user and `guild_id`.
pub fn member_add(guild_id: Snowflake, member: &wire::Member) -> Event {
    Event::guild(
        "GUILD_MEMBER_ADD",
        guild_id,
        with(member, json!({ "guild_id": guild_id })),
    )
}

/// `GUILD_MEMBER_REMOVE`.
pub fn member_remove(guild_id: Snowflake, user: &wire::User) -> Event {
    Event::guild(
        "GUILD_MEMBER_REMOVE",
        guild_id,
        json!({ "guild_id": guild_id, "user": user }),
    )
}

/// `GUILD_CREATE` for a user who just gained a guild (its creator, a joining member, an added
/// bot), carrying everything a gateway session needs (channels, roles, members, counts).
pub async fn guild_gained(
    state: &AppState,
    user_id: Snowflake,
    guild_id: Snowflake,
) -> ApiResult<Option<Event>> {
    let Some(mut data) =
        hearth_gateway::payload::guild_create(state.store.as_ref(), guild_id, user_id, 250).await?
    else {
        return Ok(None);
    };
    // The gateway leaves them out for sessions without the GUILD_PRESENCES intent.
    let mut presences = state.hub.guild_presences(&[guild_id]).await?;
    data["presences"] = Value::Array(presences.remove(&guild_id).unwrap_or_default());
    // Without `unavailable`, as Discord sends a guild joined: discord.py takes
    // `unavailable: false` for a guild back from an outage (on_guild_available, not on_guild_join).
    if let Some(fields) = data.as_object_mut() {
        fields.remove("unavailable");
    }
    Ok(Some(Event::users("GUILD_CREATE", vec![user_id], data)))
}

/// `GUILD_DELETE` for a user who left (or was removed from) a guild.
pub fn guild_lost(user_id: Snowflake, guild_id: Snowflake) -> Event {
    Event::users(
        "GUILD_DELETE",
        vec![user_id],
        json!({ "id": guild_id, "unavailable": false }),
    )
}

/// `CHANNEL_CREATE` / `CHANNEL_UPDATE` / `CHANNEL_DELETE` with the channel object.
pub fn channel(name: &str, c: &wire::Channel) -> Option<Event> {
    let guild_id = c.guild_id?;
    Some(Event::channel(name, guild_id, c.id, with(c, json!({}))))
}

/// `INVITE_CREATE` with the invite's metadata.
pub fn invite_create(i: &wire::Invite) -> Event {
    let data = json!({
        "channel_id": i.channel.id, "guild_id": i.guild_id, "code": i.code, "created_at": i.created_at,
        "max_age": i.max_age, "max_uses": i.max_uses, "temporary": i.temporary, "uses": i.uses,
        "inviter": i.inviter, "type": 0,
    });
    Event::channel("INVITE_CREATE", i.guild_id, i.channel.id, data)
}

/// `INVITE_DELETE`.
pub fn invite_delete(i: &wire::Invite) -> Event {
    let data = json!({ "channel_id": i.channel.id, "guild_id": i.guild_id, "code": i.code });
    Event::channel("INVITE_DELETE", i.guild_id, i.channel.id, data)
}

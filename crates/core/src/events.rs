//! Committed changes as events: what the API publishes on the bus after each write, and what
//! the gateway turns into dispatches.
//!
//! An event carries its dispatch name, its payload (the `d` of the dispatch, already in wire
//! shape, so that delivering it needs no database read) and its audience (who may receive it).

use serde::{Deserialize, Serialize};

use crate::Snowflake;

/// Who may receive an event. The gateway narrows this further by intents (and, once channel
/// permission overwrites exist, by each member's view of the channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// Members of a guild (guild settings, roles, members joining and leaving).
    Guild {
        /// The guild.
        guild_id: Snowflake,
    },
    /// Members of the guild who may view the channel (messages, typing, channel changes).
    Channel {
        /// The channel's guild.
        guild_id: Snowflake,
        /// The channel.
        channel_id: Snowflake,
    },
    /// Exactly these users (for example the owner of a new guild).
    Users {
        /// The users.
        user_ids: Vec<Snowflake>,
    },
}

/// One committed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Dispatch name (`MESSAGE_CREATE`, `GUILD_MEMBER_ADD`, ...).
    pub name: String,
    /// Who may receive it.
    pub audience: Audience,
    /// The dispatch payload.
    pub data: serde_json::Value,
}

impl Event {
    /// An event for the members of `guild_id`.
    pub fn guild(name: &str, guild_id: Snowflake, data: serde_json::Value) -> Self {
        Event {
            name: name.to_owned(),
            audience: Audience::Guild { guild_id },
            data,
        }
    }

    /// An event for those who may view `channel_id` in `guild_id`.
    pub fn channel(
        name: &str,
        guild_id: Snowflake,
        channel_id: Snowflake,
        data: serde_json::Value,
    ) -> Self {
        Event {
            name: name.to_owned(),
            audience: Audience::Channel {
                guild_id,
                channel_id,
            },
            data,
        }
    }

    /// An event for exactly these users.
    pub fn users(name: &str, user_ids: Vec<Snowflake>, data: serde_json::Value) -> Self {
        Event {
            name: name.to_owned(),
            audience: Audience::Users { user_ids },
            data,
        }
    }

    /// The guild the event belongs to, if any.
    pub fn guild_id(&self) -> Option<Snowflake> {
        match &self.audience {
            Audience::Guild { guild_id } | Audience::Channel { guild_id, .. } => Some(*guild_id),
            Audience::Users { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_json() {
        let e = Event::channel(
            "MESSAGE_CREATE",
            Snowflake(1),
            Snowflake(2),
            serde_json::json!({"id": "3"}),
        );
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains(r#""kind":"channel""#), "{text}");
        let back: Event = serde_json::from_str(&text).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.guild_id(), Some(Snowflake(1)));
        assert_eq!(
            Event::users("X", vec![Snowflake(9)], serde_json::Value::Null).guild_id(),
            None
        );
    }
}

//! The bodies of `/users/@me/relationships`.

use hearth_core::RelationshipKind;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::double_option;

/// `POST /users/@me/relationships`: a friend request to a person found by username.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SendFriendRequest {
    /// The person's username (any case), 2-32 characters.
    #[schema(min_length = 2, max_length = 32)]
    pub username: String,
    /// The legacy discriminator: absent, null or 0, which every hearth user has.
    #[serde(default)]
    pub discriminator: Option<Discriminator>,
}

/// A legacy discriminator as clients send it: a number, or digits in a string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Discriminator {
    /// `0`, `1234`.
    Number(u16),
    /// `"0"`, `"1234"`.
    Text(String),
}

impl Discriminator {
    /// Whether it is the discriminator of the new usernames (`0`), every hearth user's.
    pub fn is_zero(&self) -> bool {
        match self {
            Discriminator::Number(n) => *n == 0,
            Discriminator::Text(t) => !t.is_empty() && t.bytes().all(|b| b == b'0'),
        }
    }
}

/// `PUT /users/@me/relationships/{user_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PutRelationship {
    /// 1 or absent: send a friend request, or accept the one received; 2: block.
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 2)]
    pub kind: Option<RelationshipKind>,
}

/// `PATCH /users/@me/relationships/{user_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyRelationship {
    /// The caller's name for a friend, at most 32 characters; null or blank clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub nickname: Option<Option<String>>,
}

//! Reactions as message objects carry them, and the emoji they name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An emoji as reactions name it: a unicode emoji has no id (`{"id": null, "name": "👍"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartialEmoji {
    /// Always null: hearth has no custom emoji yet.
    pub id: Option<String>,
    /// The unicode emoji.
    pub name: String,
}

impl PartialEmoji {
    /// A unicode emoji.
    pub fn unicode(name: &str) -> PartialEmoji {
        PartialEmoji {
            id: None,
            name: name.to_owned(),
        }
    }
}

/// How many reactions of each kind (hearth has normal ones only; burst is always 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReactionCountDetails {
    /// Super reactions: 0.
    pub burst: i64,
    /// Normal reactions.
    pub normal: i64,
}

/// One emoji's reactions on a message (`reactions` of a fetched message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reaction {
    /// How many users reacted with the emoji.
    pub count: i64,
    /// The count by kind.
    pub count_details: ReactionCountDetails,
    /// Whether the requesting user is one of them.
    pub me: bool,
    /// Whether the requesting user super-reacted: false.
    pub me_burst: bool,
    /// The same, by its older name: false.
    pub burst_me: bool,
    /// Super reaction colours: none.
    pub burst_colors: Vec<String>,
    /// The emoji.
    pub emoji: PartialEmoji,
}

impl Reaction {
    /// `count` normal reactions with `emoji`, `me` when the requester is among them.
    pub fn normal(emoji: &str, count: i64, me: bool) -> Reaction {
        Reaction {
            count,
            count_details: ReactionCountDetails {
                burst: 0,
                normal: count,
            },
            me,
            me_burst: false,
            burst_me: false,
            burst_colors: Vec::new(),
            emoji: PartialEmoji::unicode(emoji),
        }
    }
}

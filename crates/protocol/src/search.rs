//! Message search: `GET /guilds/{id}/messages/search` and `GET /channels/{id}/messages/search`.

use hearth_core::{ChannelId, MessageId, UserId};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::objects::Message;

/// The query string of a search. Lists repeat their key (`author_id=1&author_id=2`) and match
/// any of their values; every parameter given must hold.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find (up to 1024 characters): each must start a word of the message (any run
    /// of characters in Chinese, Japanese or Korean text); case and accents are ignored.
    #[param(max_length = 1024)]
    pub content: Option<String>,
    /// Written by one of these users (up to 100).
    pub author_id: Option<Vec<UserId>>,
    /// Mentioning one of these users (`<@id>` in the content; up to 100).
    pub mentions: Option<Vec<UserId>>,
    /// Has all of these: `link`, `embed`, `file`, `image`, `video`, `sound`, `sticker`; a
    /// leading `-` asks for messages without it.
    pub has: Option<Vec<String>>,
    /// In one of these channels (of those the caller may read; up to 100).
    pub channel_id: Option<Vec<ChannelId>>,
    /// Only messages after this id.
    pub min_id: Option<MessageId>,
    /// Only messages before this id.
    pub max_id: Option<MessageId>,
    /// Results skipped, 0-9975.
    #[param(minimum = 0, maximum = 9975)]
    pub offset: Option<i64>,
    /// 1-25, default 25.
    #[param(minimum = 1, maximum = 25)]
    pub limit: Option<i64>,
    /// `timestamp` (default) or `relevance`.
    pub sort_by: Option<String>,
    /// `desc` (default) or `asc`.
    pub sort_order: Option<String>,
}

/// The answer of a search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    /// How many messages match in all.
    pub total_results: i64,
    /// This page of them, each hit an array holding the message.
    pub messages: Vec<Vec<Message>>,
    /// Always false: the index is kept as messages are written.
    pub doing_deep_historical_index: bool,
}

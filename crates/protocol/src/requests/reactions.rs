//! The query of `GET /channels/{id}/messages/{id}/reactions/{emoji}`.

use hearth_core::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

/// Which users who reacted with an emoji: those above `after`, at most `limit`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReactionUsersQuery {
    /// Users with a greater id than this one.
    pub after: Option<UserId>,
    /// 1-100, default 25.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// 0 normal reactions (the default), 1 super reactions (hearth has none).
    #[serde(rename = "type")]
    #[param(minimum = 0, maximum = 1)]
    pub kind: Option<i64>,
}

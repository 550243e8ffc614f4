//! The bodies and query strings of directed invites (a hearth extension).

use hearth_core::{ChannelId, DirectedInviteStatus, Permissions, UserId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `POST /guilds/{guild_id}/directed-invites`. The recipient is named by `recipient_id` or by
/// `username` (any case), exactly one of them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateDirectedInvite {
    /// The recipient's id.
    #[serde(default)]
    pub recipient_id: Option<UserId>,
    /// The recipient's username (any case), instead of the id.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 32)]
    pub username: Option<String>,
    /// A channel of the guild to invite to (absent: the guild as a whole).
    #[serde(default)]
    pub channel_id: Option<ChannelId>,
    /// A message for the recipient, at most 1000 characters (blank: none).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
    /// Permissions to grant in the channel on acceptance (only with `channel_id`; only bits the
    /// sender holds there).
    #[serde(default)]
    pub permissions: Option<Permissions>,
    /// Seconds the invite stays valid, 0 (never expires) to 2592000; default 604800.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2592000)]
    pub max_age: Option<i64>,
}

/// Which side of the caller's directed invites to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InviteDirection {
    /// Those the caller received.
    Received,
    /// Those the caller sent.
    Sent,
}

/// `GET /users/@me/directed-invites`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectedInvitesQuery {
    /// `received` or `sent` (absent: both).
    #[param(inline)]
    pub direction: Option<InviteDirection>,
    /// Only invites with this status (0 pending, 1 accepted, 2 declined, 3 cancelled, 4
    /// expired).
    #[param(inline)]
    pub status: Option<DirectedInviteStatus>,
    /// 1-200, default 100; newest first.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

//! The body of `PATCH /guilds/{id}/members/{user}`.

use hearth_core::{MemberKind, RoleId};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::double_option;

/// `PATCH /guilds/{id}/members/{user}`: fields left out are unchanged. Voice fields (`mute`,
/// `deaf`, `channel_id`) are not served and are ignored.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModifyMember {
    /// Up to 32 characters after trimming; null or "" clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub nick: Option<Option<String>>,
    /// The member's roles, replacing the ones it has.
    #[serde(default)]
    pub roles: Option<Vec<RoleId>>,
    /// ISO 8601 instant until which the member is timed out (at most 28 days ahead); null ends
    /// a timeout.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub communication_disabled_until: Option<Option<String>>,
    /// hearth's extension: `member` or `guest` (MANAGE_GUILD; a bot stays a bot). A member
    /// made a full member loses their guest expiry.
    #[serde(default)]
    pub hearth_kind: Option<MemberKind>,
    /// hearth's extension: ISO 8601 instant, in the future and at most a year ahead, when a
    /// guest's access ends; null: never (MANAGE_GUILD; only for someone a guest after the
    /// change).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hearth_guest_expires_at: Option<Option<String>>,
}

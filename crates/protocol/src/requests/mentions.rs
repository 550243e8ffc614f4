//! `allowed_mentions`, sent with a new message or an edit.

use hearth_core::{RoleId, UserId};
use serde::Deserialize;
use utoipa::ToSchema;

/// Which mentions in the content notify (and are listed in the message's `mentions`,
/// `mention_roles` and `mention_everyone`). Left out, every mention in the content counts and a
/// reply mentions the replied-to author.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AllowedMentions {
    /// Kinds parsed from the content: "users", "roles", "everyone" (which covers @here).
    #[serde(default)]
    pub parse: Option<Vec<String>>,
    /// Users that may be mentioned (up to 100); not with "users" in `parse`.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub users: Option<Vec<UserId>>,
    /// Roles that may be mentioned (up to 100); not with "roles" in `parse`.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub roles: Option<Vec<RoleId>>,
    /// Whether a reply mentions the author of the message it answers (default false here).
    #[serde(default)]
    pub replied_user: Option<bool>,
}

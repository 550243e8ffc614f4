//! A guild's roles: [`RoleStore`]. Which members have them is [`crate::MemberStore`]'s.

use async_trait::async_trait;
use hearth_core::{GuildId, RoleId};

use crate::{Result, Role, RolePosition};

/// A guild's roles.
#[async_trait]
pub trait RoleStore: Send + Sync {
    /// Creates a role.
    async fn insert_role(&self, role: &Role) -> Result<()>;
    /// A guild's roles by position, then id.
    async fn fetch_roles(&self, guild_id: GuildId) -> Result<Vec<Role>>;
    /// Replaces a role's editable fields (name, permissions, color, hoist, mentionable,
    /// position; not `managed`); returns the stored role (None: no such role in the guild).
    async fn update_role(&self, role: &Role) -> Result<Option<Role>>;
    /// Sets the positions of several roles of a guild in one transaction (ids of no role of the
    /// guild are skipped; of repeated ids, the last wins); returns every role of the guild by
    /// position, then id.
    async fn update_role_positions(
        &self,
        guild_id: GuildId,
        moves: &[RolePosition],
    ) -> Result<Vec<Role>>;
    /// Deletes a role, takes it from every member and deletes its overwrites in the guild's
    /// channels, in one transaction; true when it existed. Callers refuse @everyone.
    async fn delete_role(&self, guild_id: GuildId, role_id: RoleId) -> Result<bool>;
}

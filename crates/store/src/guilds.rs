//! Guilds themselves: [`GuildStore`]. Their roles, members, channels, bans and audit log have
//! traits of their own.

use async_trait::async_trait;
use hearth_core::{GuildId, UserId};

use crate::{Channel, Guild, Result, Role};

/// Guilds.
#[async_trait]
pub trait GuildStore: Send + Sync {
    /// Creates a guild with its @everyone role, the owner as first member and its first channel,
    /// in one transaction.
    async fn insert_guild(
        &self,
        guild: &Guild,
        everyone: &Role,
        first_channel: &Channel,
    ) -> Result<()>;
    /// One guild.
    async fn fetch_guild(&self, id: GuildId) -> Result<Option<Guild>>;
    /// Guilds a user belongs to, by ascending id, after/before the given ids.
    async fn fetch_user_guilds(
        &self,
        user_id: UserId,
        before: Option<GuildId>,
        after: Option<GuildId>,
        limit: i64,
    ) -> Result<Vec<Guild>>;
    /// Replaces a guild's settings; returns the stored guild.
    async fn update_guild(&self, guild: &Guild) -> Result<Option<Guild>>;
    /// Deletes a guild and everything in it; true when it existed.
    async fn delete_guild(&self, id: GuildId) -> Result<bool>;
}
